"""The streaming writer behind `write_telegram_chat`: one message at a time, in Telegram's exact layout.

`json.dumps(indent=1)` is pure Python and too slow for a million messages, so each message is
formatted by hand; a test checks that the bytes equal `json.dumps(json.loads(f), indent=1,
ensure_ascii=False)` for a small chat.
"""

from __future__ import annotations

import json
import random
from typing import IO, Any

from himaya.synth._util import local, make_rng
from himaya.synth.scenario import MARKERS, TZ_OFFSET
from himaya.synth.texts import HASHTAG_AR, HASHTAG_EN, HASHTAG_FA, HASHTAG_OWN, LINES

_enc = json.encoder.encode_basestring
START = 1_735_689_600  # 2025-01-01T00:00:00Z
SKIPPED = "(File not included. Change data exporting settings to download.)"
CHATTER = ("صباح الخير للجميع 🌿", "سلام به همه، جلسه ساعت ۶ است؟", "Meeting moved to 6 pm, same link.", "تمام، شكراً",
           "ok 👍", "merci azizam", "hale, fardā mibinamet", "inshallah khair, ma fi shi", "این لینک را ببینید",
           "نشرتُ التقرير الأسبوعي", "Please check the shared folder before Friday.", "3ashan kida lazem nwasse2",
           "لطفاً تا جمعه پاسخ بدهید", "Who can translate this into Persian?", "مین یقدر یساعد بالترجمة؟")
CHANNELS = ("أخبار الحقيقة | Haqiqa News (sample)", "کانال وطن | Vatan channel (nemuneh)", "Truth Files (example)")
TAGS = (HASHTAG_AR, HASHTAG_FA, HASHTAG_EN, HASHTAG_OWN, "#WHRD", "#حقوق_النساء")
FIRST = ("Sara", "Mina", "Leila", "Roya", "Noor", "Zahra", "Omid", "Samir", "Dalia", "Yasmin", "Kaveh", "Rana",
         "Hoda", "Reza", "Farah", "Amal", "Nasrin", "Layal", "Hana", "Tara", "Bahar", "Salma", "Arash", "Dina")


def _people(rng: random.Random, n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        marker = MARKERS[i % 4].title()
        name = f"{FIRST[i % len(FIRST)]} {marker}" + (f" {i // len(FIRST)}" if i >= len(FIRST) * 2 else "")
        out.append((name, f"user{rng.randrange(5_000_000_000, 7_999_999_999)}"))
    return out


def _value(v: Any) -> str:
    if isinstance(v, str):
        return _enc(v)
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    return str(v)


def _item(x: Any) -> str:
    if isinstance(x, dict):
        return "    {\n" + ",\n".join(f'     "{k}": {_value(v)}' for k, v in x.items()) + "\n    }"
    return "    " + _value(x)


def dump_message(fields: dict[str, Any]) -> str:
    """One message at nesting depth 2 of a single-chat `result.json`, as `json.dumps(indent=1)` prints it."""
    out = []
    for k, v in fields.items():
        if isinstance(v, list):
            val = "[\n" + ",\n".join(_item(x) for x in v) + "\n   ]" if v else "[]"
        else:
            val = _value(v)
        out.append(f'   "{k}": {val}')
    return "  {\n" + ",\n".join(out) + "\n  }"


def _text(rng: random.Random, phrases: list[str], handles: list[str]) -> list[Any]:
    r, s = rng.random(), phrases[int(rng.random() * len(phrases))]
    if r < 0.62:
        return [s]
    tag, h = TAGS[int(rng.random() * len(TAGS))], handles[int(rng.random() * len(handles))]
    if r < 0.74:
        return [s + " ", ("hashtag", tag)]
    if r < 0.84:
        return [("mention", "@" + h), " " + s]
    if r < 0.91:
        return [("bold", s.split(" ")[0]), " " + s, "\n", ("hashtag", tag)]
    if r < 0.97:
        return [s + " ", ("link", f"https://example.org/banafsha/{int(rng.random() * 9999):04d}")]
    return [("text_link", "تقرير | report", "https://example.org/banafsha/report"), " " + s]


def _fields(parts: list[Any]) -> dict[str, Any]:
    if len(parts) == 1 and isinstance(parts[0], str):
        return {"text": parts[0], "text_entities": [{"type": "plain", "text": parts[0]}] if parts[0] else []}
    text: list[Any] = []
    ents: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, str):
            text.append(p)
            ents.append({"type": "plain", "text": p})
        else:
            obj = {"type": p[0], "text": p[1], **({"href": p[2]} if len(p) > 2 else {})}
            text.append(obj)
            ents.append(obj)
    return {"text": text, "text_entities": ents}


def write_chat(fh: IO[bytes], n: int, seed: int) -> None:
    rng = make_rng(f"{seed}:telegram-large")
    people = _people(rng, 240)
    handles = [n_.split(" ")[0].lower() + "_" + n_.split(" ")[1].lower() for n_, _ in people[:40]]
    phone = f"+964 770 000 0{rng.randrange(100, 999)}"
    phrases = [ln.text.replace("{phone}", phone).replace("{handle}", "banafsha.collective.sample")
               for ln in LINES.values()] + list(CHATTER) * 3
    head = {"name": "غرفة الدعم الكبيرة | Banafsha large room (sample)", "type": "private_supergroup",
            "id": rng.randrange(1_000_000_000, 2_999_999_999)}
    fh.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2].encode("utf-8") + b',\n "messages": [')
    t = float(START)
    buf: list[str] = []
    for mid in range(1, n + 1):
        t += rng.expovariate(1 / 20.0)
        ts = int(t)
        m: dict[str, Any] = {"id": mid, "type": "message", "date": local(ts, TZ_OFFSET), "date_unixtime": str(ts)}
        who, uid = people[int(rng.random() * len(people))]
        r = rng.random()
        if r < 0.004:
            m["type"] = "service"
            m.update(actor=who, actor_id=uid, action="join_group_by_link", inviter="Group")
        else:
            if r < 0.03:
                m["edited"] = local(ts + 90, TZ_OFFSET)
                m["edited_unixtime"] = str(ts + 90)
            m["from"] = None if r > 0.998 else who
            m["from_id"] = uid
            if 0.05 < r < 0.10:
                m["forwarded_from"] = CHANNELS[int(rng.random() * len(CHANNELS))]
            if 0.10 < r < 0.25 and mid > 1:
                m["reply_to_message_id"] = max(1, mid - 1 - int(rng.expovariate(1 / 30.0)))
            if 0.25 < r < 0.29:
                m.update(photo=SKIPPED, width=1280, height=960)
            if 0.29 < r < 0.33:
                m["reactions"] = [{"type": "emoji", "count": 1 + int(rng.random() * 5), "emoji": "❤"}]
            m.update(_fields([""] if 0.27 < r < 0.29 else _text(rng, phrases, handles)))
        buf.append(dump_message(m))
        if len(buf) == 1000 or mid == n:
            fh.write(((",\n" if mid > len(buf) else "\n") + ",\n".join(buf)).encode("utf-8"))
            buf = []
    fh.write(b"\n ]\n}" if n else b"]\n}")
