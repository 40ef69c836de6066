"""Which co-acting pairs are more than chance: two tests, on *how often* and on *how closely*.

How often. In each channel, an account active in `n_a` episodes and one active in `n_b` meet by
chance about `κ_ch · n_a · n_b` times, where `κ_ch` is the rate at which any two episodes of any two
accounts coincide in that channel (co-action episodes found, over all pairs of episodes). Summed
over channels this is `λ`. A very active account needs proportionally more co-actions with a
partner before the edge counts, and a channel where everyone meets everyone (fans sharing one
celebrity) has a high `κ`, so meeting there is worth less. The *surprise* is `-log10 P(X >= c)`,
`X ~ Poisson(λ)`, and must pass a Bonferroni bound for the number of pairs tested.

How closely. Of the `near` times the two acted on the same item within the sync horizon (half an
hour by default), `synced` fell within Δt. People reacting independently to the same thing land
within Δt of each other in at most about a quarter of those (`chance_sync`; 0.16 measured on
fans reacting to a celebrity within minutes); the *timing surprise* is `-log10 P(Y >= synced)`,
`Y ~ Binomial(near, chance_sync)`. It must reach `log10(pairs tested) - 2` (at least 2): about a
hundred candidate pairs could pass it by chance, and those must also pass the count test, where a
family-wise bound applies. A stricter timing bound would drop real members with few waves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import binom

from himaya.detectors.coordination.chance import chance_rates, count_surprise, expected_meetings, log10_tail
from himaya.detectors.coordination.coaction import CoActions


@dataclass(frozen=True)
class EdgeRules:
    min_coactions: int = 3
    alpha: float = 0.01
    chance_sync: float = 0.25
    min_timing_surprise: float | None = None  # None: max(2, log10(pairs tested) - 2)


@dataclass
class Edges:
    a: NDArray[np.int64]
    b: NDArray[np.int64]
    episodes: NDArray[np.int64]
    per_channel: NDArray[np.int64]
    expected: NDArray[np.float64]
    surprise: NDArray[np.float64]
    synchrony: NDArray[np.float64]
    timing: NDArray[np.float64]
    threshold: float
    timing_threshold: float
    kappa: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.a)


def significant_edges(co: CoActions, rules: EdgeRules | None = None) -> Edges:
    rules = rules or EdgeRules()
    kappa = chance_rates(co.activity, co.pair_episodes)
    expected = expected_meetings(co.activity, kappa, co.a, co.b)
    surprise = count_surprise(co.episodes, expected)
    with np.errstate(divide="ignore"):
        timing = log10_tail(binom.logsf(co.synced - 1, co.near, rules.chance_sync))
    threshold = -math.log10(rules.alpha) + math.log10(max(co.tested, 1))
    timing_threshold = rules.min_timing_surprise
    if timing_threshold is None:
        timing_threshold = max(2.0, math.log10(max(co.tested, 1)) - 2)
    keep = (co.episodes >= rules.min_coactions) & (timing >= timing_threshold) & (surprise >= threshold)
    return Edges(co.a[keep], co.b[keep], co.episodes[keep], co.per_channel[keep], expected[keep], surprise[keep],
                 co.synchrony[keep], timing[keep], threshold, timing_threshold, kappa)
