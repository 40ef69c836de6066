"""Follow waves: bursts of follows that an organic arrival rate cannot explain.

Hour counts are compared with the organic rate (`rate_model`: level × daily × weekly cycle, viral
surges, negative-binomial surprise). Surprising hours are merged into candidates; each
candidate's start and end are then set to the minute by a likelihood-ratio scan over the follow
times themselves (the interval whose follows are least likely under the organic rate). A
candidate that fades like a viral surge (`surges`) is folded into the organic rate instead, and
the search is repeated until the surprising hours stop changing, so that an attack riding on a
viral post can still be found. Members of a wave get the share of follows at their moment that
the organic rate cannot explain: the time-based prior of the score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.followers.rate_model import HOUR, organic_model, upper_tail_log10
from himaya.detectors.followers.surges import Surge, fit_surge, looks_viral, surge_curve

MIN_FOLLOWS = 100            # fewer timed follows than this: too little data to model a rate
MIN_SPAN_H = 72              # … or less history than three days
HOUR_P = 1e-3                # an hour this surprising is a candidate
WAVE_LOG10_P = 6.0           # a wave must be at least this surprising overall
MIN_EXCESS = 25.0            # and bring at least this many follows above the organic rate
MIN_RATIO = 5.0              # and at least five times the organic count over its span (lesser bursts are lively days)


@dataclass(frozen=True)
class Wave:
    number: int
    start: float
    end: float
    follows: int
    expected: float
    log10_p: float          # −log10 of the probability of so many follows under the organic rate
    peak_per_h: float       # densest follows per hour inside the wave

    @property
    def excess(self) -> float:
        return max(self.follows - self.expected, 0.0)

    @property
    def hours(self) -> float:
        return max(self.end - self.start, 60.0) / HOUR

    @property
    def usual_per_h(self) -> float:
        return self.expected / self.hours


@dataclass
class WaveResult:
    status: str                      # "ok", "too_little_data", "no_times"
    origin: float                    # Unix time of hour 0
    counts: NDArray[np.int64]        # follows per hour
    expected: NDArray[np.float64]    # organic follows per hour
    dispersion: float                # α: hour counts vary as μ + α μ²
    waves: list[Wave]
    surges: list[Surge]
    wave_of: NDArray[np.int32]       # per follower (input order): wave index, -1 outside
    p_excess: NDArray[np.float64]    # per follower: share of follows at its time that the organic rate cannot explain
    message: str = ""


def _empty(n: int, status: str, message: str) -> WaveResult:
    return WaveResult(status, 0.0, np.zeros(0, np.int64), np.zeros(0), 0.0, [], [], np.full(n, -1, np.int32),
                      np.zeros(n), message)


def _segments(flag: NDArray[np.bool_], gap: int = 1) -> list[tuple[int, int]]:
    """Runs of flagged hours, joined across gaps of up to `gap` hours: (first, last) inclusive."""
    idx = np.flatnonzero(flag)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > gap + 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _cumulative(expected: NDArray[np.float64], origin: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    edges = origin + np.arange(expected.size + 1, dtype=np.float64) * HOUR
    return edges, np.concatenate([[0.0], np.cumsum(expected)])


def scan(times: NDArray[np.float64], edges: NDArray[np.float64], cum: NDArray[np.float64]) -> tuple[int, int, float]:
    """The interval [times[i], times[j]] with the highest Poisson log-likelihood ratio against the organic rate.

    Start and end candidates are every follow when there are few, else about 250 evenly spaced
    follows, then the best pair is refined follow by follow around it.
    """
    n = times.size
    lam = np.interp(times, edges, cum)

    def llr(i: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.float64]:
        k = np.maximum(j - i + 1, 1).astype(np.float64)
        e = np.maximum(lam[j] - lam[i], 1e-6) + 1e-3 * k
        out = k * np.log(k / e) - (k - e)
        return np.where(j >= i, out, -np.inf)

    step = max(1, n // 250)
    grid = np.arange(0, n, step, dtype=np.int64)
    grid = np.unique(np.concatenate([grid, [n - 1]]))
    scores = llr(grid[:, None], grid[None, :])
    bi, bj = np.unravel_index(int(np.argmax(scores)), scores.shape)
    i0, j0 = int(grid[bi]), int(grid[bj])
    if step > 1:
        ii = np.arange(max(0, i0 - step), min(n, i0 + step + 1), dtype=np.int64)
        jj = np.arange(max(0, j0 - step), min(n, j0 + step + 1), dtype=np.int64)
        s = llr(ii[:, None], jj[None, :])
        a, b = np.unravel_index(int(np.argmax(s)), s.shape)
        i0, j0 = int(ii[a]), int(jj[b])
    return i0, j0, float(llr(np.array([i0]), np.array([j0]))[0])


def detect_waves(times: NDArray[np.float64]) -> WaveResult:
    """Waves among follow times (Unix seconds, NaN where unknown), aligned with the input order."""
    n = times.size
    timed = ~np.isnan(times)
    nt = int(timed.sum())
    if nt == 0:
        return _empty(n, "no_times", "the exports give no follow times")
    t = times[timed]
    origin = float(np.floor(t.min() / HOUR) * HOUR)
    span_h = int(np.ceil((t.max() - origin + 1) / HOUR))
    if nt < MIN_FOLLOWS or span_h < MIN_SPAN_H:
        return _empty(n, "too_little_data", f"too little data: {nt:,} timed follows over {span_h:,} h "
                      f"(at least {MIN_FOLLOWS} follows over {MIN_SPAN_H} h are needed to model the usual rate)")
    counts = np.bincount(((t - origin) // HOUR).astype(np.int64), minlength=span_h)
    order = np.argsort(t, kind="stable")
    ts = t[order]
    keep = np.ones(span_h, dtype=bool)
    surge = np.zeros(span_h)
    surges: list[Surge] = []
    found: list[tuple[float, float, int, float, float]] = []
    previous = np.zeros(span_h, dtype=bool)
    for round_ in range(6):
        expected, disp = organic_model(counts, origin, keep, surge)
        logp = upper_tail_log10(counts.astype(np.float64), expected, disp)
        flag = logp < np.log10(HOUR_P)
        keep = ~np.convolve(flag, np.ones(3), mode="same").astype(bool)
        edges, cum = _cumulative(expected, origin)
        found, new_surges = _candidates(ts, flag, counts, expected, disp, edges, cum, origin)
        fresh = [s for s in new_surges if all(abs(s.start - o.start) > HOUR for o in surges)]
        for s in fresh:
            surges.append(s)
            surge += surge_curve(s, origin, span_h)
        if not fresh and np.array_equal(flag, previous) and round_ > 0:
            break
        previous = flag
    waves = [Wave(k + 1, s, e, c, ex, lp, pk) for k, (s, e, c, ex, lp, pk) in
             enumerate(sorted(_with_peaks(ts, found, expected, origin)))]
    wave_of, p_excess = _members(times, waves, expected, origin)
    return WaveResult("ok", origin, counts, expected, disp, waves, surges, wave_of, p_excess)


def _candidates(ts: NDArray[np.float64], flag: NDArray[np.bool_], counts: NDArray[np.int64],
                expected: NDArray[np.float64], disp: float, edges: NDArray[np.float64], cum: NDArray[np.float64],
                origin: float) -> tuple[list[tuple[float, float, int, float, float]], list[Surge]]:
    waves: list[tuple[float, float, int, float, float]] = []
    surges: list[Surge] = []
    for h0, h1 in _segments(flag):
        lo, hi = origin + (h0 - 1) * HOUR, origin + (h1 + 2) * HOUR
        a, b = np.searchsorted(ts, [lo, hi])
        window = ts[a:b]
        if window.size < 3:
            continue
        i, j, _ = scan(window, edges, cum)
        start, end = float(window[i]), float(window[j])
        k = j - i + 1
        exp_in = float(np.interp(end, edges, cum) - np.interp(start, edges, cum))
        logp = -float(upper_tail_log10(k, max(exp_in, 1e-3), disp, (end - start) / HOUR))
        if k - exp_in < MIN_EXCESS or logp < WAVE_LOG10_P or k < MIN_RATIO * exp_in:
            continue
        if looks_viral(ts, start, end, expected, origin, (edges, cum), disp):
            surges.append(fit_surge(ts, start, edges, cum))
            continue
        waves.append((start, end, k, exp_in, logp))
    return waves, surges


def _with_peaks(ts: NDArray[np.float64], found: list[tuple[float, float, int, float, float]],
                expected: NDArray[np.float64], origin: float) -> list[tuple[float, float, int, float, float, float]]:
    out = []
    for s, e, k, ex, lp in found:
        inside = ts[(ts >= s) & (ts <= e)]
        width = max((e - s) / 12, 300.0)
        hist = np.histogram(inside, bins=max(int(np.ceil((e - s) / width)), 1))[0] if inside.size else np.zeros(1)
        out.append((s, e, k, ex, lp, float(hist.max() / (width / HOUR))))
    return out


def _members(times: NDArray[np.float64], waves: list[Wave], expected: NDArray[np.float64],
             origin: float) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Wave index per follower, and how likely its follow is one of the excess ones (local density)."""
    n = times.size
    wave_of = np.full(n, -1, np.int32)
    p = np.zeros(n)
    safe = np.nan_to_num(times, nan=-np.inf)
    for k, w in enumerate(waves):
        inside = (safe >= w.start) & (safe <= w.end)
        wave_of[inside] = k
        idx = np.flatnonzero(inside)
        tt = times[idx]
        # Density in bins of about 20 follows (at least one minute): the organic share at each moment.
        nbins = int(np.clip(idx.size // 20, 1, max(1, (w.end - w.start) // 60)))
        edges = np.linspace(w.start, w.end + 1e-6, nbins + 1)
        which = np.clip(np.searchsorted(edges, tt, side="right") - 1, 0, nbins - 1)
        got = np.bincount(which, minlength=nbins).astype(np.float64)
        if nbins >= 3:
            got = np.convolve(got, np.ones(3) / 3, mode="same") * 3 / np.convolve(np.ones(nbins), np.ones(3), "same")
        width_h = (edges[1] - edges[0]) / HOUR
        hours = np.clip(((tt - origin) // HOUR).astype(np.int64), 0, expected.size - 1)
        organic = expected[hours] * width_h
        p[idx] = np.clip(1.0 - organic / np.maximum(got[which], 1e-9), 0.0, 1.0)
    return wave_of, p
