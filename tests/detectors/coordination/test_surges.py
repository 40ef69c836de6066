"""Hashtag and keyword surges: bursts found with their starters, steady and stop words not, one report per trend."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.coordination.detect import detect
from himaya.detectors.coordination.features import Actions, PostInput, build_actions
from himaya.detectors.coordination.report import write_campaigns_report
from himaya.detectors.coordination.simulate import SimConfig, simulate
from himaya.detectors.coordination.simvocab import TEMPLATES
from himaya.detectors.coordination.stopwords import stop_words
from himaya.detectors.coordination.store import run_case, stored_surges
from himaya.detectors.coordination.surges import SurgeRules, hashtag_words, surges
from himaya.detectors.coordination.textsig import words
from himaya.findings import load_findings
from himaya.store.db import Store
from himaya.store.importer import Importer
from tests.detectors.coordination.helpers import post

HOUR = 3600
CHATTER = ("weather", "football", "coffee", "market", "train", "garden", "concert", "library")


def background(hours: int = 72) -> list[PostInput]:
    """Ten people a day-long chatter: 'weather' in 40 posts every hour, never surging."""
    out = []
    for h in range(hours):
        for i in range(40):
            other = CHATTER[1 + (h + i) % (len(CHATTER) - 1)]
            out.append(post(f"bg{i % 10}", h * HOUR + i * 80, f"the weather and {other} today number {h} {i}"))
    return out


def burst(hour: int, n: int, text: str, *, tags: tuple[str, ...] = (), prefix: str = "b") -> list[PostInput]:
    return [post(f"{prefix}{i}", hour * HOUR + 60 + i * 30, text, tags=tags) for i in range(n)]


def run(posts: list[PostInput], coordinated: Collection[str] = (), rules: SurgeRules | None = None,
        ) -> tuple[Actions, list[dict[str, Any]]]:
    actions = build_actions(posts)
    flagged = np.array([a in coordinated for a in actions.accounts], dtype=bool)
    return actions, surges(actions, flagged, rules)


def by_term(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["term"]: s for s in found}


def test_a_keyword_burst_is_found_with_its_starters_and_coordinated_share() -> None:
    posts = background() + burst(48, 40, "she is a disinformation agent, they say")
    coordinated = {f"x|id:b{i}" for i in range(0, 40, 2)}  # half the burst's accounts
    _, found = run(posts, coordinated)
    s = by_term(found)["disinformation"]
    assert s["kind"] == "keyword"
    assert s["peak_posts"] == 40 and s["posts"] == 40 and s["accounts"] == 40 and s["baseline"] == 0
    assert s["coordinated_share"] == 0.5
    assert [st["account"] for st in s["starters"]] == [f"x|id:b{i}" for i in range(5)]
    assert [st["coordinated"] for st in s["starters"]] == [True, False, True, False, True]
    assert s["peak"] == s["start"] and s["end"] > s["peak"]
    assert "agent" in by_term(found)
    assert not {"she", "is", "they", "say"} & set(by_term(found))  # stop words and words under 3 letters


def test_a_steadily_common_word_does_not_surge() -> None:
    _, found = run(background())
    assert found == []


def test_hashtag_surges_are_still_found_and_kinds_have_their_own_top() -> None:
    posts = background() + burst(30, 30, "look at this", tags=("Scandal2025",)) + burst(50, 30, "unrelated words",
                                                                                        prefix="c")
    _, found = run(posts)
    tag = by_term(found)["#Scandal2025"]
    assert tag["kind"] == "hashtag" and tag["posts"] == 30
    assert {s["kind"] for s in found} == {"hashtag", "keyword"}
    _, only_tags = run(posts, rules=SurgeRules(keywords=False))
    assert [s["term"] for s in only_tags] == ["#Scandal2025"]
    _, one_keyword = run(posts, rules=SurgeRules(top_keywords=1, top_hashtags=0))
    assert [s["kind"] for s in one_keyword] == ["keyword"]


def test_stop_words_and_short_words_never_surge() -> None:
    posts = background() + burst(40, 50, "the and with that would from your they ok no يا في من على در به از است")
    _, found = run(posts)
    assert found == []
    assert {"the", "with", "علي", "است"} <= stop_words()


def test_a_hashtag_repeated_in_the_text_is_one_trend() -> None:
    posts = background() + burst(40, 40, "stop rania now, her funds are foreign", tags=("StopRania",))
    _, found = run(posts)
    terms = by_term(found)
    assert "#StopRania" in terms
    assert "stop" not in terms and "rania" not in terms  # the hashtag's own words
    assert terms["funds"]["kind"] == "keyword" and "foreign" in terms  # what the trend says
    # Without the hashtag surging in those hours, the name is a keyword trend of its own.
    _, alone = run(background() + burst(40, 40, "stop rania now, her funds are foreign"))
    assert {"stop", "rania", "funds", "foreign"} <= set(by_term(alone))
    assert hashtag_words("ForeignAgent_Rania2") >= {"foreign", "agent", "rania"}


def test_empty_input() -> None:
    assert surges(build_actions([]), np.zeros(0, dtype=bool)) == []
    untimed = build_actions([post("a", None, "no time at all")])
    assert surges(untimed, np.zeros(len(untimed.accounts), dtype=bool)) == []
    assert run([post("a", 0, "")])[1] == []  # a post without text or tags


def test_the_simulated_networks_narrative_surges_as_keywords() -> None:
    sim = simulate(SimConfig(seed=3, organic_accounts=300, networks=2, network_size=(60, 100), days=8))
    result = detect(sim.posts)
    keywords = [s for s in result.surges if s["kind"] == "keyword"]
    narrative = {w for n in sim.networks for template in TEMPLATES[n.language] for slot in template
                 for option in (slot if isinstance(slot, tuple) else (slot,)) for w in words(option.format(n.target))}
    assert keywords and all(s["term"] in narrative for s in keywords)
    assert all(s["coordinated_share"] >= 0.9 for s in keywords)
    assert any(s["kind"] == "hashtag" for s in result.surges)
    assert not {s["term"] for s in keywords} & stop_words()


def test_both_kinds_are_stored_hashed_and_reported(store: Store, tmp_path: Path) -> None:
    rows = []
    for p in background(hours=30) + burst(20, 30, "exposed: her funds come from abroad", tags=("Exposed",)):
        when = datetime.fromtimestamp(p.time or 0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append({"schema_version": "himaya.generic/1", "platform": "x", "record_type": "post", "post_id": p.post_id,
                     "created_at": when, "author_id": p.author_id, "text": p.text, "hashtags": list(p.hashtags)})
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    Importer(store, case="c").run(path)
    _, stored_run = run_case(store, "c")
    assert stored_run is not None
    kinds = {f.finding.kind: f.finding for f in load_findings(store, "c", detector="coordination")}
    assert {"hashtag_surge", "keyword_surge"} <= set(kinds)
    keyword = kinds["keyword_surge"]
    assert keyword.subject_key.startswith("term:") and "funds" not in keyword.subject_key  # the word is not in clear
    stored = stored_surges(store, "c")
    assert {(s["kind"], s["term"]) for s in stored} >= {("hashtag", "#Exposed"), ("keyword", "funds")}
    assert ("keyword", "exposed") not in {(s["kind"], s["term"]) for s in stored}  # the hashtag's word
    html = write_campaigns_report(tmp_path / "r.html", [], stored, case="c").read_text(encoding="utf-8")
    assert "Hashtag surges" in html and "Keyword surges" in html and ">funds<" in html
