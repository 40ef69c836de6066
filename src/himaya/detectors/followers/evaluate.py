"""`himaya eval followers`: the whole chain (waves → handles → profiles → score) on simulated scenarios.

Every seed is scored twice: with the profiles CSV the simulator writes, and with follow times and
handles only (what a plain Instagram export gives). Figures are pooled over seeds (micro averages)
and the worst seed is shown too. The defaults were chosen on seeds from 1000 up; evaluation seeds
start at 0, so the figures are not measured on the data the thresholds were tuned on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from himaya.detectors.followers.data import from_arrays
from himaya.detectors.followers.profiles import Profiles
from himaya.detectors.followers.scoring import DEFAULT_THRESHOLD, score_followers
from himaya.detectors.followers.simulate import Scenario, simulate
from himaya.detectors.followers.waves import detect_waves

BOUNDARY_S = 15 * 60
MODES = ("with_profiles", "times_and_handles")


def profiles_of(sc: Scenario) -> Profiles:
    p = sc.profiles
    n = len(sc.handles)
    return Profiles(np.ones(n, bool), p["posts"].astype(np.float64), p["followers"].astype(np.float64),
                    p["following"].astype(np.float64), p["has_profile_pic"].astype(np.float64),
                    p["is_private"].astype(np.float64), np.asarray(p["account_created"], np.float64),
                    list(p["full_name"]), list(p["bio"]))


@dataclass
class _Tally:
    attackers: int = 0
    organic: int = 0
    remove_tp: int = 0
    remove_fp: int = 0
    review_tp: int = 0
    review_fp: int = 0
    worst_remove_precision: float = 1.0
    worst_recall: float = 1.0

    def add(self, truth: np.ndarray, band: np.ndarray) -> None:
        rm, rv = band == 2, band == 1
        self.attackers += int(truth.sum())
        self.organic += int((~truth).sum())
        tp, fp = int((rm & truth).sum()), int((rm & ~truth).sum())
        self.remove_tp += tp
        self.remove_fp += fp
        self.review_tp += int((rv & truth).sum())
        self.review_fp += int((rv & ~truth).sum())
        if tp + fp:
            self.worst_remove_precision = min(self.worst_remove_precision, tp / (tp + fp))
        flagged = int(((rm | rv) & truth).sum())
        self.worst_recall = min(self.worst_recall, flagged / max(int(truth.sum()), 1))

    def figures(self) -> dict[str, float | int]:
        flagged_tp = self.remove_tp + self.review_tp
        flagged = flagged_tp + self.remove_fp + self.review_fp
        precision = flagged_tp / max(flagged, 1)
        recall = flagged_tp / max(self.attackers, 1)
        return {
            "remove_precision": self.remove_tp / max(self.remove_tp + self.remove_fp, 1),
            "remove_recall": self.remove_tp / max(self.attackers, 1),
            "member_recall": recall,
            "flagged_precision": precision,
            "flagged_f1": 2 * precision * recall / max(precision + recall, 1e-9),
            "genuine_removed": self.remove_fp,
            "genuine_in_review": self.review_fp,
            "genuine_followers": self.organic,
            "attackers": self.attackers,
            "worst_seed_remove_precision": self.worst_remove_precision,
            "worst_seed_member_recall": self.worst_recall,
        }


def evaluate(seeds: int = 20, *, first_seed: int = 0, threshold: float = DEFAULT_THRESHOLD, days: float = 60.0,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    tallies = {m: _Tally() for m in MODES}
    true_waves = found = matched = 0
    start_err: list[float] = []
    end_err: list[float] = []
    per_seed = []
    for s in range(first_seed, first_seed + seeds):
        sc = simulate(s, days=days)
        fs = from_arrays(sc.handles, sc.times, target=sc.target, name=f"seed {s}")
        wr = detect_waves(fs.times)
        truth = sc.attacker
        for mode in MODES:
            scored = score_followers(fs, wr, profiles=profiles_of(sc) if mode == "with_profiles" else None,
                                     threshold=threshold)
            tallies[mode].add(truth, scored.band)
        true_waves += len(sc.waves)
        found += len(wr.waves)
        hits = 0
        for tw in sc.waves:
            best = min(wr.waves, key=lambda w: abs(w.start - tw.start) + abs(w.end - tw.end), default=None)
            if best is None or best.end < tw.start or best.start > tw.end:
                continue
            start_err.append(abs(best.start - tw.start))
            end_err.append(abs(best.end - tw.end))
            if start_err[-1] <= BOUNDARY_S and end_err[-1] <= BOUNDARY_S:
                hits += 1
        matched += hits
        per_seed.append({"seed": s, "followers": len(sc.handles), "attackers": int(truth.sum()),
                         "true_waves": len(sc.waves), "found_waves": len(wr.waves), "matched_waves": hits,
                         "viral_spikes": len(sc.spikes)})
        if progress:
            progress(s - first_seed + 1)
    errs = np.array(start_err + end_err) if start_err else np.zeros(1)
    return {
        "seeds": seeds, "first_seed": first_seed, "threshold": threshold, "days": days,
        "followers": sum(p["followers"] for p in per_seed),
        "modes": {m: t.figures() for m, t in tallies.items()},
        "waves": {"true": true_waves, "found": found, "matched_within_15_min": matched,
                  "recall": matched / max(true_waves, 1), "precision": matched / max(found, 1),
                  "boundary_error_median_s": float(np.median(errs)), "boundary_error_p95_s": float(np.percentile(errs, 95)),
                  "boundary_error_max_s": float(errs.max())},
        "per_seed": per_seed,
    }


def too_little_data_check() -> dict[str, Any]:
    """A target with 12 followers: no wave may be invented."""
    sc = simulate(0, days=3, waves=0)
    keep = np.sort(np.random.default_rng(0).choice(len(sc.handles), 12, replace=False))
    wr = detect_waves(sc.times[keep])
    return {"followers": 12, "status": wr.status, "waves": len(wr.waves)}
