"""Entity offsets for X posts, shared by the archive, API and Zeeschuimer writers.

Offsets are in code points (Python string indices), computed from the text itself so that they
always slice the right substring.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from himaya.synth._util import alnum
from himaya.synth.scenario import Person, Scenario

_TAG = re.compile(r"#\w+")
_MENTION = re.compile(r"@[A-Za-z0-9_]{1,15}")
_URL = re.compile(r"https://t\.co/\w+")


def hashtags(text: str) -> list[tuple[str, int, int]]:
    """(tag without '#', start, end) for every hashtag."""
    return [(m.group(0)[1:], m.start(), m.end()) for m in _TAG.finditer(text)]


def mentions(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0)[1:], m.start(), m.end()) for m in _MENTION.finditer(text)]


def urls(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _URL.finditer(text)]


def reply_start(text: str) -> int:
    """Where the displayed text of a reply begins: after its leading @mentions."""
    m = re.match(r"(?:@[A-Za-z0-9_]{1,15}\s+)+", text)
    return m.end() if m else 0


def legacy_entities(text: str, people: dict[str, Person], links: dict[str, str], *,
                    as_str: bool) -> dict[str, Any]:
    """v1.1-style `entities` (archive: every number a string; GraphQL: numbers), media excluded."""
    n: Any = str if as_str else int

    def pos(a: int, b: int) -> list[Any]:
        return [n(a), n(b)]

    ents: dict[str, Any] = {"hashtags": [{"text": t, "indices": pos(a, b)} for t, a, b in hashtags(text)],
                            "symbols": [], "user_mentions": [], "urls": []}
    for h, a, b in mentions(text):
        if h not in people:
            continue
        p = people[h]
        m = {"name": p.name, "screen_name": h, "indices": pos(a, b), "id_str": p.x_id}
        if as_str:
            m["id"] = p.x_id
        ents["user_mentions"].append(m)
    for u, a, b in urls(text):
        if u in links:
            full = links[u]
            ents["urls"].append({"url": u, "expanded_url": full, "display_url": full.split("://", 1)[1],
                                 "indices": pos(a, b)})
    return ents


def v2_entities(text: str, people: dict[str, Person], links: dict[str, str]) -> dict[str, Any]:
    """API v2 `entities` (start/end, null fields omitted)."""
    ents: dict[str, Any] = {}
    ms = [{"start": a, "end": b, "username": h, "id": people[h].x_id} for h, a, b in mentions(text) if h in people]
    tags = [{"start": a, "end": b, "tag": t} for t, a, b in hashtags(text)]
    us = [{"start": a, "end": b, "url": u, "expanded_url": links[u], "display_url": links[u].split("://", 1)[1]}
          for u, a, b in urls(text) if u in links]
    for key, val in (("mentions", ms), ("hashtags", tags), ("urls", us)):
        if val:
            ents[key] = val
    return ents


class Reply(NamedTuple):
    key: str
    id: str
    author: Person
    at: int
    text: str
    lang: str
    to_id: str          # the post it answers
    to: Person          # that post's author
    thread: str         # conversation root
    media: tuple[str, str, str] | None = None   # (t.co link at the end of `text`, media id, media file key)


def replies(sc: Scenario) -> list[Reply]:
    """Replies under the collective's statement that the API and Zeeschuimer writers both show (same IDs)."""
    me, a = sc.collective, sc.attackers
    root = sc.ids["statement_tweet"]
    rng = sc.rng("x-replies")
    tco, key = f"https://t.co/{alnum(rng, 10)}", "G" + alnum(rng, 14)
    first = Reply("reply_ar", sc.ids["reply_ar"], a[3], sc.at(2 * 3600 + 331), f"@{me.x_handle} {sc.text('agent_ar')}",
                  "ar", root, me, root)
    return [
        first,
        Reply("reply_fa", sc.ids["reply_fa"], a[4], sc.at(2 * 3600 + 470),
              f"@{me.x_handle} {sc.text('report_fa')} {tco}", "fa", root, me, root, (tco, sc.ids["reply_fa_media"], key)),
        Reply("reply_arabizi", sc.ids["reply_arabizi"], a[0], sc.at(2 * 3600 + 602),
              f"@{a[3].x_handle} @{me.x_handle} {sc.text('threat_arabizi')}", "und", first.id, a[3], root),
    ]
