"""WhatsApp "Export chat": Android en_US `.txt` and iOS ZIP (`_chat.txt` + media) (formats README §4).

The defenders' support group, exported on a phone set to Asia/Baghdad (there is no zone in the
file: ingest with `--timezone Asia/Baghdad`). It holds the system lines, screenshots of the
attack (Photo A on iOS, `<Media omitted>` on Android), a three-line Persian message with ZWNJ,
an unknown number that joins by link, posts an Iraqi-dialect threat and a doxing line, and
leaves, a deleted message, an edited one, Arabizi and a ZWJ emoji.

Android: `6/14/25, 9:40 PM - ` with U+202F before AM/PM, LF everywhere, phone authors wrapped in
U+202A…U+202C. iOS (en_GB): `[14/06/2025, 21:40:31] `, CRLF between messages and a bare LF inside
one, U+200E before media and system lines, NBSP inside phone numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

from himaya.synth._util import local, write_zip
from himaya.synth.scenario import Scenario

GROUP = "Banafsha Support (sample) 💜"
E2E = ("Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
       "can read or listen to them. Tap to learn more.")
LRM = "\u200e"


class Event(NamedTuple):
    ts: int
    author: str | None            # None: a system line
    body: str
    kind: Literal["text", "edited", "system", "media", "deleted", "e2e"] = "text"


def events(sc: Scenario) -> list[Event]:
    rng = sc.rng("whatsapp")
    n, s, h = sc.nadia.name, sc.shirin.name, sc.huda.name
    caller = f"+964 780 000 0{rng.randrange(100, 999)}"
    created, t = sc.at(-3 * 86400 + 3600), sc.at(50 * 60)
    return [
        Event(created, None, E2E, "e2e"),
        Event(created, None, f"{n} created group \"{GROUP}\"", "system"),
        Event(created + 40, None, f"{n} added {s}", "system"),
        Event(created + 41, None, f"{n} added {h}", "system"),
        Event(t, n, "Screenshots from tonight:"),
        Event(t + 21, n, "", "media"),
        Event(t + 75, s, "این پیام را امشب گرفتم:\n" + sc.text("threat_fa")),
        Event(t + 190, None, f"{caller} joined using this group's invite link", "system"),
        Event(t + 230, caller, sc.text("threat_iq")),
        Event(t + 262, caller, sc.text("dox_ar").replace("\n", " ")),
        Event(t + 300, None, f"{caller} left", "system"),
        Event(t + 420, h, "", "deleted"),
        Event(t + 540, n, sc.text("document_en"), "edited"),
        Event(t + 1800, s, f"{sc.text('arabizi_note')}: \"{sc.text('threat_arabizi')}\""),
        Event(t + 1900, h, sc.text("lawyer_en")),
    ]


def _is_phone(author: str) -> bool:
    return author.startswith("+")


def android(sc: Scenario) -> str:
    lines = []
    for e in events(sc):
        hh = int(local(e.ts, sc.tz_offset, "%H"))
        head = (f"{int(local(e.ts, sc.tz_offset, '%m'))}/{int(local(e.ts, sc.tz_offset, '%d'))}/"
                f"{local(e.ts, sc.tz_offset, '%y')}, {(hh % 12) or 12}:{local(e.ts, sc.tz_offset, '%M')}"
                f"\u202f{'AM' if hh < 12 else 'PM'} - ")
        body = {"media": "<Media omitted>", "deleted": "This message was deleted"}.get(e.kind, e.body)
        if e.author is None:
            body = body.replace("+964", "\u202a+964").replace(" left", "\u202c left").replace(
                " joined", "\u202c joined")
            lines.append(head + body)
            continue
        author = f"\u202a{e.author}\u202c" if _is_phone(e.author) else e.author
        if e.kind == "edited":
            body += " <This message was edited>"
        lines.append(f"{head}{author}: {body}")
    return "\n".join(lines) + "\n"


def ios(sc: Scenario) -> tuple[str, list[tuple[str, bytes]]]:
    out, media = [], []
    for e in events(sc):
        head = f"[{local(e.ts, sc.tz_offset, '%d/%m/%Y, %H:%M:%S')}] "
        author = e.author
        if author and _is_phone(author):
            author = "\u202a" + author.replace(" ", "\u00a0") + "\u202c"
        if e.kind == "e2e":
            out.append(f"{head}{GROUP}: {LRM}{e.body}")
        elif e.kind == "system":
            body = e.body.replace('"', "“", 1).replace('"', "”", 1)
            out.append(f"{head}{LRM}{body}")
        elif e.kind == "media":
            name = f"{len(out) + 4:08d}-PHOTO-{local(e.ts, sc.tz_offset, '%Y-%m-%d-%H-%M-%S')}.jpg"
            media.append((name, sc.photo_a))
            out.append(f"{LRM}{head}{author}: {LRM}<attached: {name}>")
        elif e.kind == "deleted":
            out.append(f"{LRM}{head}{author}: {LRM}This message was deleted.")
        else:
            out.append(f"{head}{author}: {e.body}")
    return "\r\n".join(out) + "\r\n", media


def write(out_dir: Path, scenario: Scenario, *, variant: Literal["ios", "android"] = "ios") -> Path:
    """iOS: `WhatsApp Chat - <group>.zip`; Android: `WhatsApp Chat with <group>.txt` (no media)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if variant == "android":
        path = out_dir / f"WhatsApp Chat with {GROUP}.txt"
        path.write_bytes(android(scenario).encode("utf-8"))
        return path
    chat, media = ios(scenario)
    return write_zip(out_dir / f"WhatsApp Chat - {GROUP}.zip", [("_chat.txt", chat.encode("utf-8")), *media],
                     scenario.zip_time)
