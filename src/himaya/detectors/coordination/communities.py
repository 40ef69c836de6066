"""Campaigns as communities: Leiden on the network of significant edges, then a group-level test.

Edges are weighted by their surprise (capped, so one extreme pair cannot outweigh a whole
network). Leiden with modularity separates two networks that touch through a few stray edges,
which connected components would merge. But modularity also cuts *one* network along its seams:
the accounts on each platform of a network that hopped platforms, or the halves of a sparse one.
So two communities are merged back when the co-actions between *all* their members, taken
together, pass the same two tests as a single edge (`significance`): more than the groups'
activity explains, and closer in time than independent reactions. Unrelated networks meet a few
times by chance; one network's platforms meet at every wave of the hand-over.

Roles: an account linked to at least half as many members as the best-connected tenth of its
campaign is *core*; the rest are *peripheral*.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import leidenalg
import numpy as np
from numpy.typing import NDArray
from scipy.stats import binom

from himaya.detectors.coordination.chance import count_surprise, group_expected, log10_tail
from himaya.detectors.coordination.coaction import CoActions
from himaya.detectors.coordination.significance import EdgeRules, Edges

_MAX_WEIGHT = 50.0


@dataclass(frozen=True)
class Community:
    members: NDArray[np.int64]     # account indices
    core: NDArray[np.bool_]        # per member
    degree: NDArray[np.int64]      # links inside the community, per member
    edge_index: NDArray[np.int64]  # indices into Edges of the links inside the community


def _root(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def merge_related(label: NDArray[np.int64], co: CoActions, edges: Edges, rules: EdgeRules) -> NDArray[np.int64]:
    """`label`: community per account (-1: none). Returns labels with related communities merged."""
    n = int(label.max()) + 1 if len(label) and label.max() >= 0 else 0
    if n < 2 or not len(co.a):
        return label
    la, lb = label[co.a], label[co.b]
    cross = (la >= 0) & (lb >= 0) & (la != lb)
    lo, hi = np.minimum(la[cross], lb[cross]), np.maximum(la[cross], lb[cross])
    keys, inverse = np.unique(lo * n + hi, return_inverse=True)
    if not len(keys):
        return label
    count = np.bincount(inverse, weights=co.episodes[cross])
    synced = np.bincount(inverse, weights=co.synced[cross])
    near = np.bincount(inverse, weights=co.near[cross])
    ga, gb = keys // n, keys % n
    expected = group_expected(co.activity, co.pair_episodes, label, n, ga, gb)
    surprise = count_surprise(count.astype(np.int64), expected)
    with np.errstate(divide="ignore"):
        timing = log10_tail(binom.logsf(synced - 1, near, rules.chance_sync))
    parent = list(range(n))
    ok = (count >= rules.min_coactions) & (surprise >= edges.threshold) & (timing >= edges.timing_threshold)
    for a, b in zip(ga[ok].tolist(), gb[ok].tolist(), strict=True):
        parent[_root(parent, a)] = _root(parent, b)
    roots = np.asarray([_root(parent, x) for x in range(n)], dtype=np.int64)
    return np.where(label >= 0, roots[np.maximum(label, 0)], -1)


def communities(edges: Edges, co: CoActions, rules: EdgeRules | None = None, *, min_size: int = 2,
                seed: int = 0) -> list[Community]:
    rules = rules or EdgeRules()
    if not len(edges):
        return []
    nodes, inverse = np.unique(np.concatenate([edges.a, edges.b]), return_inverse=True)
    src, dst = inverse[:len(edges)], inverse[len(edges):]
    g = ig.Graph(n=len(nodes), edges=np.column_stack([src, dst]).tolist(), directed=False)
    g.es["weight"] = np.minimum(edges.surprise, _MAX_WEIGHT).tolist()
    part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights="weight", seed=seed)
    account_label = np.full(co.activity.shape[0], -1, dtype=np.int64)
    account_label[nodes] = np.asarray(part.membership, dtype=np.int64)
    account_label = merge_related(account_label, co, edges, rules)
    label = account_label[nodes]
    inside = label[src] == label[dst]
    out: list[Community] = []
    for lab in np.unique(label):
        local = np.flatnonzero(label == lab)
        if len(local) < min_size:
            continue
        e_idx = np.flatnonzero(inside & (label[src] == lab))
        deg = np.bincount(np.concatenate([src[e_idx], dst[e_idx]]), minlength=len(nodes))[local]
        top = float(np.quantile(deg, 0.9)) if len(deg) else 0.0
        out.append(Community(nodes[local], deg >= 0.5 * top, deg.astype(np.int64), e_idx))
    out.sort(key=lambda c: -len(c.members))
    return out
