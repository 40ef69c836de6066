"""The whole pipeline on in-memory posts: features → co-actions → significant edges → campaigns → surges."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from himaya.detectors.coordination.campaigns import Campaign, summarise
from himaya.detectors.coordination.coaction import co_actions
from himaya.detectors.coordination.communities import communities
from himaya.detectors.coordination.features import CHANNELS, Actions, PostInput, build_actions
from himaya.detectors.coordination.significance import EdgeRules, significant_edges
from himaya.detectors.coordination.surges import SurgeRules, surges

VERSION = "1"
DEFAULT_WINDOW = 60


@dataclass(frozen=True)
class CoordinationConfig:
    window: int = DEFAULT_WINDOW        # Δt, seconds
    cap: int = 48                       # neighbours compared per post in the candidate pass
    min_candidate: int = 3              # candidate pairs: episodes met in the capped pass
    sync_horizon: int | None = None     # "near" for the timing test; None: 30 x window
    min_words: int = 4                  # shorter texts are not compared
    text_threshold: float = 0.5         # Jaccard of word sets for near-duplicates
    min_campaign_size: int = 2
    edges: EdgeRules = field(default_factory=EdgeRules)
    surges: SurgeRules = field(default_factory=SurgeRules)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Result:
    campaigns: list[Campaign]
    coordinated: dict[str, float]       # account key -> score, members of a campaign
    surges: list[dict[str, Any]]
    counts: dict[str, Any]
    seconds: dict[str, float]

    def summary(self) -> dict[str, Any]:
        return {**self.counts, "campaigns": len(self.campaigns), "coordinated_accounts": len(self.coordinated),
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


Step = Callable[[str], None]


def _channel_rates(kappa: np.ndarray) -> dict[str, float]:
    """The chance rate κ of each channel (`chance` keeps one per cell; a cell is a channel today)."""
    per_channel = kappa.reshape(len(CHANNELS), -1).max(axis=1)
    return {name: float(k) for name, k in zip(CHANNELS, per_channel, strict=True)}


def detect_actions(actions: Actions, config: CoordinationConfig | None = None, *, step: Step | None = None,
                   seconds: dict[str, float] | None = None) -> Result:
    config = config or CoordinationConfig()
    seconds = dict(seconds or {})
    say = step or (lambda _name: None)
    t = time.perf_counter()
    say("co-actions")
    co = co_actions(actions, window=config.window, cap=config.cap, min_candidate=config.min_candidate,
                    sync_horizon=config.sync_horizon, alpha=config.edges.alpha)
    seconds["coactions"] = time.perf_counter() - t
    t = time.perf_counter()
    say("significance")
    edges = significant_edges(co, config.edges)
    say("communities")
    found = communities(edges, co, config.edges, min_size=config.min_campaign_size)
    seconds["network"] = time.perf_counter() - t
    t = time.perf_counter()
    say("campaigns")
    campaigns = [c for c in (summarise(actions, co, edges, com) for com in found) if c is not None]
    coordinated: dict[str, float] = {}
    flagged = np.zeros(len(actions.accounts), dtype=bool)
    for c in campaigns:
        for m in c.members:
            coordinated[m.key] = m.score
    for community in found:
        flagged[community.members] = True
    say("surges")
    term_surges = surges(actions, flagged, config.surges)
    seconds["campaigns"] = time.perf_counter() - t
    counts = {"posts": actions.n_posts + actions.untimed_posts + actions.anonymous_posts,
              "posts_timed": actions.n_posts, "posts_without_time": actions.untimed_posts,
              "posts_without_author": actions.anonymous_posts, "accounts": len(actions.accounts),
              "items": len(actions.item_label), "actions": len(actions.entry_item), "pairs_screened": co.tested, "candidate_pairs": len(co.a),
              "edges": len(edges), "edge_threshold": round(edges.threshold, 2), "chance_rate": _channel_rates(edges.kappa),
              "window_s": config.window}
    return Result(campaigns, coordinated, term_surges, counts, seconds)


def detect(posts: Iterable[PostInput], config: CoordinationConfig | None = None, *, step: Step | None = None) -> Result:
    config = config or CoordinationConfig()
    t = time.perf_counter()
    if step:
        step("features")
    actions = build_actions(posts, min_words=config.min_words, text_threshold=config.text_threshold)
    return detect_actions(actions, config, step=step, seconds={"features": time.perf_counter() - t})
