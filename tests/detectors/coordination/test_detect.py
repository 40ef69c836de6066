"""The whole pipeline on small scenarios and on the simulator."""

from __future__ import annotations

from dataclasses import replace

import pytest

from himaya.detectors.coordination.detect import CoordinationConfig, detect
from himaya.detectors.coordination.evaluate import evaluate, score
from himaya.detectors.coordination.features import PostInput
from himaya.detectors.coordination.simulate import SimConfig, simulate
from tests.detectors.coordination.helpers import network, post


def organic(n: int, days: int = 10) -> list[PostInput]:
    out = []
    for i in range(n):
        for k in range(6):
            t = (i * 7919 + k * 86400 * days / 6) % (86400 * days)
            out.append(post(f"o{i}", t, f"my own words number {i} {k} about the weather and football today"))
    return out


def test_a_network_is_found_and_organic_accounts_are_not() -> None:
    members = [f"n{i}" for i in range(12)]
    result = detect(network(members, waves=8) + organic(200))
    assert len(result.campaigns) == 1
    found = {m.key for m in result.campaigns[0].members}
    assert found == {f"x|id:{m}" for m in members}
    c = result.campaigns[0]
    assert c.evidence["co_url"] > 0 and c.evidence["co_text"] > 0 and c.evidence["co_hashtags"] > 0
    assert {m.role for m in c.members} <= {"core", "peripheral"}
    assert c.narratives and "embassies" in c.narratives[0]["text"]
    assert c.platforms == [{"platform": "x", "first": c.first_activity}]


def test_a_very_active_organic_account_does_not_join() -> None:
    # A heavy poster who shares the campaign's link now and then, among thousands of own posts.
    members = [f"n{i}" for i in range(10)]
    posts = network(members, waves=8) + organic(100)
    posts += [post("heavy", i * 97, f"heavy poster update {i} on many different topics today",
                   urls=(f"https://smear.example/story-{i % 8}",)) for i in range(3000)]
    result = detect(posts)
    assert "x|id:heavy" not in result.coordinated
    assert len(result.coordinated) == 10


def test_a_network_of_one_and_an_empty_input() -> None:
    solo = [post("solo", i * 30, "the same message again and again from me", urls=("https://s.example/1",))
            for i in range(2000)]
    assert detect(solo).campaigns == []
    empty = detect([])
    assert empty.campaigns == [] and empty.counts["posts"] == 0


def test_posts_without_time_are_reported() -> None:
    members = [f"n{i}" for i in range(8)]
    posts = [*network(members, waves=6), post("n0", None, "lost time"), post("x1", None, "lost time")]
    result = detect(posts)
    assert result.counts["posts_without_time"] == 2
    assert len(result.coordinated) == 8


def test_cross_platform_network_is_one_campaign() -> None:
    x_side = network([f"x{i}" for i in range(8)], waves=6, platform="x")
    tg_side = network([f"t{i}" for i in range(8)], waves=6, platform="telegram")  # same waves, same content
    result = detect(x_side + tg_side + organic(100))
    assert len(result.campaigns) == 1
    assert {p["platform"] for p in result.campaigns[0].platforms} == {"x", "telegram"}


def test_two_networks_stay_apart() -> None:
    a = network([f"a{i}" for i in range(10)], waves=6, start=0)
    b = network([f"b{i}" for i in range(10)], waves=6, start=3600)  # other waves
    result = detect(a + b + organic(100))
    assert sorted(len(c.members) for c in result.campaigns) == [10, 10]


def test_window_is_configurable() -> None:
    # Members 100 s apart: linked with Δt = 5 min, not with 30 s.
    posts = []
    for w in range(8):
        for i in range(6):
            posts.append(post(f"n{i}", w * 7200 + i * 100, f"exactly this smear text about the activist {w}",
                              urls=(f"https://s.example/{w}",)))
    posts += organic(100)
    assert detect(posts, CoordinationConfig(window=300)).coordinated
    assert not detect(posts, CoordinationConfig(window=30)).coordinated


@pytest.mark.parametrize("seed", [0, 1])
def test_simulator_quality(seed: int) -> None:
    sim = simulate(SimConfig(seed=seed, organic_accounts=600))
    result = detect(sim.posts)
    labels = {m.key: i for i, c in enumerate(result.campaigns) for m in c.members}
    s = score(labels, sim)
    assert s["precision"] >= 0.95 and s["recall"] >= 0.90 and s["ari"] >= 0.90, s


def test_simulator_has_ground_truth_and_hard_negatives() -> None:
    sim = simulate(SimConfig(seed=5, organic_accounts=300, networks=2))
    roles = set(sim.roles.values())
    assert {"fan", "news_bot", "critic", "heavy", "network"} <= roles
    assert len(sim.networks) == 2 and all(20 <= len(n.members) <= 200 for n in sim.networks)
    assert set(sim.truth) == {m for n in sim.networks for m in n.members}
    languages = {n.language for s in range(3) for n in simulate(SimConfig(seed=s, organic_accounts=50, networks=5)).networks}
    assert languages == {"ar", "fa", "en"}
    assert simulate(replace(SimConfig(seed=5, organic_accounts=300, networks=2))).posts == sim.posts  # reproducible


def test_evaluate_reports_means_and_worst_seed() -> None:
    r = evaluate(2, sim=SimConfig(organic_accounts=300))
    assert set(r["himaya"]) >= {"precision", "recall", "f1", "ari", "min_precision", "min_recall", "min_ari"}
    assert len(r["per_seed"]) == 2
