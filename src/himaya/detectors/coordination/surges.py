"""Hashtag and keyword surges: when a term jumps above its own recent baseline, who started it, and who carried it.

Terms are hashtags (normalised, shown as first written) and keywords: the normalised words of the
posts' texts (links, mentions and hashtags are not words), less stop words (`stopwords`) and words
shorter than `min_keyword_letters`. A post counts once per term. Per term, posts are counted per bin
(an hour by default). The baseline of a bin is the mean of the `baseline_bins` before it, or of those
since the data began; the first bin of the data is not scored (without history, every common word
would "surge" in it). The surge score is a Poisson z-score, `(x - baseline) / sqrt(baseline + 1)`.
A term surges when a bin scores at least `min_score` with at least `min_posts` posts; its peak is the
best such bin. The surge runs over the contiguous bins around the peak that score at least half the
threshold; its *starters* are the first accounts to use the term in it, and its *coordinated share*
is the share of its posts written by accounts in a detected campaign.

Both kinds go through one code path, vectorised over all terms: (term, bin) counts are a sparse
matrix (for keywords, posts per (bin, text) times the words of each text, so a text repeated by a
thousand posts in an hour is read once), baselines come from cumulative sums and a `searchsorted`, and only the
reported surges are turned into dicts. Nothing loops per post; Python loops only over surging terms.

One trend, one report. Texts often repeat a hashtag's words ("stop Rania now #StopRania"), which would
report one trend twice, as a hashtag and as a keyword. A keyword surge is dropped when its word is one
of the words of a hashtag that surges at the same time (scores at least half the threshold in a bin
of the keyword's surge); a hashtag's words are its
parts at `_`, case changes and digits (`#ForeignAgentRania`: foreign, agent, rania) and the whole
tag. The hashtag is kept because it is the label the trend's users chose and what a reader searches
for. Words that only travel with the hashtag (`funds`, `embassies`) are kept: they say what the
trend is about. Matching words rather than posts has one cost: a word that also trends in posts
without the tag, in the same hours, is folded into the tag's report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from himaya.detectors.coordination.campaigns import iso
from himaya.detectors.coordination.features import Actions
from himaya.detectors.coordination.stopwords import stop_words
from himaya.detectors.coordination.textsig import words

HASHTAG, KEYWORD = "hashtag", "keyword"
_TAG_PARTS = re.compile(r"_|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


@dataclass(frozen=True)
class SurgeRules:
    bin_seconds: int = 3600
    baseline_bins: int = 24
    min_score: float = 5.0
    min_posts: int = 20
    starters: int = 5
    top_hashtags: int = 20
    keywords: bool = True
    top_keywords: int = 20
    min_keyword_letters: int = 3


@dataclass(frozen=True)
class _Peaks:
    """The surging terms of one kind, best first: peak bin, its posts and baseline, and the span's bins."""

    term: NDArray[np.int64]
    score: NDArray[np.float64]
    peak: NDArray[np.int64]
    peak_posts: NDArray[np.int64]
    baseline: NDArray[np.float64]
    first: NDArray[np.int64]
    last: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.term)

    def take(self, rows: NDArray[np.int64]) -> _Peaks:
        return _Peaks(self.term[rows], self.score[rows], self.peak[rows], self.peak_posts[rows], self.baseline[rows],
                      self.first[rows], self.last[rows])


@lru_cache(maxsize=10_000)
def hashtag_words(label: str) -> frozenset[str]:
    """The words a hashtag is made of, normalised: `ForeignAgent_Rania2` -> foreign, agent, rania, 2, and the whole tag."""
    return words(_TAG_PARTS.sub(" ", label)) | words(label)


@dataclass(frozen=True)
class _Cells:
    """Every scored (term, bin) cell of one kind, term-major, bins ascending within a term."""

    term: NDArray[np.int64]
    bin: NDArray[np.int64]
    posts: NDArray[np.int64]
    baseline: NDArray[np.float64]
    score: NDArray[np.float64]


def _cells(counts: csr_matrix, rules: SurgeRules) -> _Cells:
    """Score every (term, bin) at once; `counts` is terms x bins."""
    counts.sum_duplicates()  # sums and sorts each term's bins
    row_max = counts.max(axis=1).toarray().ravel() if counts.nnz else np.zeros(counts.shape[0])
    rows = np.flatnonzero(row_max >= rules.min_posts)  # no bin reaches min_posts: cannot surge, not scored
    sub = counts[rows]
    bins = sub.indices.astype(np.int64)
    posts = sub.data.astype(np.int64)
    term = np.repeat(rows, np.diff(sub.indptr))
    k = rules.baseline_bins
    key = term * counts.shape[1] + bins
    lo = np.searchsorted(key, key - np.minimum(bins, k))  # first cell of the same term within the baseline window
    before = np.concatenate([[0], np.cumsum(posts)])
    baseline = (before[:-1] - before[lo]) / np.clip(bins, 1, k)  # fewer bins of history at the start of the data
    score = (posts - baseline) / np.sqrt(baseline + 1)
    score[bins == 0] = -np.inf  # the first bin has no history to surge from
    return _Cells(term, bins, posts, baseline, score)


