"""The chance side of co-action: how often two accounts would meet if nothing tied them together.

Activity is counted per *cell*: a channel in a block of four weeks (`BLOCK_SECONDS`). The chance
rate κ of a channel is the number of co-action episodes found in it over its pairs of episodes of
different accounts *in the same block*, and the chance meetings of a pair are
`λ = Σ_cells κ · n_a · n_b`. Two accounts can only meet when both are active at the same time:
measured over the whole input, a long case (months, with communities that come and go) would
count pairs that could never meet, κ would come out too small, and every organic pair of one
community would look surprising. Blocks are long on purpose: cells per channel *and day* were
tried, and on the days of a hand-over between platforms a big network is most of the activity, so
the halves of the network were no longer joined (see docs/detectors/coordination.md, Limits). An
input shorter than a block is one block: the rate over the whole input.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, diags
from scipy.stats import poisson

from himaya.detectors.coordination.features import CHANNELS

KAPPA_CAP = 0.01
BLOCK_SECONDS = 28 * 86_400


def chance_rates(activity: csr_matrix, pair_episodes: NDArray[np.int64]) -> NDArray[np.float64]:
    """κ of each cell: co-action episodes found in its channel over the same-block pairs of episodes there.

    Pooled over the blocks of a channel: a large network can dominate a quiet block, and a rate
    measured on that block alone would be mostly the network and hide it. Capped at `KAPPA_CAP`: where more
    than one pair of actions in a hundred coincides, the channel is made of the coordination itself
    (an input that is mostly the attack, such as the replies to the target), not of chance.
    """
    return _pooled(activity, pair_episodes, len(CHANNELS))


def _possible(activity: csr_matrix) -> NDArray[np.float64]:
    total = np.asarray(activity.sum(axis=0), dtype=np.float64).ravel()
    squares = np.asarray(activity.multiply(activity).sum(axis=0), dtype=np.float64).ravel()
    out: NDArray[np.float64] = (total**2 - squares) / 2
    return out


def _pooled(activity: csr_matrix, pair_episodes: NDArray[np.int64], n_channels: int) -> NDArray[np.float64]:
    possible = _possible(activity).reshape(n_channels, -1).sum(axis=1)
    found = pair_episodes.reshape(n_channels, -1).sum(axis=1)
    rates = np.minimum(np.divide(found, possible, out=np.zeros(n_channels), where=possible > 0), KAPPA_CAP)
    return np.repeat(rates, activity.shape[1] // n_channels)


def activity_matrix(account: NDArray[np.int64], cell: NDArray[np.int64], n_accounts: int, n_cells: int) -> csr_matrix:
    """Episodes per (account, cell), from one (account, cell) row per distinct (account, episode)."""
    ones = np.ones(len(account), dtype=np.float64)
    return csr_matrix((ones, (account, cell)), shape=(n_accounts, n_cells))  # duplicates are summed


def expected_meetings(activity: csr_matrix, kappa: NDArray[np.float64], a: NDArray[np.int64],
                      b: NDArray[np.int64]) -> NDArray[np.float64]:
    """λ per pair: Σ over cells of κ · n_a · n_b (in batches: a sparse row per pair)."""
    weighted = csr_matrix(activity @ diags(kappa))
    out = np.zeros(len(a), dtype=np.float64)
    for lo in range(0, len(a), 500_000):
        hi = min(lo + 500_000, len(a))
        out[lo:hi] = np.asarray(weighted[a[lo:hi]].multiply(activity[b[lo:hi]]).sum(axis=1)).ravel()
    return out


def group_expected(activity: csr_matrix, pair_episodes: NDArray[np.int64], label: NDArray[np.int64],
                   n_groups: int, ga: NDArray[np.int64], gb: NDArray[np.int64]) -> NDArray[np.float64]:
    """λ between groups of accounts (`label`: group per account, -1 for none), over whole channels.

    Blocks are pooled here: two groups are compared over all their activity, with the rate of the
    whole input, so a network whose halves meet only on the few days of a hand-over is not judged
    against the busiest block alone.
    """
    n_channels = len(CHANNELS)
    per_channel = csr_matrix(activity @ _block_summer(activity.shape[1], n_channels))
    total = np.asarray(per_channel.sum(axis=0), dtype=np.float64).ravel()
    squares = np.asarray(per_channel.multiply(per_channel).sum(axis=0), dtype=np.float64).ravel()
    possible = (total**2 - squares) / 2
    found = pair_episodes.reshape(n_channels, -1).sum(axis=1)
    kappa = np.minimum(np.divide(found, possible, out=np.zeros(n_channels), where=possible > 0), KAPPA_CAP)
    members = np.flatnonzero(label >= 0)
    indicator = csr_matrix((np.ones(len(members)), (label[members], members)), shape=(n_groups, activity.shape[0]))
    groups = (indicator @ per_channel).toarray()
    out: NDArray[np.float64] = (groups[ga] * groups[gb] * kappa).sum(axis=1)
    return out


def _block_summer(n_cells: int, n_channels: int) -> csr_matrix:
    """A (cells, channels) 0/1 matrix that adds up the blocks of each channel."""
    days = n_cells // n_channels
    cells = np.arange(n_cells)
    return csr_matrix((np.ones(n_cells), (cells, cells // days)), shape=(n_cells, n_channels))


def log10_tail(log_sf: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.nan_to_num(-log_sf / math.log(10), posinf=300.0)
    return out


def count_surprise(count: NDArray[np.int64], expected: NDArray[np.float64]) -> NDArray[np.float64]:
    """-log10 P(X >= count), X ~ Poisson(expected)."""
    with np.errstate(divide="ignore"):
        return log10_tail(poisson.logsf(count.astype(np.float64) - 1, np.maximum(expected, 1e-12)))
