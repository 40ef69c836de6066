"""Why two accounts are linked: every item they shared within Δt, with both timestamps.

This is the evidence a platform asks for ("both posted 'X' within 14 s on 2023-06-14, 9 times"),
so it is computed directly and exactly from the two accounts' posts, without LSH or caps: texts
are compared by the Jaccard similarity of their word sets, links by canonical form, media by
identity (sha256 or near PDQ), hashtag sets, reply targets and shared posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from himaya.detectors.coordination.campaigns import iso
from himaya.detectors.coordination.features import PostInput
from himaya.detectors.coordination.media import media_identities
from himaya.detectors.coordination.textsig import jaccard, normalize, words
from himaya.detectors.coordination.urls import canonical_url


@dataclass(frozen=True)
class SharedItem:
    channel: str
    item: str
    post_a: str
    post_b: str
    time_a: int
    time_b: int
    identical: bool

    @property
    def gap(self) -> int:
        return abs(self.time_a - self.time_b)

    def as_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "item": self.item[:280], "post_a": self.post_a, "post_b": self.post_b,
                "time_a": iso(self.time_a), "time_b": iso(self.time_b), "gap_s": self.gap, "identical": self.identical}


def _items(p: PostInput, media_ids: dict[str, str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    links = [c for c in (canonical_url(u) for u in p.urls) if c]
    shared = p.forward_of or p.quote_of
    if not shared and p.post_type == "share" and links:
        shared, links = "url:" + links[0], links[1:]
    if shared:
        out.append(("share", shared))
    if p.reply_to:
        out.append(("reply", f"{p.platform}|{p.reply_to}"))
    out += [("url", u) for u in dict.fromkeys(links)]
    tags = sorted({normalize(t.lstrip("#＃")) for t in p.hashtags if t.strip("#＃ ")})
    if len(tags) >= 2:
        out.append(("hashtags", "#" + " #".join(tags)))
    out += [("media", media_ids[m.key]) for m in p.media]
    return out


def shared_items(posts_a: Iterable[PostInput], posts_b: Iterable[PostInput], *, window: int = 60,
                 text_threshold: float = 0.5, min_words: int = 4) -> list[SharedItem]:
    a = sorted((p for p in posts_a if p.time is not None), key=lambda p: p.time or 0)
    b = sorted((p for p in posts_b if p.time is not None), key=lambda p: p.time or 0)
    refs = [m for p in (*a, *b) for m in p.media]
    media_ids = dict(zip((m.key for m in refs), media_identities(refs), strict=True))
    wa = {p.post_id: words(p.text) for p in a}
    wb = {p.post_id: words(p.text) for p in b}
    out: list[SharedItem] = []
    lo = 0
    for pa in a:
        ta = int(pa.time or 0)
        while lo < len(b) and int(b[lo].time or 0) < ta - window:
            lo += 1
        items_a = set(_items(pa, media_ids))
        j = lo
        while j < len(b) and int(b[j].time or 0) <= ta + window:
            pb = b[j]
            tb = int(pb.time or 0)
            for channel, item in sorted(items_a & set(_items(pb, media_ids))):
                out.append(SharedItem(channel, item, pa.post_id, pb.post_id, ta, tb, True))
            sa, sb = wa[pa.post_id], wb[pb.post_id]
            if len(sa) >= min_words and len(sb) >= min_words and jaccard(sa, sb) >= text_threshold:
                same = normalize(pa.text) == normalize(pb.text)
                out.append(SharedItem("text", pa.text, pa.post_id, pb.post_id, ta, tb, same))
            j += 1
    return out


def sentences(items: list[SharedItem], name_a: str, name_b: str) -> list[str]:
    """Plain-words summary, one line per shared item and day: 'both posted … within 14 s on 2025-03-04, 3 times'."""
    groups: dict[tuple[str, str, str], list[SharedItem]] = defaultdict(list)
    for it in items:
        groups[(it.channel, it.item, iso(min(it.time_a, it.time_b))[:10])].append(it)
    verbs = {"text": "posted", "url": "linked", "media": "posted the image", "hashtags": "used the hashtags",
             "reply": "replied to", "share": "shared"}
    lines = []
    for (channel, item, day), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        worst = max(g.gap for g in group)
        text = item if len(item) <= 120 else item[:117] + "…"
        how = "exactly " if channel == "text" and all(g.identical for g in group) else (
            "near-identical " if channel == "text" else "")
        times = f", {len(group)} times" if len(group) > 1 else ""
        lines.append(f"{name_a} and {name_b} both {verbs[channel]} {how}'{text}' within {worst} s on {day}{times}")
    return lines
