from __future__ import annotations

import numpy as np

from himaya.detectors.followers.data import from_arrays
from himaya.detectors.followers.evaluate import profiles_of
from himaya.detectors.followers.scoring import BASE_PRIOR, score_followers
from himaya.detectors.followers.simulate import simulate
from himaya.detectors.followers.waves import detect_waves


def _run(seed: int, **kw: object) -> tuple[object, object, object]:
    sc = simulate(seed, **kw)  # type: ignore[arg-type]
    fs = from_arrays(sc.handles, sc.times, target=sc.target)
    return sc, fs, detect_waves(fs.times)


def test_remove_band_is_precise_and_reasons_are_plain() -> None:
    sc, fs, wr = _run(0)
    s = score_followers(fs, wr, profiles=profiles_of(sc))
    rm = s.band == 2
    assert (rm & sc.attacker).sum() / rm.sum() >= 0.99
    assert ((s.band > 0) & sc.attacker).sum() / sc.attacker.sum() >= 0.95
    i = int(np.flatnonzero(rm)[0])
    assert s.reasons[i][0].startswith("followed during wave") and "per hour usual" in s.reasons[i][0]
    assert np.all((s.score >= 0) & (s.score <= 1))


def test_stolen_handles_are_caught_by_time_not_shape() -> None:
    sc, fs, wr = _run(1)  # wave 3 (index 2) uses realistic handles copied from real-looking people
    stolen = np.flatnonzero([w >= 0 and sc.waves[w].style == "stolen" for w in sc.wave_of.tolist()])
    s = score_followers(fs, wr)
    assert (s.band[stolen] > 0).mean() > 0.95
    with_pattern = [i for i in stolen.tolist() if any("pattern" in r for r in s.reasons[i])]
    assert len(with_pattern) < 0.3 * stolen.size  # most of them have organic shapes: time carries the score


def test_outside_waves_nothing_is_removed_on_looks_alone() -> None:
    sc, fs, wr = _run(2)
    s = score_followers(fs, wr, profiles=profiles_of(sc))
    outside = wr.wave_of < 0
    assert not (s.band[outside] == 2).any()
    assert s.score[outside].min() >= 0 and np.median(s.score[outside]) < 2 * BASE_PRIOR


def test_known_attacker_is_removed_anywhere() -> None:
    _, fs, wr = _run(2)
    h = fs.handles[int(np.flatnonzero(wr.wave_of < 0)[0])]
    s = score_followers(fs, wr, known_attackers={h: "case-7"})
    i = fs.handles.index(h)
    assert s.band[i] == 2 and "confirmed as an attacker in case case-7" in s.reasons[i][0]


def test_no_attack_removes_no_one() -> None:
    for seed in range(3):
        sc, fs, wr = _run(seed, waves=0)
        s = score_followers(fs, wr, profiles=profiles_of(sc))
        assert int((s.band == 2).sum()) == 0


def test_threshold_moves_the_remove_band() -> None:
    _, fs, wr = _run(4)
    strict = score_followers(fs, wr, threshold=0.999)
    loose = score_followers(fs, wr, threshold=0.9)
    assert (strict.band == 2).sum() < (loose.band == 2).sum()


def test_private_and_name_script_are_shown_but_do_not_move_the_score() -> None:
    from dataclasses import replace

    from himaya.detectors.followers.scoring import script_of

    assert script_of("سارا") == "Arabic" and script_of("sara_99") == "Latin" and script_of("1234") is None
    sc, fs, wr = _run(0)
    base = profiles_of(sc)
    n = len(base.full_name)
    odd = replace(base, is_private=np.ones(n), full_name=["مريم"] * n)  # type: ignore[type-var]
    a = score_followers(fs, wr, profiles=base)
    b = score_followers(fs, wr, profiles=odd)
    assert np.array_equal(a.score, b.score) and np.array_equal(a.band, b.band)
    shown = next(r for r, k in zip(b.reasons, base.known.tolist(), strict=True) if r and k)
    assert any("private account" in x for x in shown)
    assert any("display name in Arabic script, handle in Latin" in x for x in shown)
