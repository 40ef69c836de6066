from __future__ import annotations

import numpy as np

from himaya.detectors.followers.rate_model import overdispersion, upper_tail_log10
from himaya.detectors.followers.simulate import simulate
from himaya.detectors.followers.waves import detect_waves, scan

FIFTEEN_MIN = 15 * 60


def test_waves_found_with_boundaries_within_15_minutes() -> None:
    for seed in (0, 2, 3, 5):
        sc = simulate(seed)
        wr = detect_waves(sc.times)
        assert wr.status == "ok"
        for tw in sc.waves:
            assert any(abs(w.start - tw.start) <= FIFTEEN_MIN and abs(w.end - tw.end) <= FIFTEEN_MIN for w in wr.waves), (
                seed, tw)
        w = wr.waves[0]
        assert w.follows > w.expected and 0 < w.usual_per_h < 50 and w.log10_p >= 6


def test_members_and_excess_share() -> None:
    sc = simulate(3)
    wr = detect_waves(sc.times)
    members = wr.wave_of >= 0
    assert (members & sc.attacker).sum() / sc.attacker.sum() > 0.99
    assert (members & ~sc.attacker).sum() < 20  # a few organic followers arrive during waves, no more
    assert wr.p_excess[members].mean() > 0.95 and np.all(wr.p_excess[~members] == 0)


def test_no_attack_means_no_wave_despite_viral_spikes() -> None:
    found = 0
    spikes = 0
    for seed in range(6):
        sc = simulate(seed, waves=0)
        spikes += len(sc.spikes)
        found += len(detect_waves(sc.times).waves)
    assert spikes >= 5  # the scenarios do have viral surges to resist
    assert found <= 1


def test_twelve_followers_is_too_little_data() -> None:
    t = 1_750_000_000 + np.arange(12) * 60.0  # twelve follows, one a minute: looks like a burst, proves nothing
    wr = detect_waves(t)
    assert wr.status == "too_little_data" and wr.waves == [] and "too little data" in wr.message
    assert np.all(wr.wave_of == -1)


def test_no_times() -> None:
    wr = detect_waves(np.full(500, np.nan))
    assert wr.status == "no_times" and wr.waves == []


def test_negative_binomial_tail_is_wider_than_poisson() -> None:
    assert upper_tail_log10(30, 10.0, 0.5) > upper_tail_log10(30, 10.0, 0.0)
    assert float(upper_tail_log10(5, 10.0, 0.0)) > -0.5


def test_overdispersion_estimate() -> None:
    rng = np.random.default_rng(0)
    mu = np.full(5000, 20.0)
    counts = rng.poisson(mu * rng.gamma(4.0, 1 / 4.0, mu.size))  # α = 1/4
    assert 0.18 < overdispersion(counts, mu) < 0.32
    assert overdispersion(rng.poisson(mu), mu) < 0.03


def test_scan_picks_the_burst() -> None:
    rng = np.random.default_rng(1)
    organic = rng.uniform(0, 48 * 3600, 100)
    burst = rng.uniform(10 * 3600, 10.5 * 3600, 200)
    t = np.sort(np.concatenate([organic, burst]))
    edges = np.arange(49) * 3600.0
    cum = np.concatenate([[0.0], np.cumsum(np.full(48, 100 / 48))])
    i, j, llr = scan(t, edges, cum)
    assert abs(t[i] - burst.min()) < 120 and abs(t[j] - burst.max()) < 120 and llr > 100
