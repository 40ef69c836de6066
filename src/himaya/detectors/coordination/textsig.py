"""Near-duplicate texts: MinHash signatures over word sets, grouped by LSH banding.

Coordinated accounts rarely paste the exact same text: they swap words, shuffle hashtags, add
an emoji, write ی for ي. So a text is reduced to the *set* of its normalised words (links,
mentions, hashtags and emoji dropped; hashtags are their own signal), which makes word order,
emoji and letter variants irrelevant. Two texts whose word sets overlap by at least `threshold`
(Jaccard) land in the same group; groups are the connected components of those links, so a
family of paraphrases forms one group even when its first and last members share little.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from himaya.detectors.coordination.threads import ordered_map

try:
    from himaya.nlp.normalize import normalize as _normalize
except ImportError:  # pragma: no cover - the content package is part of this build
    import unicodedata

    def _normalize(text: str) -> str:
        return unicodedata.normalize("NFKC", text).casefold()

normalize: Callable[[str], str] = _normalize

_SIG_SLICE = 1 << 15

# A word may carry Arabic diacritics, tatweel or ZWNJ inside it (normalisation drops them later);
# links, mentions and hashtags are matched first so that their words are skipped.
_IN_WORD = r"[\w\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]"
_TOKEN = re.compile(rf"https?://\S+|www\.\S+|[#＃@]{_IN_WORD}+|({_IN_WORD}+)", re.UNICODE)
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)


@lru_cache(maxsize=500_000)
def _normal_words(token: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize(token)))


def words(text: str) -> frozenset[str]:
    """The normalised word set that near-duplicate matching compares.

    Each raw word is normalised on its own (and cached: vocabularies repeat), which is several
    times faster than normalising whole texts and gives the same words.
    """
    out: set[str] = set()
    for token in _TOKEN.findall(text):
        if token:
            out.update(_normal_words(token))
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64 finaliser: spreads small integer ids over all 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def signatures(token_ids: NDArray[np.int64], doc_starts: NDArray[np.int64], n_perm: int = 32,
               seed: int = 1) -> NDArray[np.uint32]:
    """MinHash signature per document; `token_ids[doc_starts[i]:doc_starts[i+1]]` is document i (non-empty)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=n_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=n_perm, dtype=np.uint64)
    base = _mix(token_ids.astype(np.uint64))
    out = np.empty((len(doc_starts), n_perm), dtype=np.uint32)
    # Documents go in slices of ~32k tokens: the (tokens x n_perm) products then stay in the CPU
    # cache, which makes this four times faster than slices of a million. Two threads share them.
    cuts = [0]
    while cuts[-1] < len(doc_starts):
        nxt = int(np.searchsorted(doc_starts, int(doc_starts[cuts[-1]]) + _SIG_SLICE, side="right"))
        cuts.append(max(nxt, cuts[-1] + 1))

    def sign(k: int) -> None:
        d0, d1 = cuts[k], cuts[k + 1]
        t0 = int(doc_starts[d0])
        t1 = int(doc_starts[d1]) if d1 < len(doc_starts) else len(token_ids)
        with np.errstate(over="ignore"):
            h = ((base[t0:t1, None] * a[None, :] + b[None, :]) >> np.uint64(32)).astype(np.uint32)
        out[d0:d1] = np.minimum.reduceat(h, doc_starts[d0:d1] - t0, axis=0)

    for _ in ordered_map(sign, range(len(cuts) - 1)):
        pass
    return out


def lsh_groups(sig: NDArray[np.uint32], threshold: float = 0.5, bands: int = 8) -> NDArray[np.int64]:
    """Group id per document: components of pairs that share a band and agree on >= threshold of the signature."""
    n, k = sig.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rows = k // bands
    src: list[NDArray[np.int64]] = []
    dst: list[NDArray[np.int64]] = []
    for band in range(bands):
        cols = sig[:, band * rows:(band + 1) * rows].astype(np.uint64)
        key = np.zeros(n, dtype=np.uint64)
        for c in range(rows):
            with np.errstate(over="ignore"):
                key = _mix(key ^ cols[:, c])
        order = np.argsort(key, kind="stable")
        same = key[order[1:]] == key[order[:-1]]
        left, right = order[:-1][same], order[1:][same]
        # Only neighbours inside a bucket are compared: enough for connectivity, linear in n.
        agree = (sig[left] == sig[right]).mean(axis=1) >= threshold
        src.append(left[agree])
        dst.append(right[agree])
    s = np.concatenate(src)
    d = np.concatenate(dst)
    graph = coo_matrix((np.ones(len(s), dtype=np.int8), (s, d)), shape=(n, n))
    labels: NDArray[np.int64] = connected_components(graph, directed=False)[1].astype(np.int64)
    return labels


class WordIds:
    """Word sets as integer ids, appended text by text (compact: millions of texts fit in memory).

    A word's id is its rank of first appearance, so the same posts in the same order give the same
    ids and signatures in every run. Raw tokens are cached with their word ids: vocabularies repeat,
    and normalising each distinct token once is most of the saving.
    """

    _TOKEN_CACHE = 1_000_000

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.ids = array("q")
        self.starts = array("q")
        self._token_ids: dict[str, tuple[int, ...]] = {}

    def add(self, word_set: frozenset[str]) -> int:
        """Index of the new text."""
        self.starts.append(len(self.ids))
        vocab = self.vocab
        self.ids.extend(vocab.setdefault(w, len(vocab)) for w in sorted(word_set))
        return len(self.starts) - 1

    def add_text(self, text: str) -> int:
        """Index of the new text, from its raw form (the same words as `words(text)`)."""
        cache = self._token_ids
        found: set[int] = set()
        for token in _TOKEN.findall(text):
            if token:
                got = cache.get(token)
                if got is None:
                    if len(cache) >= self._TOKEN_CACHE:
                        cache.clear()
                    vocab = self.vocab
                    got = cache[token] = tuple(vocab.setdefault(w, len(vocab)) for w in _normal_words(token))
                found.update(got)
        self.starts.append(len(self.ids))
        self.ids.extend(sorted(found))
        return len(self.starts) - 1

    def groups(self, *, min_words: int = 4, threshold: float = 0.5, n_perm: int = 32) -> NDArray[np.int64]:
        """Group id per text (-1 for texts with fewer than `min_words` words, which say too little)."""
        ids = np.frombuffer(self.ids, dtype=np.int64) if len(self.ids) else np.zeros(0, dtype=np.int64)
        starts = np.frombuffer(self.starts, dtype=np.int64) if len(self.starts) else np.zeros(0, dtype=np.int64)
        lengths = np.diff(np.append(starts, len(ids)))
        out = np.full(len(starts), -1, dtype=np.int64)
        keep = np.flatnonzero(lengths >= min_words)
        if not len(keep):
            return out
        reps = lengths[keep]
        pos = np.repeat(starts[keep], reps) + np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        kept_starts = np.concatenate([[0], np.cumsum(reps)[:-1]]).astype(np.int64)
        sig = signatures(ids[pos], kept_starts, n_perm=n_perm)
        out[keep] = lsh_groups(sig, threshold=threshold)
        return out


def near_duplicate_groups(texts: Sequence[frozenset[str]], *, min_words: int = 4, threshold: float = 0.5,
                          n_perm: int = 32) -> NDArray[np.int64]:
    """Group id per word set (-1 for sets with fewer than `min_words` words)."""
    w = WordIds()
    for ws in texts:
        w.add(ws)
    return w.groups(min_words=min_words, threshold=threshold, n_perm=n_perm)
