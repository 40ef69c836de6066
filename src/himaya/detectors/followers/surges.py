"""Viral surges: organic bursts that fade, told apart from attack waves that keep their pace and stop.

A viral audience follows the daily cycle and thins out over hours to days; a bot job keeps its
pace whatever the hour and stops dead when it ends. A surge, once recognised, is fitted as an
exponential decay and added to the organic rate, so that an attack riding on it can still be found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.followers.rate_model import HOUR, upper_tail_log10

DECAY_LLR = 8.0
MAX_DECAY_H = 48.0
BUSY_P = 1e-3


@dataclass(frozen=True)
class Surge:
    """An organic surge (a viral post): folded into the organic rate, never a wave."""

    start: float
    follows: int
    decay_h: float


def fading_evidence(t: NDArray[np.float64], start: float, end: float, organic: NDArray[np.float64],
                    origin: float) -> float:
    """Log-likelihood ratio of 'a surge that multiplies the organic rate and fades' against 'a steady
    extra pace on top of the organic rate', for the follow times `t` inside [start, end].

    A viral audience follows the daily cycle and thins out; a bot job keeps its pace whatever the
    hour. Both stories are fitted to the same count; the fading one has its decay time chosen on
    a grid (one more free parameter, which the caller's threshold pays for).
    """
    n = t.size
    span = end - start
    if n < 20 or span <= 0:
        return 0.0

    def rate(x: NDArray[np.float64]) -> NDArray[np.float64]:
        hours = np.clip(((x - origin) // HOUR).astype(np.int64), 0, organic.size - 1)
        return np.asarray(organic[hours] / HOUR)

    grid = np.linspace(start, end, 400)
    step = span / (grid.size - 1)
    lam_grid, lam = rate(grid), rate(t)
    expected = float(lam_grid.sum() * step)
    extra = max(n - expected, 1e-9)
    steady = float(np.log((lam + extra / span) / n).sum())
    best = -np.inf
    for tau in span * np.geomspace(0.05, 20.0, 30):
        weight = float((lam_grid * np.exp(-(grid - start) / tau)).sum() * step)
        b = extra / max(weight, 1e-12)
        best = max(best, float(np.log(lam * (1 + b * np.exp(-(t - start) / tau)) / n).sum()))
    return best - steady


def looks_viral(t: NDArray[np.float64], start: float, end: float, organic: NDArray[np.float64], origin: float,
                 clock: tuple[NDArray[np.float64], NDArray[np.float64]], alpha: float) -> bool:
    """Organic surges fade out; attack waves keep their pace and stop dead when the job ends.

    Either test is enough. (1) The follows inside fit a fading surge on the organic rate better
    than a steady extra pace (`fading_evidence` ≥ 8). (2) The three hours after the end are still
    surprisingly busy (p < 10⁻³ under the organic model) and keep at least 15 % of the last
    quarter's excess over the organic rate, measured as a ratio to it (so the night that follows a
    surge is not mistaken for its end). An attack that stops leaves the organic rate behind.
    """
    inside = t[(t >= start) & (t <= end)]
    if inside.size < 20:
        return False
    if fading_evidence(inside, start, end, organic, origin) >= DECAY_LLR:
        return True
    edges, cum = clock
    if end + 3 * HOUR > edges[-1]:  # the history ends within three hours: no way to see how it ends
        return False

    def expected(a: float, b: float) -> float:
        return max(float(np.interp(b, edges, cum) - np.interp(a, edges, cum)), 1e-6)

    q = max((end - start) / 4, 600.0)
    last_ratio = float((inside >= end - q).sum()) / expected(end - q, end)
    after = float(np.searchsorted(t, end + 3 * HOUR, side="right") - np.searchsorted(t, end, side="right"))
    after_expected = expected(end, end + 3 * HOUR)
    busy = float(upper_tail_log10(after, after_expected, alpha, 3.0)) < np.log10(BUSY_P)
    keeps = after / after_expected - 1 >= 0.15 * max(last_ratio - 1, 0.0)
    return busy and keeps


def surge_curve(s: Surge, origin: float, span_h: int) -> NDArray[np.float64]:
    dt = (origin + (np.arange(span_h) + 0.5) * HOUR - s.start) / HOUR
    peak = s.follows / s.decay_h
    return np.where(dt >= 0, peak * np.exp(-np.clip(dt, 0, None) / s.decay_h), 0.0)


def fit_surge(ts: NDArray[np.float64], start: float, edges: NDArray[np.float64], cum: NDArray[np.float64]) -> Surge:
    """Extra follows over the 72 h from `start`, and a decay time from their first three hours."""
    tail = ts[(ts >= start) & (ts < start + 72 * HOUR)]
    excess = max(float(tail.size) - float(np.interp(start + 72 * HOUR, edges, cum) - np.interp(start, edges, cum)), 1.0)
    first3 = float(((tail >= start) & (tail < start + 3 * HOUR)).sum()) / 3
    base3 = float(np.interp(start + 3 * HOUR, edges, cum) - np.interp(start, edges, cum)) / 3
    peak = max(first3 - base3, 1.0)
    return Surge(start, int(excess), float(np.clip(excess / peak, 2.0, MAX_DECAY_H)))