def _peaks(c: _Cells, rules: SurgeRules) -> _Peaks:
    """Per surging term its best cell and the run of consecutive cells scoring at least half the threshold around it."""
    hit = np.flatnonzero((c.score >= rules.min_score) & (c.posts >= rules.min_posts))
    hit = hit[np.lexsort((-c.score[hit], c.term[hit]))]
    best = hit[np.concatenate([[True], c.term[hit][1:] != c.term[hit][:-1]])] if len(hit) else hit
    best = best[np.argsort(-c.score[best], kind="stable")]
    good = c.score >= rules.min_score / 2
    brk = np.ones(len(c.bin), dtype=bool)
    brk[1:] = (c.term[1:] != c.term[:-1]) | (c.bin[1:] != c.bin[:-1] + 1) | ~good[1:] | ~good[:-1]
    run = np.cumsum(brk) - 1
    run_first = np.flatnonzero(brk)
    run_last = np.append(run_first[1:] - 1, len(c.bin) - 1)
    return _Peaks(c.term[best], c.score[best], c.bin[best], c.posts[best], c.baseline[best],
                  c.bin[run_first[run[best]]], c.bin[run_last[run[best]]])


def _index(a: NDArray[np.int64], bound: int) -> NDArray[Any]:
    """Indices as int32 where they fit: scipy would copy them down anyway, and they halve the memory read."""
    return a.astype(np.int32) if bound < 2**31 else a


def _csr(rows: NDArray[np.int64], cols: NDArray[np.int64], shape: tuple[int, int]) -> csr_matrix:
    """A 0/1 matrix with one entry per (row, col) pair, duplicates kept (products and `_cells` sum them)."""
    order = np.argsort(rows.astype(np.uint16) if shape[0] <= 2**16 else rows, kind="stable")  # 16 bits: radix sort
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return csr_matrix((np.ones(len(rows), dtype=np.int32), _index(cols[order], shape[1]), _index(indptr, len(rows))),
                      shape=shape, copy=False)


def _text_words(actions: Actions, keep: NDArray[np.bool_]) -> csr_matrix:
    """Texts x words, kept words only; one pass over the words of every distinct text."""
    tw, starts = actions.text_words, actions.text_starts
    mask = keep[tw]
    before = np.zeros(len(tw) + 1, dtype=np.int64)
    np.cumsum(mask, out=before[1:])
    indptr = np.append(before[starts], before[-1])
    return csr_matrix((np.ones(int(before[-1]), dtype=np.int32), _index(tw[mask], len(keep)),
                       _index(indptr, int(before[-1]))), shape=(len(starts), len(keep)), copy=False)


def _keyword_counts(actions: Actions, post_bin: NDArray[np.int64], n_bins: int, rules: SurgeRules) -> csr_matrix:
    """Words x bins: posts per (bin, text), times the words of each text."""
    stop, n = stop_words(), rules.min_keyword_letters
    keep = np.fromiter((len(w) >= n and w not in stop for w in actions.vocab), dtype=bool, count=len(actions.vocab))
    has_text = actions.post_text >= 0
    bin_text = _csr(post_bin[has_text], actions.post_text[has_text], (n_bins, len(actions.text_starts)))
    return csr_matrix((bin_text @ _text_words(actions, keep)).T)


def _hashtag_counts(actions: Actions, post_bin: NDArray[np.int64], n_bins: int) -> csr_matrix:
    return _csr(actions.term_id, post_bin[actions.term_post], (len(actions.term_label), n_bins))


def _hashtag_pairs(actions: Actions, peaks: _Peaks) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(post, surge) for every post carrying a reported hashtag."""
    surge_of = np.full(len(actions.term_label), -1, dtype=np.int64)
    surge_of[peaks.term] = np.arange(len(peaks))
    hit = surge_of[actions.term_id] >= 0
    return actions.term_post[hit], surge_of[actions.term_id[hit]]


def _keyword_pairs(actions: Actions, peaks: _Peaks, post_bin: NDArray[np.int64],
                   n_bins: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(post, surge) for every post in a reported span whose text has a reported word."""
    in_span = np.zeros(n_bins + 1, dtype=np.int64)
    np.add.at(in_span, peaks.first, 1)
    np.add.at(in_span, peaks.last + 1, -1)
    posts = np.flatnonzero((np.cumsum(in_span)[:-1] > 0)[post_bin] & (actions.post_text >= 0))
    surge_of = np.full(len(actions.vocab), -1, dtype=np.int64)
    surge_of[peaks.term] = np.arange(len(peaks))
    entries = np.flatnonzero(surge_of[actions.text_words] >= 0)
    texts = np.searchsorted(actions.text_starts, entries, side="right") - 1
    text_surge = _csr(texts, surge_of[actions.text_words[entries]], (len(actions.text_starts), len(peaks)))
    found = text_surge[actions.post_text[posts]].tocoo()
    return posts[found.row], found.col.astype(np.int64)


