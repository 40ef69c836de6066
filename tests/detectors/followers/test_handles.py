from __future__ import annotations

from collections import Counter

import numpy as np

from himaya.detectors.followers.handles import (
    display_shape,
    family_evidence,
    handle_features,
    near_identical,
    random_letters,
    shape_of,
)


def test_shapes() -> None:
    assert shape_of("sara_karimi4821") == ("a_a####", False)
    assert display_shape(shape_of("sara_4821")[0]) == "name_####"
    assert shape_of("xkqzvbnm12") == ("x##", True)
    assert shape_of("niloufar.tabrizi") == ("a.a", False)
    assert shape_of("12345") == ("#####", False)
    assert shape_of("ID:123")[0] == "a?###"
    assert shape_of("#1 fan")[0] == "?#?a"


def test_random_letters() -> None:
    assert random_letters("qxzvbnmk") and random_letters("bcdfgh")
    for name in ("niloufar", "mohammad", "fatemeh", "sepideh", "tabrizi", "golnar"):
        assert not random_letters(name), name


def test_family_lift_for_and_against() -> None:
    organic = [f"{n}.{m}" for n in ("sara", "mina", "reza", "omid", "dina") for m in ("art", "moon", "life", "k", "x")]
    organic = [f"{h}{i}" if i else h for i in range(8) for h in organic]
    wave = [f"user{10000000 + i}" for i in range(60)] + ["sara.moon77", "dina.art"]
    handles = organic + wave
    wave_of = np.array([-1] * len(organic) + [0] * len(wave), np.int32)
    llr, matched, fams = family_evidence(handle_features(handles), wave_of, 1, handles)
    assert len(fams) == 1 and fams[0].pattern == "name########" and fams[0].members == 60
    assert llr[len(organic)] > 3 and matched[len(organic)] == 0
    assert llr[-1] < 0 and matched[-1] == -1  # an organic shape inside a templated wave speaks for the follower


def test_near_identical_groups() -> None:
    handles = ["watani_sayf", "watani.sayf1", "wataniisayf22", "watani_sayf_", "watanisayf.7", "sara", "mina.k"]
    groups = near_identical(handles, np.arange(len(handles)), Counter())
    assert len(groups) == 1 and sorted(groups[0]) == [0, 1, 2, 3, 4]
    # the same skeleton common among organic followers is a name, not a template
    assert near_identical(handles, np.arange(len(handles)), Counter({"watanisayf": 50})) == []
