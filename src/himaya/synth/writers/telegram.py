"""Telegram Desktop single-chat export: `ChatExport_<date>/result.json` + `photos/` (formats README §3).

The defenders' private supergroup: group creation and an invite, a mention of the channel that
spreads the forged picture, a forward of that channel's post (Photo A, bold text, Arabic and
Persian hashtags), an edited Persian fact-check reply with a link and italics, a doxing message
from a deleted account (`"from": null`, a `phone` entity, a skipped file), a Finglish report, a
reaction, a removal and a sticker. `date` is Asia/Baghdad wall-clock time and `date_unixtime`
the matching UTC instant, so no zone has to be supplied. One-space indentation, raw UTF-8.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from himaya.synth._util import local, telegram_json, write_tree, write_zip
from himaya.synth.scenario import Scenario

Part = str | tuple[str, str]
SKIPPED = "(File not included. Change data exporting settings to download.)"


def text_fields(parts: list[Part]) -> dict[str, Any]:
    """`text` (a plain string when there are no entities, else a mixed array) and `text_entities`."""
    if all(isinstance(p, str) for p in parts):
        s = "".join(p for p in parts if isinstance(p, str))
        return {"text": s, "text_entities": [{"type": "plain", "text": s}] if s else []}
    text: list[Any] = []
    entities: list[dict[str, str]] = []
    for p in parts:
        if isinstance(p, str):
            text.append(p)
            entities.append({"type": "plain", "text": p})
        else:
            obj = {"type": p[0], "text": p[1]}
            text.append(obj)
            entities.append(dict(obj))
    return {"text": text, "text_entities": entities}


def _head(sc: Scenario, mid: int, ts: int, kind: str = "message") -> dict[str, Any]:
    return {"id": mid, "type": kind, "date": local(ts, sc.tz_offset), "date_unixtime": str(ts)}


def chat(sc: Scenario) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    rng = sc.rng("telegram")
    n, s, h = sc.nadia, sc.shirin, sc.huda
    title = "غرفة الدعم | اتاق حمایت | Banafsha support room (sample)"
    t = sc.at(40 * 60)
    photo_ts = t + 98
    photo = f"photos/photo_1@{local(photo_ts, sc.tz_offset, '%d-%m-%Y_%H-%M-%S')}.jpg"
    msgs: list[dict[str, Any]] = [
        {**_head(sc, 1, sc.at(-3 * 86400), "service"), "actor": n.name, "actor_id": n.tg_id, "action": "create_group",
         "title": title, "members": [s.name]},
        {**_head(sc, 2, sc.at(-3 * 86400 + 60), "service"), "actor": n.name, "actor_id": n.tg_id,
         "action": "invite_members", "members": [h.name]},
        {**_head(sc, 3, t), "from": n.name, "from_id": n.tg_id,
         **text_fields(["القناة تنشر هذا الآن ", ("mention", f"@{sc.channel.handle.replace('.', '_')}"), " 👇"])},
        {**_head(sc, 4, photo_ts), "from": n.name, "from_id": n.tg_id, "forwarded_from": sc.channel.name,
         "photo": photo, "photo_file_size": len(sc.photo_a), "width": 96, "height": 96,
         **text_fields(["🚨 ", ("bold", "بالصور:"), " ناشطات «بنفسج» في ضيافة السفارة!\n",
                        ("hashtag", "#افضحوا_بنفسج"), " ", ("hashtag", "#ریپورت_کنید")])},
        {**_head(sc, 5, t + 190), "edited": local(t + 260, sc.tz_offset), "edited_unixtime": str(t + 260),
         "from": s.name, "from_id": s.tg_id, "reply_to_message_id": 4,
         **text_fields([sc.text("fake_fa") + " ", ("link", "https://example.org/banafsha/fact-check-0614"),
                        "\nلطفاً فقط ریپورت کنید، ", ("italic", "بازنشر نکنید"), " 🙏"])},
        {**_head(sc, 6, t + 400), "from": None, "from_id": f"user{rng.randrange(6_000_000_000, 7_999_999_999)}",
         "file": SKIPPED, "file_name": "addresses_list.pdf", "file_size": 51234, "mime_type": "application/pdf",
         **text_fields([sc.text("dox_ar").split(":")[0] + ": ", ("phone", sc.phone), " 😈"])},
        {**_head(sc, 7, t + 520), "from": h.name, "from_id": h.tg_id,
         **text_fields(["Finglish too: ", ("code", sc.text("agent_finglish")), "\n" + sc.text("arabizi_note")])},
        {**_head(sc, 8, t + 600), "from": n.name, "from_id": n.tg_id,
         "reactions": [{"type": "emoji", "count": 2, "emoji": "❤"}], **text_fields([sc.text("document_en")])},
        {**_head(sc, 9, t + 660, "service"), "actor": n.name, "actor_id": n.tg_id, "action": "remove_members",
         "members": [h.name]},
        {**_head(sc, 10, t + 700), "from": s.name, "from_id": s.tg_id, "file": SKIPPED, "file_name": "sticker.webp",
         "file_size": 3120, "media_type": "sticker", "sticker_emoji": "💜", "mime_type": "image/webp",
         "width": 512, "height": 512, **text_fields([])},
    ]
    result = {"name": title, "type": "private_supergroup", "id": rng.randrange(1_000_000_000, 2_999_999_999),
              "messages": msgs}
    return result, [(photo, sc.photo_a)]


def write(out_dir: Path, scenario: Scenario, *, as_zip: bool = False) -> Path:
    """The `ChatExport_<date>` folder Telegram Desktop writes, or the same folder zipped."""
    result, media = chat(scenario)
    folder = f"ChatExport_{scenario.export_date}"
    members = [("result.json", telegram_json(result)), *media]
    if as_zip:
        return write_zip(out_dir / f"{folder}.zip", [(f"{folder}/{n}", b) for n, b in members], scenario.zip_time)
    return write_tree(out_dir / folder, members)
