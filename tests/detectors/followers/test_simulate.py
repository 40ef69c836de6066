from __future__ import annotations

import numpy as np

from himaya.detectors.followers.simulate import STYLES, simulate


def test_same_seed_same_scenario() -> None:
    a, b = simulate(11), simulate(11)
    assert a.handles == b.handles and np.array_equal(a.times, b.times) and a.waves == b.waves


def test_ground_truth_is_consistent() -> None:
    for seed in range(6):
        sc = simulate(seed)
        assert 1 <= len(sc.waves) <= 5
        assert len(set(sc.handles)) == len(sc.handles)  # handles are unique
        assert np.all(np.diff(sc.times) >= 0)
        for k, w in enumerate(sc.waves):
            t = sc.times[sc.wave_of == k]
            assert t.size == w.size and t.min() == w.start and t.max() == w.end
            assert w.style in STYLES
        assert all(len(h) <= 30 for h in sc.handles)


def test_styles_and_overlapping_profiles() -> None:
    sc = simulate(1)  # five waves: every style occurs
    assert {w.style for w in sc.waves} == set(STYLES)
    fake = sc.attacker
    posts = sc.profiles["posts"]
    # Overlap on purpose: some organic followers look like bought accounts, some attackers look lived-in.
    assert (posts[~fake] <= 2).sum() > 50 and (posts[fake] >= 20).sum() > 50
    stolen = [h for h, w in zip(sc.handles, sc.wave_of.tolist(), strict=True) if w >= 0 and sc.waves[w].style == "stolen"]
    assert stolen and sum(any(c.isdigit() for c in h) for h in stolen) < len(stolen) * 0.6


def test_scaled_scenario() -> None:
    sc = simulate(2, n_followers=50_000)
    assert 40_000 < len(sc.handles) < 60_000
