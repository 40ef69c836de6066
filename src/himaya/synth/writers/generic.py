"""Himaya generic CSV / JSONL v1 (`himaya.generic/1`, formats README §7): what a helpline documents by hand.

The same rows in both encodings: the TikTok comments that Zeeschuimer also captured (same IDs),
a Persian YouTube comment, an Instagram follow from the wave, an X reply, a Facebook post wrapped
in RLI/PDI isolates with the hash of Photo A's resized copy, a Telegram channel post, a Threads
doxing reply with an offset time, and a Signal message known only by a display name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Literal

from himaya.synth._util import local, snowflake, utc_iso
from himaya.synth.scenario import Scenario
from himaya.synth.texts import HASHTAG_AR, HASHTAG_FA
from himaya.synth.writers._tiktok import comment_rows

COLUMNS = ("schema_version", "platform", "record_type", "post_id", "created_at", "author_id", "author_handle",
           "author_name", "text", "lang", "reply_to", "thread_id", "target_handle", "url", "media", "links",
           "hashtags", "mentions", "collected_at", "source")


def rows(sc: Scenario) -> list[dict[str, Any]]:
    rng = sc.rng("generic")
    a, me = sc.attackers, sc.collective
    collected = utc_iso(sc.export_ts + 3600, millis=False)
    comments, _ = comment_rows(sc)
    video = sc.ids["tiktok_video"]
    video_url = f"https://www.tiktok.com/@{me.handle}/video/{video}"

    def row(platform: str, kind: str, post_id: str, ts: float | str, **kw: Any) -> dict[str, Any]:
        r: dict[str, Any] = {c: "" for c in COLUMNS}
        r.update(schema_version="himaya.generic/1", platform=platform, record_type=kind, post_id=post_id,
                 created_at=ts if isinstance(ts, str) else utc_iso(ts, millis=ts % 1 != 0), media=[], links=[],
                 hashtags=[], mentions=[], collected_at=collected, source="manual-collection/helpline-sample")
        r.update(kw)
        return r

    top, reply = comments[0][0], comments[2][0]
    x_reply = snowflake(sc.at(2 * 3600 + 1500), rng)
    small = {"path": "media/photo_a_small.jpg", "sha256": hashlib.sha256(sc.photo_a_small).hexdigest(),
             "type": "image/jpeg"}
    ys = "UgxSAMPLE" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(11))
    return [
        row("tiktok", "comment", top["cid"], top["create_time"], author_id=a[1].tt_id, author_handle=a[1].handle,
            author_name=a[1].name, text=top["text"], lang="ar", reply_to=video, thread_id=video,
            target_handle=me.handle, url=video_url),
        row("tiktok", "reply", reply["cid"], reply["create_time"], author_id=a[2].tt_id, author_handle=a[2].handle,
            author_name=a[2].name, text=reply["text"], lang="ar-Latn", reply_to=top["cid"], thread_id=video,
            target_handle=me.handle, mentions=[me.handle]),
        row("youtube", "comment", ys, sc.at(86400 + 1234) + 0.5, author_id="UCsampleVatanNemuneh0001",
            author_handle="VatanNemunehTV", author_name="وطن نمونه TV (nemuneh)", text=sc.text("gender_fa"),
            lang="fa", thread_id="bAnAfShA0s4", target_handle="BanafshaSample",
            url=f"https://www.youtube.com/watch?v=bAnAfShA0s4&lc={ys}"),
        row("instagram", "follow", f"follow:{a[0].handle}>{me.handle}", dict(sc.wave)[a[0]],
            author_handle=a[0].handle, target_handle=me.handle, url=f"https://www.instagram.com/{a[0].handle}"),
        row("x", "reply", x_reply, sc.at(2 * 3600 + 1500), author_id=a[7].x_id, author_handle=a[7].x_handle,
            author_name=a[7].name, text=f"@{me.x_handle} {sc.text('agent_finglish')}", lang="fa-Latn",
            reply_to=sc.ids["statement_tweet"], thread_id=sc.ids["statement_tweet"], target_handle=me.x_handle,
            url=f"https://x.com/{a[7].x_handle}/status/{x_reply}", mentions=[me.x_handle]),
        row("facebook", "post", "pfbid0SYNTH" + "".join(rng.choice("0123456789") for _ in range(20)),
            sc.at(5 * 3600), author_id="100090000000000777", author_name="Karim Sample",
            text="\u2067" + sc.text("blasphemy_ar").split("\n")[0] + "\u2069 — انشروا الصورة قبل الحذف",
            lang="ar", target_handle=sc.nadia.name, media=[small]),
        row("telegram", "message", f"channel1987650000:{rng.randrange(100, 400)}", sc.at(-40 * 60),
            author_id="channel1987650000", author_handle="haqiqa_news_sample", author_name=sc.channel.name,
            text=sc.text("forged_ar") + f"{HASHTAG_AR} {HASHTAG_FA}", lang="ar", thread_id="channel1987650000",
            hashtags=[HASHTAG_AR[1:], HASHTAG_FA[1:]], links=["https://example.org/banafsha/leak-0614"]),
        row("threads", "reply", f"threads:{a[9].handle}:{rng.getrandbits(40)}",
            local_offset(sc.at(4 * 3600), sc.tz_offset), author_handle=a[9].handle, author_name=a[9].name,
            text=sc.text("dox_ar"), lang="ar", target_handle=sc.nadia.handle),
        row("signal", "message", f"signal:{utc_iso(sc.at(7200), millis=False)}:1", sc.at(7200),
            author_name="Unknown number (sample)", text=sc.text("threat_en"), lang="en", thread_id="signal-thread-1",
            target_handle=sc.nadia.name),
    ]


def local_offset(ts: int, offset: int) -> str:
    """RFC 3339 with a `+03:00` offset, as a helpline in Baghdad would type it."""
    return local(ts, offset) + f"+{offset // 3600:02d}:00"


def to_csv(rs: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rs:
        w.writerow([json.dumps(r[c], ensure_ascii=False, separators=(",", ":")) if isinstance(r[c], list) else r[c]
                    for c in COLUMNS])
    return buf.getvalue()


def to_jsonl(rs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs)


def write(out_dir: Path, scenario: Scenario, *, fmt: Literal["csv", "jsonl"] = "csv") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    rs = rows(scenario)
    path = out_dir / f"himaya_generic_v1_{scenario.collective.handle.split('.')[0]}.{fmt}"
    path.write_bytes((to_csv(rs) if fmt == "csv" else to_jsonl(rs)).encode("utf-8"))
    return path
