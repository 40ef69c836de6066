"""Hashtag surges: when a term jumps above its own recent baseline, who started it, and who carried it.

Per term, posts are counted per bin (an hour by default). The baseline of a bin is the mean of the
`baseline_bins` before it; the surge score is a Poisson z-score, `(x - baseline) / sqrt(baseline + 1)`.
A term surges when its best bin scores at least `min_score` with at least `min_posts` posts. The
surge runs over the contiguous bins around the peak that score at least half the threshold; its
*starters* are the first accounts to use the term in it, and its *coordinated share* is the share
of its posts written by accounts in a detected campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.coordination.campaigns import iso
from himaya.detectors.coordination.features import Actions


@dataclass(frozen=True)
class SurgeRules:
    bin_seconds: int = 3600
    baseline_bins: int = 24
    min_score: float = 5.0
    min_posts: int = 20
    starters: int = 5
    top: int = 20


def surges(actions: Actions, coordinated: NDArray[np.bool_], rules: SurgeRules | None = None) -> list[dict[str, Any]]:
    rules = rules or SurgeRules()
    if not len(actions.term_post):
        return []
    times = actions.post_time[actions.term_post]
    start = int(times.min()) - int(times.min()) % rules.bin_seconds
    bins = (times - start) // rules.bin_seconds
    n_bins = int(bins.max()) + 1
    counts = np.bincount(actions.term_id, minlength=len(actions.term_label))
    out: list[dict[str, Any]] = []
    k = rules.baseline_bins
    by_term = np.argsort(actions.term_id, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for term in np.flatnonzero(counts >= rules.min_posts).tolist():
        sel = by_term[bounds[term]:bounds[term + 1]]
        series = np.bincount(bins[sel], minlength=n_bins).astype(np.float64)
        csum = np.concatenate([[0.0], np.cumsum(series)])
        idx = np.arange(n_bins)
        lo = np.maximum(idx - k, 0)
        baseline = (csum[idx] - csum[lo]) / k  # bins before the data began count as silent
        score = (series - baseline) / np.sqrt(baseline + 1)
        peak = int(np.argmax(score))
        if score[peak] < rules.min_score or series[peak] < rules.min_posts:
            continue
        first = peak
        while first > 0 and score[first - 1] >= rules.min_score / 2:
            first -= 1
        last = peak
        while last + 1 < n_bins and score[last + 1] >= rules.min_score / 2:
            last += 1
        in_surge = sel[(bins[sel] >= first) & (bins[sel] <= last)]
        posts = actions.term_post[in_surge]
        order = np.argsort(actions.post_time[posts], kind="stable")
        authors = actions.post_author[posts][order]
        starters = list(dict.fromkeys(authors.tolist()))[:rules.starters]
        out.append({
            "term": "#" + actions.term_label[term], "score": round(float(score[peak]), 1),
            "peak": iso(start + peak * rules.bin_seconds), "peak_posts": int(series[peak]),
            "baseline": round(float(baseline[peak]), 2), "start": iso(start + first * rules.bin_seconds),
            "end": iso(start + (last + 1) * rules.bin_seconds), "posts": len(posts),
            "accounts": len(set(authors.tolist())),
            "coordinated_share": round(float(coordinated[authors].mean()), 3) if len(authors) else 0.0,
            "starters": [{"account": actions.accounts[a], "handle": actions.handles[a],
                          "coordinated": bool(coordinated[a])} for a in starters],
        })
    out.sort(key=lambda d: -d["score"])
    return out[:rules.top]
