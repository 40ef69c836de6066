"""Fallback when exports give no follow times (X archives, older formats): blocks in listing order.

Platforms list followers newest first, so a wave still shows as a run of consecutive entries; what
is lost is *when* and *how fast*. A block is a window of the newest export's listing where one
handle shape is far more common than in the whole list (binomial tail). Without times nothing is
certain enough to remove: members of a block go to review, with the reason spelled out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from himaya.detectors.followers.data import FollowerSet
from himaya.detectors.followers.handles import HandleFeatures, display_shape
from himaya.detectors.followers.scoring import REVIEW_THRESHOLD, Scored

WINDOW = 100
STEP = 50
MIN_SHARE = 0.3
LOG10_P = -6.0
BLOCK_SCORE = 0.6


@dataclass(frozen=True)
class OrderBlock:
    first: int              # position in the newest export's listing (0 = newest follower)
    last: int
    pattern: str
    matching: int           # followers in the block with that pattern
    size: int
    overall_share: float    # share of that pattern in the whole list
    examples: tuple[str, ...]


def order_blocks(fs: FollowerSet, scored: Scored, feat: HandleFeatures) -> list[OrderBlock]:
    """Find blocks and raise their matching members to review (in place)."""
    n = len(fs)
    if n < 2 * WINDOW:
        return []
    by_pos = np.argsort(fs.order, kind="stable")
    fam = feat.family[by_pos]
    totals = np.bincount(fam, minlength=len(feat.shapes))
    starts = np.arange(0, n - WINDOW + 1, STEP)
    blocks: list[OrderBlock] = []
    for f in np.flatnonzero(totals >= MIN_SHARE * WINDOW).tolist():
        share = totals[f] / n
        cum = np.concatenate([[0], np.cumsum(fam == f)])
        c = cum[starts + WINDOW] - cum[starts]
        logp = stats.binom.logsf(c - 1, WINDOW, share) / np.log(10)
        hot = (c >= MIN_SHARE * WINDOW) & (logp < LOG10_P)
        for a, b in _runs(hot):
            lo, hi = int(starts[a]), int(starts[b] + WINDOW - 1)
            members = by_pos[lo:hi + 1][fam[lo:hi + 1] == f]
            blocks.append(OrderBlock(lo, hi, display_shape(feat.shapes[f]), int(members.size), hi - lo + 1,
                                     float(share), tuple(fs.handles[i] for i in members[:3])))
            _raise(scored, members, blocks[-1])
    return sorted(blocks, key=lambda b: b.first)


def _runs(flag: NDArray[np.bool_]) -> list[tuple[int, int]]:
    idx = np.flatnonzero(flag)
    if idx.size == 0:
        return []
    cut = np.flatnonzero(np.diff(idx) > 1)
    return list(zip(np.concatenate([[idx[0]], idx[cut + 1]]).tolist(), np.concatenate([idx[cut], [idx[-1]]]).tolist(),
                    strict=True))


def _raise(scored: Scored, members: NDArray[np.int64], b: OrderBlock) -> None:
    reason = (f"listed among {b.size:,} consecutive followers (positions {b.first + 1:,}–{b.last + 1:,}, newest first) "
              f"where {b.matching:,} share the handle pattern `{b.pattern}` ({100 * b.overall_share:.1f} % of all "
              "followers); the export gives no follow times to confirm a wave")
    for i in members.tolist():
        if scored.score[i] < BLOCK_SCORE:
            scored.score[i] = BLOCK_SCORE
        if scored.band[i] == 0 and scored.score[i] >= REVIEW_THRESHOLD:
            scored.band[i] = 1
        scored.reasons[i] = (reason, *scored.reasons[i])
