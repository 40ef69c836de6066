"""Zeeschuimer NDJSON captures: `twitter.com` and `tiktok-comments` (formats README §11).

X: the post page of the collective's statement (the statement with a string `id` and `promoted`,
then three replies from a conversation module whose `id`/`item_id` are the rounded numbers that
`parseInt` produces), then a defender's quote from a search page. The replies carry the same IDs as
the twarc2 file, for cross-source merging. TikTok: comments under the collective's video, a top-level
Arabic comment with a nested reply preview, a Persian call to report, the Arabizi reply from the
reply endpoint and a defender's reply to it. One `JSON.stringify` line per item, raw UTF-8.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Literal

from himaya.synth._util import compact_json, js_number, local, snowflake, x_date
from himaya.synth.scenario import Person, Scenario
from himaya.synth.writers import _tiktok
from himaya.synth.writers._x import legacy_entities, replies, reply_start

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:139.0) Gecko/20100101 Firefox/139.0"
SOURCE = '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'


def envelope(nav: str, item_id: Any, ms: int, platform: str, page: str, source: str, data: dict[str, Any],
             row: int) -> str:
    return compact_json({"nav_index": nav, "item_id": item_id, "timestamp_collected": ms, "last_updated": ms,
                         "source_platform": platform, "source_platform_url": page, "source_url": source,
                         "user_agent": UA, "data": data, "id": row}) + "\n"


def _user(p: Person, fresh: bool) -> dict[str, Any]:
    return {"__typename": "User", "id": base64.b64encode(f"User:{p.x_id}".encode()).decode(), "rest_id": p.x_id,
            "affiliates_highlighted_label": {},
            "avatar": {"image_url": f"https://pbs.twimg.com/profile_images/{p.x_id}/sample_normal.jpg"},
            "core": {"created_at": x_date(p.created), "name": p.name, "screen_name": p.x_handle},
            "has_graduated_access": True, "is_blue_verified": False,
            "legacy": {"default_profile": True, "default_profile_image": fresh, "description": "",
                       "favourites_count": 0 if fresh else 880, "followers_count": 2 if fresh else 5120,
                       "friends_count": 40 if fresh else 310, "media_count": 0 if fresh else 212,
                       "statuses_count": 31 if fresh else 1404},
            "privacy": {"protected": False}, "verification": {"verified": False}}


def _post(sc: Scenario, tid: str, author: Person, ts: int, text: str, lang: str, thread: str, *,
          reply_to: tuple[str, Person] | None = None, media: tuple[str, str, str] | None = None,
          quoted: str | None = None) -> dict[str, Any]:
    people = {p.x_handle: p for p in sc.people()}
    ents = legacy_entities(text, people, {}, as_str=False)
    ents["timestamps"] = []
    legacy: dict[str, Any] = {"bookmark_count": 0, "bookmarked": False, "created_at": x_date(ts),
                              "conversation_id_str": thread,
                              "display_text_range": [reply_start(text) if reply_to else 0, len(text)],
                              "entities": ents}
    if media:
        tco, mid, key = media
        start = text.index(tco)
        legacy["display_text_range"][1] = start - 1
        m = {"display_url": f"pic.x.com/{tco.rsplit('/', 1)[1]}", "expanded_url":
             f"https://x.com/{author.x_handle}/status/{tid}/photo/1", "id_str": mid, "indices": [start, start + len(tco)],
             "media_key": f"3_{mid}", "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg", "type": "photo",
             "url": tco, "ext_media_availability": {"status": "Available"}, "original_info": {"height": 96, "width": 96}}
        ents["media"] = [m]
        legacy["extended_entities"] = {"media": [m]}
    legacy.update({"favorite_count": 3, "favorited": False, "full_text": text, "is_quote_status": bool(quoted),
                   "lang": lang})
    if quoted:
        legacy["quoted_status_id_str"] = quoted
    if reply_to:
        legacy.update({"in_reply_to_screen_name": reply_to[1].x_handle, "in_reply_to_status_id_str": reply_to[0],
                       "in_reply_to_user_id_str": reply_to[1].x_id})
    legacy.update({"possibly_sensitive": False, "possibly_sensitive_editable": True, "quote_count": 0,
                   "reply_count": 0, "retweet_count": 0, "retweeted": False, "user_id_str": author.x_id, "id_str": tid})
    return {"__typename": "Tweet", "rest_id": tid,
            "core": {"user_results": {"result": _user(author, author.role == "attacker")}},
            "unmention_data": {}, "edit_control": {"edit_tweet_ids": [tid], "editable_until_msecs": str((ts + 3600) * 1000),
                                                   "is_edit_eligible": not reply_to, "edits_remaining": "5"},
            "is_translatable": True, "views": {"count": str(200 + int(tid) % 5000), "state": "EnabledWithCount"},
            "source": SOURCE, "legacy": legacy}


def twitter(sc: Scenario) -> tuple[str, str]:
    me, root = sc.collective, sc.ids["statement_tweet"]
    page = f"https://x.com/{me.x_handle}/status/{root}"
    detail = f"https://x.com/i/api/graphql/SyNtHeTiCqUeRy000000/TweetDetail?variables=%7B%22focalTweetId%22%3A%22{root}%22%7D"
    ms = sc.at(2 * 3600 + 1240) * 1000 + 417
    statement = _post(sc, root, me, sc.at(2 * 3600), sc.text("statement_ar") + " #بنفسج", "ar", root)
    lines = [envelope("4:7:0", root, ms, "twitter.com", page, detail, {**statement, "id": root, "promoted": False}, 120)]
    for i, r in enumerate(replies(sc)):
        data = _post(sc, r.id, r.author, r.at, r.text, r.lang, r.thread, reply_to=(r.to_id, r.to), media=r.media)
        num = js_number(int(r.id))
        lines.append(envelope("4:7:0", num, ms, "twitter.com", page, detail, {**data, "id": num}, 121 + i))
    rng = sc.rng("zeeschuimer-x")
    qts = sc.at(3 * 3600 + 300)
    qid = snowflake(qts, rng)
    q = _post(sc, qid, sc.shirin, qts, sc.text("arabizi_note"), "en", qid, quoted=sc.ids["reply_arabizi"])
    r = replies(sc)[2]
    q["quoted_status_result"] = {"result": _post(sc, r.id, r.author, r.at, r.text, r.lang, r.thread,
                                                 reply_to=(r.to_id, r.to))}
    search = "https://x.com/i/api/graphql/SyNtHeTiCqUeRy000001/SearchTimeline?variables=%7B%22rawQuery%22%3A%22banafsha%22%7D"
    lines.append(envelope("4:7:1", qid, ms + 95_000, "twitter.com", "https://x.com/search?q=banafsha&f=live", search,
                          {**q, "id": qid, "promoted": False}, 130))
    return f"zeeschuimer-export-twitter.com-{local(ms // 1000 + 600, 0, '%Y-%m-%dT%H%M%S')}.ndjson", "".join(lines)


def tiktok_comments(sc: Scenario) -> tuple[str, str]:
    rows, ms = _tiktok.comment_rows(sc)
    page = f"https://www.tiktok.com/@{sc.collective.handle}/video/{sc.ids['tiktok_video']}"
    lines = [envelope("4:9:1", c["cid"], stamp, "tiktok-comments", page, src, {**c, "id": c["cid"]}, 300 + i)
             for i, (c, stamp, src) in enumerate(rows)]
    return f"zeeschuimer-export-tiktok-comments-{local(ms // 1000 + 300, 0, '%Y-%m-%dT%H%M%S')}.ndjson", "".join(lines)


def write(out_dir: Path, scenario: Scenario, *, platform: Literal["twitter.com", "tiktok-comments"] = "twitter.com") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    name, text = twitter(scenario) if platform == "twitter.com" else tiktok_comments(scenario)
    path = out_dir / name
    path.write_bytes(text.encode("utf-8"))
    return path
