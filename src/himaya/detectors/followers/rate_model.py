"""The organic arrival rate of follows, hour by hour, and how surprising a count is against it.

Slow level × hour-of-day factor × day-of-week factor, plus decaying surges after viral posts. The
level is a one-week moving mean of the counts, the cycles are ratios to it. Counts far above a
weekly running median are clipped and hours already found surprising are left out, so a burst
never raises its own baseline. Hour counts are over-dispersed (organic follows cluster: a share,
a story), and more so in busy hours, so surprise is a negative-binomial tail with variance
μ + αμ², not a Poisson one, which would call every lively hour a wave.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, stats

HOUR = 3600.0
LEVEL_WINDOW_H = 168
MAX_ALPHA = 2.0


def _moving_mean(x: NDArray[np.float64], w: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    kernel = np.ones(window)
    num = np.convolve(x * w, kernel, mode="same")
    den = np.convolve(w, kernel, mode="same")
    return np.asarray(num / np.maximum(den, 1e-9))


def organic_model(counts: NDArray[np.int64], origin: float, keep: NDArray[np.bool_],
                  surge: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """Expected organic follows per hour and the over-dispersion α, fitted on the hours in `keep`."""
    c = np.maximum(counts.astype(np.float64) - surge, 0.0)
    # Bursts not yet found must not shape the baseline: counts far above a weekly running median
    # are clipped before any mean is taken (one 2,000-follow hour would otherwise lift its
    # hour-of-day factor for the whole history and hide itself).
    window = min(LEVEL_WINDOW_H + 1, counts.size)
    cap = 4.0 * ndimage.median_filter(c, size=window, mode="nearest") + 10.0
    c = np.minimum(c, cap)
    w = (keep & (surge <= 0.8 * np.maximum(counts, 1))).astype(np.float64)
    h = np.arange(counts.size) + int(origin // HOUR)
    hod, dow = h % 24, (h // 24 + 3) % 7
    level = np.maximum(_moving_mean(c, w, min(LEVEL_WINDOW_H, counts.size)), 1e-3)
    daily = np.ones(24)
    weekly = np.ones(7)
    for _ in range(2):
        base = level * weekly[dow]
        num = np.bincount(hod, c * w, 24)
        den = np.bincount(hod, base * w, 24)
        daily = np.where(den > 0, (num + 1) / (den + 1), 1.0)
        daily /= daily.mean()
        base = level * daily[hod]
        num = np.bincount(dow, c * w, 7)
        den = np.bincount(dow, base * w, 7)
        weekly = np.where(den > 0, (num + 1) / (den + 1), 1.0)
        weekly /= weekly.mean()
    expected = np.maximum(level * daily[hod] * weekly[dow], 0.02) + surge
    return expected, overdispersion(counts[keep], expected[keep])


def overdispersion(counts: NDArray[np.int64], expected: NDArray[np.float64]) -> float:
    """α of a negative binomial (variance = μ + α μ²), by moments on hours the model should explain.

    Quadratic in μ because the clustering of organic follows is multiplicative: a share lifts a
    busy hour by more follows than a quiet one.
    """
    if counts.size < 24:
        return 0.0
    # The top 2 % of hours are left out: bursts not yet found would otherwise set α, and α would hide them.
    pearson = (counts - expected) / np.sqrt(expected)
    ok = pearson <= np.quantile(pearson, 0.98)
    c, mu = counts[ok], expected[ok]
    excess_var = ((c - mu) ** 2 - mu).sum()
    return float(np.clip(excess_var / max(float((mu ** 2).sum()), 1e-9), 0.0, MAX_ALPHA))


def upper_tail_log10(observed: NDArray[np.float64] | float, mean: NDArray[np.float64] | float,
                     alpha: float, hours: float = 1.0) -> NDArray[np.float64]:
    """log10 P(X ≥ observed) under the organic model: negative binomial with this mean.

    A count summed over `hours` hours averages the hourly clustering out, so its α shrinks by that many.
    """
    obs = np.asarray(observed, dtype=np.float64)
    mu = np.maximum(np.asarray(mean, dtype=np.float64), 1e-9)
    a = alpha / max(hours, 1.0)
    if a <= 1e-6:
        return np.asarray(stats.poisson.logsf(obs - 1, mu) / np.log(10))
    r = 1.0 / a
    return np.asarray(stats.nbinom.logsf(obs - 1, r, r / (r + mu)) / np.log(10))


