"""Co-actions: two accounts touching the same item within Δt of each other, counted with numpy.

Two passes, both sort-based, no Python loop over pairs:

1. *Candidates.* Entries (item, time) are sorted; each entry is compared with the next ones in
   time on the same item while they stay within Δt, at most `cap` of them. The cap bounds the
   work on a trending item (100,000 retweets of one post would otherwise make 10^10 pairs) and
   loses little: a real network meets its partners again and again on other items. Pairs seen
   on at least `min_candidate` distinct *episodes*, and whose capped count alone is within
   `screen_slack` orders of magnitude of significance (`significance`), go on. The screen keeps the
   recount away from the million pairs of fans who met a few times by chance; a network's capped
   count, even cut by the cap, is far above it. An episode is a burst of one item with
   no gap longer than Δt, so one text reused in thirty waves counts thirty times, not once.
2. *Exact recount* for the candidates only: for every post of the less active account on an
   item the other one also touched, the other's nearest post on that item is looked up
   (searchsorted). That gives the exact number of co-action episodes per channel and the
   *synchrony*: of the times both acted on an item within `sync_horizon`, the share that fell
   within Δt. Independent accounts reacting to the same news (fans, news bots polling a feed)
   meet within minutes but rarely within seconds; a network meets within seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from himaya.detectors.coordination.chance import (
    BLOCK_SECONDS,
    activity_matrix,
    chance_rates,
    count_surprise,
    expected_meetings,
)
from himaya.detectors.coordination.features import CHANNELS, Actions
from himaya.detectors.coordination.recount import recount
from himaya.detectors.coordination.threads import WORKERS, ordered_map

_JOIN_SLICE = 500_000
_BUCKET_MEETINGS = 40_000_000  # meetings added up in one sort (about 1 GB with its temporaries)


@dataclass
class CoActions:
    """Candidate pairs (a < b, account indices) and what they share."""

    a: NDArray[np.int64]
    b: NDArray[np.int64]
    episodes: NDArray[np.int64]          # distinct co-action episodes within Δt
    per_channel: NDArray[np.int64]       # (pairs, channels) episodes by channel
    near: NDArray[np.int64]              # posts of the lighter account met within the sync horizon
    synced: NDArray[np.int64]            # ... of which within Δt
    activity: csr_matrix                 # (accounts, cells) episodes each account took part in (`chance`)
    pair_episodes: NDArray[np.int64]     # per cell, distinct (pair, episode) found by the capped join
    tested: int                          # pairs screened (met on >= min_candidate episodes)
    entry_episode: NDArray[np.int64]     # per entry, its episode id
    window: int

    @property
    def synchrony(self) -> NDArray[np.float64]:
        return self.synced / np.maximum(self.near, 1)


def sorted_unique(x: NDArray[np.int64]) -> NDArray[np.int64]:
    """np.unique by sorting (numpy's hash-based unique is many times slower on tens of millions of keys)."""
    s = np.sort(x)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _episodes(item: NDArray[np.int64], time: NDArray[np.int64], window: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Order of entries by (item, time) and the episode id of each entry (in original order)."""
    order = np.lexsort((time, item))
    it, tt = item[order], time[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (it[1:] != it[:-1]) | (tt[1:] - tt[:-1] > window)
    ep_sorted = np.cumsum(new) - 1
    episode = np.empty(len(order), dtype=np.int64)
    episode[order] = ep_sorted
    return order, episode


def _capped_join(ep: NDArray[np.int64], auth: NDArray[np.int64], t: NDArray[np.int64], window: int, cap: int,
                 n_accounts: int, ep_cell: NDArray[np.int64], min_count: int, n_cells: int) -> tuple[
                     NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Pairs met within Δt on at least `min_count` distinct episodes, how many, and meetings per cell.

    Entries come sorted by (item, time). Pairs never cross episodes, so the join runs over slices
    of whole episodes (two threads), and each meeting is one pair key. The keys are dealt into
    buckets by pair (most are chance meetings of fans on popular items, tens of millions at 10M
    posts) and each bucket is sorted and counted on its own, so no sort holds them all at once.
    """
    # An episode with one entry meets nobody: most organic posts are such, drop them first.
    alone = np.ones(len(ep), dtype=bool)
    alone[1:] &= ep[1:] != ep[:-1]
    alone[:-1] &= ep[:-1] != ep[1:]
    ep, auth, t = ep[~alone], auth[~alone], t[~alone]
    # Where an account has two entries in one episode it can meet a partner twice there, and the
    # episode must count once: those (rare) episodes are deduplicated, the rest need no sort.
    seen = np.sort(ep * n_accounts + auth)
    repeats = np.zeros(len(ep_cell), dtype=bool)
    repeats[seen[1:][seen[1:] == seen[:-1]] // n_accounts] = True
    del seen
    buckets = WORKERS * max(1, math.ceil(_meetings(ep, t, window, cap) / _BUCKET_MEETINGS))
    bounds = [0]
    while bounds[-1] < len(ep):
        hi = min(bounds[-1] + _JOIN_SLICE, len(ep))
        if hi < len(ep):  # extend to the end of the episode in progress
            hi = int(np.searchsorted(ep, ep[hi - 1], side="right"))
        bounds.append(hi)

    def pairs_of_slice(k: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        lo, hi = bounds[k], bounds[k + 1]
        key, e = _join_slice(ep[lo:hi], auth[lo:hi], t[lo:hi], window, cap, n_accounts, repeats)
        return key, np.bincount(ep_cell[e], minlength=n_cells)

    per_cell = np.zeros(n_cells, dtype=np.int64)
    keys: list[list[NDArray[np.int64]]] = [[] for _ in range(buckets)]
    for key, cells in ordered_map(pairs_of_slice, range(len(bounds) - 1)):
        per_cell += cells
        bucket = (key // n_accounts) % buckets
        for k in range(buckets):
            keys[k].append(key[bucket == k])

    def add_up(k: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        key_all = np.concatenate(keys[k]) if keys[k] else np.zeros(0, dtype=np.int64)
        keys[k] = []
        if not len(key_all):
            return key_all, key_all
        key_all.sort()
        starts = np.flatnonzero(np.r_[True, key_all[1:] != key_all[:-1]])
        total = np.diff(np.r_[starts, len(key_all)])
        met = total >= min_count
        return key_all[starts[met]], total[met]

    out_keys: list[NDArray[np.int64]] = []
    out_counts: list[NDArray[np.int64]] = []
    # Two threads add up two buckets at once; buckets are sized for that (half of `_BUCKET_MEETINGS` each).
    for key, total in ordered_map(add_up, range(buckets)):
        out_keys.append(key)
        out_counts.append(total)
    keys_met = np.concatenate(out_keys)
    order = np.argsort(keys_met)
    return keys_met[order], np.concatenate(out_counts)[order], per_cell


def _meetings(ep: NDArray[np.int64], t: NDArray[np.int64], window: int, cap: int) -> int:
    """How many meetings the capped join will produce (counted without building them)."""
    n, total = len(ep), 0
    active = np.arange(n, dtype=np.int64)
    for k in range(1, cap + 1):
        active = active[active + k < n]
        j = active + k
        active = active[(ep[j] == ep[active]) & (t[j] - t[active] <= window)]
        if not len(active):
            break
        total += len(active)
    return total


def _join_slice(ep: NDArray[np.int64], auth: NDArray[np.int64], t: NDArray[np.int64], window: int, cap: int,
                n_accounts: int, repeats: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(pair key, episode) of each distinct meeting in one slice, unsorted."""
    n = len(ep)
    keys: list[NDArray[np.int64]] = []
    eps: list[NDArray[np.int64]] = []
    active = np.arange(n, dtype=np.int64)
    for k in range(1, cap + 1):
        active = active[active + k < n]
        j = active + k
        ok = (ep[j] == ep[active]) & (t[j] - t[active] <= window)
        active, j = active[ok], j[ok]
        if not len(active):
            break
        a, b = auth[active], auth[j]
        diff = a != b
        lo, hi = np.minimum(a[diff], b[diff]), np.maximum(a[diff], b[diff])
        keys.append(lo * n_accounts + hi)
        eps.append(ep[active][diff])
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key, e = np.concatenate(keys), np.concatenate(eps)
    dup = repeats[e]
    if not dup.any():
        return key, e
    d_key, d_e = key[dup], e[dup]
    order = np.lexsort((d_e, d_key))
    d_key, d_e = d_key[order], d_e[order]
    first = np.ones(len(d_key), dtype=bool)
    first[1:] = (d_key[1:] != d_key[:-1]) | (d_e[1:] != d_e[:-1])
    return np.concatenate([key[~dup], d_key[first]]), np.concatenate([e[~dup], d_e[first]])


def co_actions(actions: Actions, *, window: int = 60, cap: int = 48, min_candidate: int = 3,
               sync_horizon: int | None = None, alpha: float = 0.01, screen_slack: float = 3.0) -> CoActions:
    """Candidate pairs and their exact co-action counts (see the module docstring)."""
    horizon = sync_horizon if sync_horizon is not None else 30 * window
    n_acc = len(actions.accounts)
    item = actions.entry_item
    auth = actions.post_author[actions.entry_post]
    time = actions.post_time[actions.entry_post]
    order, episode = _episodes(item, time, window)
    ep_s, au_s, t_s = episode[order], auth[order], time[order]
    # One account repeating an item in a burst adds nothing to the join but cost: keep the first of each run.
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (ep_s[1:] != ep_s[:-1]) | (au_s[1:] != au_s[:-1])
    n_ep = int(episode.max()) + 1 if len(episode) else 1
    # Each episode falls in one cell of `chance`: its channel and its block of `BLOCK_SECONDS`.
    block = (time - int(time.min())) // BLOCK_SECONDS if len(time) else time
    n_blocks = int(block.max()) + 1 if len(block) else 1
    ep_cell = np.zeros(n_ep, dtype=np.int64)
    ep_cell[episode] = actions.item_channel[item].astype(np.int64) * n_blocks + block
    n_cells = len(CHANNELS) * n_blocks
    keys, counts, pair_episodes = _capped_join(ep_s[keep], au_s[keep], t_s[keep], window, cap, n_acc, ep_cell,
                                               min_candidate, n_cells)
    acc_ep = sorted_unique(auth * n_ep + episode)
    activity = activity_matrix(acc_ep // n_ep, ep_cell[acc_ep % n_ep], n_acc, n_cells)
    a, b = keys // n_acc, keys % n_acc
    screen = -math.log10(alpha) + math.log10(max(len(keys), 1)) - screen_slack
    passed = count_surprise(counts, expected_meetings(activity, chance_rates(activity, pair_episodes), a, b)) >= screen
    a, b = a[passed], b[passed]
    empty = CoActions(a, b, np.zeros(0, np.int64), np.zeros((0, len(CHANNELS)), np.int64), np.zeros(0, np.int64),
                      np.zeros(0, np.int64), activity, pair_episodes, len(keys), episode, window)
    if not len(a):
        return empty
    return recount(actions, a, b, auth, time, episode, window, horizon, empty)
