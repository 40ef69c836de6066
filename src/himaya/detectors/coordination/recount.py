"""The exact recount of co-actions for candidate pairs (see `coaction`, step 2).

For every post of the less active account of a pair on an item the other one also touched, the
other's nearest post on that item is found by binary search over entries sorted by (account,
item, time). Pairs are taken in slices of about `_BATCH` such posts, so memory stays bounded.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.coordination.features import CHANNELS, Actions
from himaya.detectors.coordination.threads import ordered_map

if TYPE_CHECKING:
    from himaya.detectors.coordination.coaction import CoActions

_TIME_BITS = np.int64(1 << 34)  # ~540 years of seconds: room for any post time after the rank
_BATCH = 2_000_000


def recount(actions: Actions, a: NDArray[np.int64], b: NDArray[np.int64], auth: NDArray[np.int64],
             time: NDArray[np.int64], episode: NDArray[np.int64], window: int, horizon: int,
             base: CoActions) -> CoActions:
    item = actions.entry_item
    n_items = max(len(actions.item_channel), 1)
    # Entries sorted by (account, item, time); `ai` ranks each (account, item) pair.
    order = np.lexsort((time, item, auth))
    s_auth, s_item, s_time = auth[order], item[order], time[order]
    ai_key = s_auth * n_items + s_item
    ai_uniq, ai_rank = np.unique(ai_key, return_inverse=True)
    tmin = int(s_time.min())
    composite = ai_rank.astype(np.int64) * _TIME_BITS + (s_time - tmin)
    n_acc = len(actions.accounts)
    starts = np.searchsorted(s_auth, np.arange(n_acc + 1))
    n_entries = np.diff(starts)
    light_is_a = n_entries[a] <= n_entries[b]
    light, heavy = np.where(light_is_a, a, b), np.where(light_is_a, b, a)
    reps = n_entries[light]
    s_ep = episode[order]
    n_pairs = len(a)
    near_n = np.zeros(n_pairs, dtype=np.int64)
    synced_n = np.zeros(n_pairs, dtype=np.int64)
    per_channel = np.zeros((n_pairs, len(CHANNELS)), dtype=np.int64)
    n_ep = int(episode.max()) + 1
    # Pairs are taken in slices of about _BATCH exploded entries, so memory stays bounded; two
    # threads take slices at once, each writing its own rows of the outputs.
    bounds = np.searchsorted(np.cumsum(reps), np.arange(_BATCH, int(reps.sum()) + _BATCH, _BATCH), side="right")
    cuts = [0, *np.unique(np.clip(bounds, 1, n_pairs)).tolist(), n_pairs]
    slices = [(lo, hi) for lo, hi in pairwise(cuts) if hi > lo]

    def run(bound: tuple[int, int]) -> None:
        _recount_slice(bound[0], bound[1], light, heavy, reps, starts, s_item, s_time, s_ep, ai_uniq, ai_rank,
                       composite, tmin, n_items, window, horizon, actions.item_channel, n_ep, near_n, synced_n,
                       per_channel)

    for _ in ordered_map(run, slices):
        pass
    base.episodes = per_channel.sum(axis=1)
    base.per_channel = per_channel
    base.near = near_n
    base.synced = synced_n
    return base


def _recount_slice(lo: int, hi: int, light: NDArray[np.int64], heavy: NDArray[np.int64], reps: NDArray[np.int64],
                   starts: NDArray[np.int64], s_item: NDArray[np.int64], s_time: NDArray[np.int64],
                   s_ep: NDArray[np.int64], ai_uniq: NDArray[np.int64], ai_rank: NDArray[np.int64],
                   composite: NDArray[np.int64], tmin: int, n_items: int, window: int, horizon: int,
                   item_channel: NDArray[np.int8], n_ep: int, near_n: NDArray[np.int64], synced_n: NDArray[np.int64],
                   per_channel: NDArray[np.int64]) -> None:
    r_slice = reps[lo:hi]
    pair_of = np.repeat(np.arange(lo, hi, dtype=np.int64), r_slice)
    offsets = np.arange(int(r_slice.sum()), dtype=np.int64) - np.repeat(np.cumsum(r_slice) - r_slice, r_slice)
    pos = starts[light][pair_of] + offsets
    e_item, e_time, e_ep = s_item[pos], s_time[pos], s_ep[pos]
    want = heavy[pair_of] * n_items + e_item
    r = np.searchsorted(ai_uniq, want)
    r_ok = r < len(ai_uniq)
    found = np.zeros(len(want), dtype=bool)
    found[r_ok] = ai_uniq[r[r_ok]] == want[r_ok]
    target = r * _TIME_BITS + (e_time - tmin)
    p = np.searchsorted(composite, target)
    gap = np.full(len(want), np.iinfo(np.int64).max, dtype=np.int64)
    for q in (p - 1, p):
        inside = found & (q >= 0) & (q < len(composite))
        qq = np.clip(q, 0, len(composite) - 1)
        inside &= ai_rank[qq] == r
        gap = np.where(inside, np.minimum(gap, np.abs(s_time[qq] - e_time)), gap)
    near = found & (gap <= horizon)
    synced = found & (gap <= window)
    near_n[lo:hi] += np.bincount(pair_of[near] - lo, minlength=hi - lo)
    synced_n[lo:hi] += np.bincount(pair_of[synced] - lo, minlength=hi - lo)
    # Distinct episodes per pair and channel among the synced entries.
    sp, se, si = pair_of[synced], e_ep[synced], e_item[synced]
    key = np.unique(sp * n_ep + se, return_index=True)[1]
    np.add.at(per_channel, (sp[key], item_channel[si[key]].astype(np.int64)), 1)
