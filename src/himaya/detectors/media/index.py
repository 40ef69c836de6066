"""Multi-index hashing (Norouzi, Punjani & Fleet) over 256-bit PDQ hashes, in numpy.

Each hash is cut into 16 chunks of 16 bits. If two hashes differ in at most d bits, then by the
pigeonhole principle at least one chunk differs in at most ⌊d/16⌋ bits: at PDQ's d = 31 that is
one bit, so a query probes, for each of the 16 chunks, its own value and its 16 one-bit
neighbours (272 buckets), then checks the exact distance of the candidates only. Each chunk's
table is a counting sort (ids ordered by chunk value + 65,537 offsets): 4 bytes per hash per
chunk, no Python objects, built with numpy's radix sort.

Why not a BK-tree or brute force: at 10 M random hashes (bench/bench_media.py) brute-force
XOR+popcount scans 320 MB per query (~150–300 ms), and a BK-tree at radius 31 of 256 bits visits
most of its nodes; multi-index hashing answers in a few milliseconds. Figures in docs/benchmarks.md.
Sets of at most `BRUTE_FORCE_MAX` hashes (a case's known list with its crop variants) are scanned
linearly instead: below that size the bucket probes cost more than they save.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from himaya.detectors.media import pdq

CHUNKS = 16
CHUNK_BITS = 16
BRUTE_FORCE_MAX = 10_000   # at or below this many hashes a linear scan is faster (measured: 5 k 0.26 vs 0.56 ms)


class HashIndex:
    """Near-neighbour search by Hamming distance; ids are row numbers of the hashes given."""

    def __init__(self, words: np.ndarray) -> None:
        """`words`: (n, 4) uint64, as `pdq.as_words` builds them (or `from_bytes`)."""
        if words.ndim != 2 or words.shape[1] != 4 or words.dtype != np.uint64:
            raise ValueError("HashIndex needs an (n, 4) uint64 array")
        self.words = np.ascontiguousarray(words)
        n = len(self.words)
        # Small sets (a case's known list) are scanned whole: one vectorised XOR/popcount is
        # faster there than 16 bucket probes, each of which costs numpy call overhead.
        self._brute = n <= BRUTE_FORCE_MAX
        size = 0 if self._brute else n
        self._order = np.empty((CHUNKS, size), dtype=np.uint32)
        self._offsets = np.zeros((CHUNKS, (1 << CHUNK_BITS) + 1 if size else 0), dtype=np.int64)
        if self._brute:
            return
        chunks = self.words.view(np.uint16)          # (n, 16): chunk j of every hash
        for j in range(CHUNKS):
            col = np.ascontiguousarray(chunks[:, j])
            self._order[j] = np.argsort(col, kind="stable").astype(np.uint32)
            counts = np.bincount(col, minlength=1 << CHUNK_BITS)
            self._offsets[j, 0] = 0
            np.cumsum(counts, out=self._offsets[j, 1:])

    @classmethod
    def from_bytes(cls, hashes: list[bytes]) -> HashIndex:
        return cls(pdq.as_words(hashes))

    def __len__(self) -> int:
        return len(self.words)

    def search(self, query: bytes, max_distance: int = pdq.DISTANCE) -> tuple[np.ndarray, np.ndarray]:
        """(ids, distances) of every indexed hash within `max_distance` of `query`, nearest first."""
        if len(self.words) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        if self._brute:
            d = pdq.distances(self.words, query)
            ids = np.flatnonzero(d <= max_distance)
            order = np.argsort(d[ids], kind="stable")
            return ids[order].astype(np.int64), d[ids][order]
        radius = max_distance // CHUNKS
        q = np.frombuffer(query, dtype=np.uint16)
        flips = _flip_masks(radius)
        parts = []
        for j in range(CHUNKS):
            probes = (np.uint16(q[j]) ^ flips).astype(np.int64)
            starts = self._offsets[j, probes]
            ends = self._offsets[j, probes + 1]
            parts.append(_gather(self._order[j], starts, ends))
        candidates = np.unique(np.concatenate(parts))
        d = pdq.distances(self.words[candidates], query)
        keep = d <= max_distance
        ids, dist = candidates[keep].astype(np.int64), d[keep]
        order = np.argsort(dist, kind="stable")
        return ids[order], dist[order]

    def nbytes(self) -> int:
        return int(self.words.nbytes + self._order.nbytes + self._offsets.nbytes)


@cache
def _flip_masks(radius: int) -> np.ndarray:
    """Every 16-bit mask with at most `radius` bits set (the probes around a chunk value)."""
    masks = [0]
    for r in range(1, radius + 1):
        masks += [sum(1 << b for b in bits) for bits in itertools.combinations(range(CHUNK_BITS), r)]
    return np.array(masks, dtype=np.uint16)


def _gather(order: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """order[s:e] for every (s, e), concatenated, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.uint32)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    out: np.ndarray = order[np.arange(total, dtype=np.int64) + offsets]
    return out
