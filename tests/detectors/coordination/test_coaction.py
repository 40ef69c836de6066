"""Hand-built scenarios, one comment per expected count (as in coordination-network-toolkit's tests)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from himaya.detectors.coordination.coaction import co_actions
from himaya.detectors.coordination.features import CHANNELS, PostInput, build_actions
from tests.detectors.coordination.helpers import post


def pair_stats(posts: list[PostInput], **kw: Any) -> dict[tuple[str, str], dict[str, int]]:
    actions = build_actions(posts)
    co = co_actions(actions, min_candidate=1, screen_slack=100, **kw)
    out = {}
    for i, (a, b) in enumerate(zip(co.a.tolist(), co.b.tolist(), strict=True)):
        first, second = sorted(actions.accounts[x].split(":")[1] for x in (a, b))
        names = (first, second)
        out[names] = {"episodes": int(co.episodes[i]), "near": int(co.near[i]), "synced": int(co.synced[i]),
                      **{c: int(co.per_channel[i, k]) for k, c in enumerate(CHANNELS)}}
    return out


def test_same_link_within_and_outside_the_window() -> None:
    posts = [post("a", 0, urls=("https://n.example/1?utm_source=a",)),
             post("b", 30, urls=("http://m.n.example/1",)),      # same link, 30 s later: a co-action
             post("c", 200, urls=("https://n.example/1",)),      # 170 s after b: outside Δt = 60 s
             post("a", 5000, urls=("https://n.example/2",)),
             post("b", 5059, urls=("https://n.example/2",))]     # 59 s: inside
    stats = pair_stats(posts, window=60)
    assert stats[("a", "b")]["episodes"] == 2                    # links 1 and 2
    assert stats[("a", "b")]["url"] == 2
    assert ("a", "c") not in stats or stats[("a", "c")]["episodes"] == 0
    assert stats.get(("b", "c"), {"episodes": 0})["episodes"] == 0


def test_one_item_in_many_waves_counts_once_per_wave() -> None:
    # The same reply target hit in three bursts hours apart is three co-action episodes, not one.
    posts = [p for w in range(3) for p in (post("a", w * 7200, reply_to="t1"), post("b", w * 7200 + 10, reply_to="t1"))]
    stats = pair_stats(posts)[("a", "b")]
    assert (stats["episodes"], stats["reply"]) == (3, 3)


def test_identical_timestamps_from_rounding_are_co_actions() -> None:
    # Exports that round to the minute give equal times; equal is within any window.
    posts = [post(x, 0, forward_of="src1") for x in "abc"] + [post(x, 600, forward_of="src2") for x in "abc"]
    stats = pair_stats(posts)
    assert {k: v["share"] for k, v in stats.items()} == {("a", "b"): 2, ("a", "c"): 2, ("b", "c"): 2}


def test_untimed_posts_are_counted_and_left_out() -> None:
    posts = [post("a", None, urls=("https://n.example/1",)), post("b", 0, urls=("https://n.example/1",)),
             post("c", 10, urls=("https://n.example/1",))]
    actions = build_actions(posts)
    assert actions.untimed_posts == 1 and actions.n_posts == 2
    assert set(pair_stats(posts)) == {("b", "c")}


def test_one_account_alone_has_no_pairs() -> None:
    # A single account posting the same link thousands of times: nobody to coordinate with.
    posts = [post("solo", i * 5, urls=("https://n.example/1",), text="buy now " * 3) for i in range(5000)]
    co = co_actions(build_actions(posts), min_candidate=1)
    assert len(co.a) == 0 and co.tested == 0


def test_synchrony_separates_seconds_from_minutes() -> None:
    # a and b share 10 items, always 5 s apart; a and c share them 10 to 25 minutes apart.
    posts = []
    for k in range(10):
        t = k * 86400
        posts += [post("a", t, reply_to=f"t{k}"), post("b", t + 5, reply_to=f"t{k}"),
                  post("c", t + 600 + 90 * k, reply_to=f"t{k}")]
    stats = pair_stats(posts)
    assert stats[("a", "b")]["near"] == 10 and stats[("a", "b")]["synced"] == 10
    assert stats.get(("a", "c"), {"synced": 0})["synced"] == 0


def test_capped_join_finds_pairs_in_a_crowded_burst() -> None:
    # 300 accounts in one 60 s burst, 10 times: the cap limits work, not what is found.
    posts = [post(f"n{i}", w * 7200 + (i % 60), urls=(f"https://s.example/{w}",)) for w in range(10) for i in range(300)]
    actions = build_actions(posts)
    co = co_actions(actions)
    assert co.tested > 0 and len(co.a) > 0
    assert np.all(co.episodes[co.synced > 0] >= 3)


def test_bucketed_join_gives_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Large inputs are joined in slices and added up in buckets of pairs to bound memory; the result must not change.
    from himaya.detectors.coordination import coaction

    posts = [post(f"n{i}", w * 7200 + (i * 3) % 50, f"same smear text number {w} about the activist",
                  urls=(f"https://s.example/{w}",)) for w in range(6) for i in range(40)]
    posts += [post(f"o{i}", i * 37, f"organic text {i} about the weather and the match") for i in range(300)]
    actions = build_actions(posts)
    whole = co_actions(actions)
    monkeypatch.setattr(coaction, "_BUCKET_MEETINGS", 500)
    monkeypatch.setattr(coaction, "_JOIN_SLICE", 100)
    sharded = co_actions(actions)
    assert whole.tested == sharded.tested and whole.tested > 0
    assert np.array_equal(whole.a, sharded.a) and np.array_equal(whole.b, sharded.b)
    assert np.array_equal(whole.per_channel, sharded.per_channel)
    assert np.array_equal(whole.pair_episodes, sharded.pair_episodes)
