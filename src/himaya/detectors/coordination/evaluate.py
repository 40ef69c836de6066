"""`himaya eval coordination`: quality on simulated campaigns, seed by seed, with the ground truth.

Account level: precision and recall of "is in a coordinated network". Campaign level: the adjusted
Rand index between true networks and found campaigns, over every account that is either truly
coordinated or flagged (an organic account or a missed one counts as its own singleton), so both
splitting a network and pulling organic accounts into it lower the score.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from himaya.detectors.coordination.detect import CoordinationConfig, detect
from himaya.detectors.coordination.simulate import SimConfig, Simulation, simulate


def score(found: Mapping[str, object], sim: Simulation) -> dict[str, Any]:
    """`found`: flagged account -> campaign label."""
    truth = sim.truth
    flagged, true = set(found), set(truth)
    tp = len(flagged & true)
    precision = tp / len(flagged) if flagged else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    union = sorted(flagged | true)
    ari = adjusted_rand_score([truth.get(k, "organic:" + k) for k in union],
                              [str(found.get(k, "missed:" + k)) for k in union]) if union else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "ari": round(float(ari), 4),
            "flagged": len(flagged), "coordinated": len(true),
            "false_positives_by_role": dict(Counter(sim.roles.get(k, "?") for k in flagged - true))}


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return round(float(np.mean([r[key] for r in rows])), 4) if rows else 0.0


def evaluate(seeds: int = 10, *, first_seed: int = 0, sim: SimConfig | None = None,
             config: CoordinationConfig | None = None, toolkit: bool = False,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    base = sim or SimConfig()
    config = config or CoordinationConfig()
    rows: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    for seed in range(first_seed, first_seed + seeds):
        s = simulate(replace(base, seed=seed))
        start = time.perf_counter()
        result = detect(s.posts, config)
        seconds = time.perf_counter() - start
        labels = {m.key: i for i, c in enumerate(result.campaigns) for m in c.members}
        rows.append({"seed": seed, "posts": len(s.posts), "networks": len(s.networks),
                     "network_sizes": [len(n.members) for n in s.networks], "campaigns": len(result.campaigns),
                     "seconds": round(seconds, 2), **score(labels, s)})
        if toolkit:
            from himaya.detectors.coordination.baseline import run_toolkit

            found, tk_seconds = run_toolkit(s.posts, window=config.window, min_weight=config.edges.min_coactions)
            baseline.append({"seed": seed, "seconds": round(tk_seconds, 2), **score(found, s)})
        if progress:
            progress(seed)
    out: dict[str, Any] = {
        "seeds": seeds, "window_s": config.window,
        "simulator": {"organic_accounts": base.organic_accounts, "network_size": list(base.network_size),
                      "days": base.days},
        "himaya": {k: _mean(rows, k) for k in ("precision", "recall", "f1", "ari", "seconds")}
        | {"min_precision": min(r["precision"] for r in rows), "min_recall": min(r["recall"] for r in rows),
           "min_ari": min(r["ari"] for r in rows)},
        "per_seed": rows,
    }
    if toolkit:
        out["toolkit"] = {k: _mean(baseline, k) for k in ("precision", "recall", "f1", "ari", "seconds")}
        out["toolkit_per_seed"] = baseline
    return out
