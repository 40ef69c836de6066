"""Known media ↔ a query file: which matcher found it, at which distance.

Matchers, tried in this order, best result per known item kept:

* `sha256`: byte-identical copy (distance 0);
* `pdq`: the query's PDQ (or that of its content box: screenshot borders and caption bands cut)
  within 31 bits of the known picture or its mirror;
* `pdq_crop`: the second matcher, for what PDQ alone misses (crops, small turns): the query's
  hashes within 44 bits of one of the known picture's 243 crop/turn variants. The threshold is
  higher than PDQ's because a copy falls between two variants; on 10,000 unrelated pictures ×
  200 known ones no pair came nearer than 70 bits (`himaya eval media`). Its findings are
  banded `review`, not `remove`;
* `vpdq`: videos and animations, frame-hash overlap as vPDQ defines it;
* `pdq_frame`: a known picture shown in a video or animation: one of its 1-per-second frames
  within 31 bits of the picture (or its mirror).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from himaya.detectors.media import pdq, vpdq
from himaya.detectors.media.index import HashIndex
from himaya.detectors.media.signals import MediaSignals

CROP_DISTANCE = 44
# PDQ's authors call a hash of quality < 50 unreliable (little detail). We still match hashes
# down to quality 30 (2 % of our test pictures sit in 30–49 and copies of them keep their hash);
# below 30 a picture is too flat for its hash to mean anything, and only sha256 matches it.
LOW_QUALITY = 30
MATCHERS = ("sha256", "pdq", "pdq_crop", "vpdq", "pdq_frame")


@dataclass(frozen=True)
class Known:
    id: int
    signals: MediaSignals


@dataclass(frozen=True)
class Match:
    known_id: int
    matcher: str          # sha256, pdq, pdq_crop, vpdq
    distance: int         # bits (vpdq: the closest frame pair)
    query_pct: float = 100.0
    compared_pct: float = 100.0

    @property
    def score(self) -> float:
        if self.matcher == "sha256":
            return 1.0
        if self.matcher == "vpdq":
            return round(min(1.0, self.query_pct / 100.0), 3)
        return round(max(0.0, 1.0 - self.distance / 128.0), 3)


class KnownMatcher:
    """An index over a set of known items; `match(signals)` returns the known items a file copies."""

    def __init__(self, known: Sequence[Known], *, pdq_distance: int = pdq.DISTANCE,
                 crop_distance: int = CROP_DISTANCE, min_quality: int = LOW_QUALITY,
                 use_content: bool = True) -> None:
        """`crop_distance < 0` turns the second matcher off, `use_content=False` the content box (for eval)."""
        self.pdq_distance, self.crop_distance, self.min_quality = pdq_distance, crop_distance, min_quality
        self.use_content = use_content
        self._by_sha: dict[str, list[int]] = {}
        full: list[bytes] = []
        self._full_owner: list[int] = []
        windows: list[bytes] = []
        self._window_owner: list[int] = []
        self._videos: list[Known] = []
        for k in known:
            s = k.signals
            if s.sha256:
                self._by_sha.setdefault(s.sha256, []).append(k.id)
            if s.frames:
                self._videos.append(k)
            if s.pdq is not None and s.quality >= min_quality and s.kind != "video":
                for h in (s.pdq, s.mirror):
                    if h is not None:
                        full.append(h)
                        self._full_owner.append(k.id)
                # The second matcher also reads the whole picture, at its own threshold.
                for h in (s.pdq, s.mirror, *s.windows):
                    if h is not None:
                        windows.append(h)
                        self._window_owner.append(k.id)
        self._full = HashIndex.from_bytes(full)
        self._windows = HashIndex.from_bytes(windows)

    def match(self, q: MediaSignals) -> list[Match]:
        best: dict[int, Match] = {}

        def offer(m: Match) -> None:
            old = best.get(m.known_id)
            rank = MATCHERS.index
            if old is None or (rank(m.matcher), m.distance) < (rank(old.matcher), old.distance):
                best[m.known_id] = m

        for kid in self._by_sha.get(q.sha256, ()):
            offer(Match(kid, "sha256", 0))
        # A video's first frame is matched as one of its frames (`pdq_frame`), not as the whole file.
        hashes = [h for h in (q.pdq, q.content if self.use_content else None) if h is not None and q.kind != "video"]
        if q.quality < self.min_quality:
            hashes = []
        for h in hashes:
            for i, d in zip(*self._full.search(h, self.pdq_distance), strict=True):
                offer(Match(self._full_owner[int(i)], "pdq", int(d)))
        for h in hashes if self.crop_distance >= 0 else ():
            for i, d in zip(*self._windows.search(h, self.crop_distance), strict=True):
                offer(Match(self._window_owner[int(i)], "pdq_crop", int(d)))
        if q.kind != "image":
            for f in q.frames:
                if f.quality < self.min_quality:
                    continue
                for i, d in zip(*self._full.search(f.pdq, self.pdq_distance), strict=True):
                    offer(Match(self._full_owner[int(i)], "pdq_frame", int(d)))
        if q.frames:
            for k in self._videos:
                qp, cp = vpdq.match_percentages(q.frames, k.signals.frames)
                if vpdq.is_match(qp, cp):
                    offer(Match(k.id, "vpdq", _closest(q, k.signals), qp, cp))
        return sorted(best.values(), key=lambda m: (MATCHERS.index(m.matcher), m.distance, m.known_id))


def _closest(a: MediaSignals, b: MediaSignals) -> int:
    wa = pdq.as_words([f.pdq for f in a.frames])
    wb = pdq.as_words([f.pdq for f in b.frames])
    return int(np.bitwise_count(wa[:, None, :] ^ wb[None, :, :]).sum(axis=2).min())