def _describe(kind: str, label: str, peaks: _Peaks, i: int, posts: NDArray[np.int64], actions: Actions,
              coordinated: NDArray[np.bool_], start: int, rules: SurgeRules) -> dict[str, Any]:
    posts = posts[np.lexsort((posts, actions.post_time[posts]))]
    authors = actions.post_author[posts]
    first_use = np.unique(authors, return_index=True)[1]
    starters = authors[np.sort(first_use)[:rules.starters]].tolist()
    b = rules.bin_seconds
    return {
        "kind": kind, "term": label, "score": round(float(peaks.score[i]), 1),
        "peak": iso(start + int(peaks.peak[i]) * b), "peak_posts": int(peaks.peak_posts[i]),
        "baseline": round(float(peaks.baseline[i]), 2), "start": iso(start + int(peaks.first[i]) * b),
        "end": iso(start + (int(peaks.last[i]) + 1) * b), "posts": len(posts), "accounts": len(first_use),
        "coordinated_share": round(float(coordinated[authors].mean()), 3) if len(authors) else 0.0,
        "starters": [{"account": actions.accounts[a], "handle": actions.handles[a],
                      "coordinated": bool(coordinated[a])} for a in starters],
    }


def _report(kind: str, labels: list[str], peaks: _Peaks, pairs: tuple[NDArray[np.int64], NDArray[np.int64]],
            actions: Actions, coordinated: NDArray[np.bool_], post_bin: NDArray[np.int64], start: int,
            rules: SurgeRules) -> list[dict[str, Any]]:
    post, surge = pairs
    b = post_bin[post]
    inside = (b >= peaks.first[surge]) & (b <= peaks.last[surge])
    post, surge = post[inside], surge[inside]
    order = np.argsort(surge, kind="stable")
    bounds = np.searchsorted(surge[order], np.arange(len(peaks) + 1))
    return [_describe(kind, labels[int(peaks.term[i])], peaks, i, post[order[bounds[i]:bounds[i + 1]]], actions,
                      coordinated, start, rules) for i in range(len(peaks))]


def _not_a_hashtag_again(keywords: _Peaks, vocab: list[str], tags: _Cells, tag_labels: list[str], top: int,
                         rules: SurgeRules) -> NDArray[np.int64]:
    """Rows of the best `top` keyword surges, less those repeating the words of a hashtag surging in their span."""
    hot = np.flatnonzero(tags.score >= rules.min_score / 2)
    hot_bins: dict[str, list[int]] = {}
    for t, b in zip(tags.term[hot].tolist(), tags.bin[hot].tolist(), strict=True):
        for w in hashtag_words(tag_labels[t]):
            hot_bins.setdefault(w, []).append(b)
    rows: list[int] = []
    for i, (w, f, la) in enumerate(zip(keywords.term.tolist(), keywords.first.tolist(), keywords.last.tolist(),
                                       strict=True)):
        if len(rows) == top:
            break
        if not any(f <= b <= la for b in hot_bins.get(vocab[w], ())):
            rows.append(i)
    return np.asarray(rows, dtype=np.int64)


def surges(actions: Actions, coordinated: NDArray[np.bool_], rules: SurgeRules | None = None) -> list[dict[str, Any]]:
    """Hashtag and keyword surges, best first (at most `top_hashtags` and `top_keywords` of each kind)."""
    rules = rules or SurgeRules()
    if not actions.n_posts:
        return []
    t0 = int(actions.post_time.min())
    start = t0 - t0 % rules.bin_seconds
    post_bin = (actions.post_time - start) // rules.bin_seconds
    n_bins = int(post_bin.max()) + 1
    tag_cells = _cells(_hashtag_counts(actions, post_bin, n_bins), rules)
    tag_peaks = _peaks(tag_cells, rules)
    shown = tag_peaks.take(np.arange(min(rules.top_hashtags, len(tag_peaks))))
    tag_labels = ["#" + t for t in actions.term_label]
    out = _report(HASHTAG, tag_labels, shown, _hashtag_pairs(actions, shown), actions, coordinated, post_bin,
                  start, rules)
    if rules.keywords and len(actions.text_starts) and rules.top_keywords > 0:
        word_peaks = _peaks(_cells(_keyword_counts(actions, post_bin, n_bins, rules), rules), rules)
        kept = word_peaks.take(_not_a_hashtag_again(word_peaks, actions.vocab, tag_cells, actions.term_label,
                                                    rules.top_keywords, rules))
        out += _report(KEYWORD, actions.vocab, kept, _keyword_pairs(actions, kept, post_bin, n_bins), actions,
                       coordinated, post_bin, start, rules)
    out.sort(key=lambda d: -d["score"])
    return out
