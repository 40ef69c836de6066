"""What a campaign is, in the terms an analyst and a platform need: who, where, when, what.

A campaign's *posts* are its members' posts in episodes that at least two members shared (what
they did together, not everything they ever posted). Everything else is derived from those.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from himaya.detectors.coordination.coaction import CoActions, sorted_unique
from himaya.detectors.coordination.communities import Community
from himaya.detectors.coordination.features import CHANNELS, TEXT, Actions, runs_of
from himaya.detectors.coordination.significance import Edges

DORMANT_DAYS = 30
WOKE_TOGETHER_HOURS = 48
TOP_ITEMS = 5
MAX_EDGES = 300
TIMELINE_BINS = 48


def iso(t: int | float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def author_id_of(key: str) -> str | None:
    _, _, account_key = key.partition("|")
    return account_key[3:] if account_key.startswith("id:") else None


@dataclass
class Member:
    key: str
    platform: str
    author_id: str | None
    handle: str | None
    role: str
    links: int
    coactions: int
    score: float

    def as_json(self) -> dict[str, Any]:
        return {"account": self.key, "platform": self.platform, "author_id": self.author_id, "handle": self.handle,
                "role": self.role, "links": self.links, "coactions": self.coactions, "score": round(self.score, 3)}


@dataclass
class Campaign:
    id: str
    members: list[Member]
    platforms: list[dict[str, str]]  # in the order they were hit
    first_activity: str
    last_activity: str
    posts: int
    evidence: dict[str, int]
    timeline: dict[str, Any]
    top_items: dict[str, list[dict[str, Any]]]
    narratives: list[dict[str, Any]]
    dormant: list[dict[str, Any]]
    woke_together: int
    edges: list[dict[str, Any]] = field(default_factory=list)
    score: float = 0.0

    def as_json(self, *, with_edges: bool = True) -> dict[str, Any]:
        out = {"id": self.id, "score": round(self.score, 3), "size": len(self.members),
               "core": sum(m.role == "core" for m in self.members), "platforms": self.platforms,
               "first_activity": self.first_activity, "last_activity": self.last_activity, "posts": self.posts,
               "evidence": self.evidence, "members": [m.as_json() for m in self.members], "timeline": self.timeline,
               "top_items": self.top_items, "narratives": self.narratives, "dormant": self.dormant,
               "woke_together": self.woke_together}
        if with_edges:
            out["edges"] = self.edges
        return out


def _timeline(times: NDArray[np.int64]) -> dict[str, Any]:
    lo, hi = int(times.min()), int(times.max())
    width = next(w for w in (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 10**12)
                 if (hi - lo) / w <= TIMELINE_BINS)
    start = lo - lo % width if width < 10**12 else lo
    counts = np.bincount((times - start) // width)
    return {"start": iso(start), "bin_seconds": width, "counts": counts.tolist()}


def _top_items(actions: Actions, ent: NDArray[np.int64], authors: NDArray[np.int64],
               times: NDArray[np.int64]) -> dict[str, list[dict[str, Any]]]:
    items = actions.entry_item[ent]
    out: dict[str, list[dict[str, Any]]] = {}
    uniq, inverse, counts = np.unique(items, return_inverse=True, return_counts=True)
    n_accounts = np.bincount(sorted_unique(inverse * (len(actions.accounts) + 1) + authors) // (len(actions.accounts) + 1),
                             minlength=len(uniq))
    first = np.full(len(uniq), np.iinfo(np.int64).max)
    np.minimum.at(first, inverse, times)
    chan = actions.item_channel[uniq]
    for c, name in enumerate(CHANNELS):
        sel = np.flatnonzero(chan == c)
        sel = sel[np.argsort(-counts[sel], kind="stable")][:TOP_ITEMS]
        out[name] = [{"item": actions.item_label[int(uniq[i])][:280], "posts": int(counts[i]),
                      "accounts": int(n_accounts[i]), "first_seen": iso(first[i])} for i in sel]
    return out


def _dormant(actions: Actions, members: NDArray[np.int64], first_in: dict[int, int]) -> tuple[list[dict[str, Any]], int]:
    order, starts = actions.posts_by_author
    out: list[dict[str, Any]] = []
    wake: list[int] = []
    for m in members.tolist():
        f = first_in[m]
        time = actions.post_time[order[starts[m]:starts[m + 1]]]
        before = int(np.searchsorted(time, f))
        if before == 0:
            continue  # no earlier post: a new account, not a dormant one
        gap = f - int(time[before - 1])
        if gap >= DORMANT_DAYS * 86400:
            wake.append(f)
            out.append({"account": actions.accounts[m], "handle": actions.handles[m], "last_before": iso(time[before - 1]),
                        "woke": iso(f), "silent_days": gap // 86400})
    together = 0
    if wake:
        w = np.sort(np.asarray(wake))
        together = int((np.searchsorted(w, w + WOKE_TOGETHER_HOURS * 3600, side="right") - np.arange(len(w))).max())
    out.sort(key=lambda d: d["woke"])
    return out[:50], together


def _figure_edges(edges: Edges, e_idx: NDArray[np.int64]) -> NDArray[np.int64]:
    """Up to MAX_EDGES links: each member's strongest first (so every member is drawn), then the strongest."""
    by_strength = e_idx[np.argsort(-edges.surprise[e_idx], kind="stable")]
    ends = np.concatenate([edges.a[by_strength], edges.b[by_strength]])
    _, first = np.unique(ends, return_index=True)
    best_of_each = by_strength[np.unique(first % max(len(by_strength), 1))]
    rest = by_strength[~np.isin(by_strength, best_of_each)]
    return np.concatenate([best_of_each, rest])[:MAX_EDGES]


def summarise(actions: Actions, co: CoActions, edges: Edges, com: Community) -> Campaign | None:
    """The campaign of a community, or None when its members shared no episode (cannot happen for linked members)."""
    n_acc = len(actions.accounts)
    ent = np.sort(runs_of(actions.entries_by_author, com.members))
    e_auth = actions.post_author[actions.entry_post[ent]]
    ep = co.entry_episode[ent]
    # Episodes that two or more members shared.
    pair_ep = sorted_unique(ep * n_acc + e_auth)
    ep_u, ep_n = np.unique(pair_ep // n_acc, return_counts=True)
    shared = np.isin(ep, ep_u[ep_n >= 2])
    ent = ent[shared]
    authors = e_auth[shared]
    times = actions.post_time[actions.entry_post[ent]]
    posts = sorted_unique(actions.entry_post[ent])
    if not len(posts):
        return None
    p_time = actions.post_time[posts]
    p_plat = np.asarray([actions.account_platform[a] for a in actions.post_author[posts].tolist()])
    platforms = []
    for plat in np.unique(p_plat):
        platforms.append({"platform": str(plat), "first": iso(int(p_time[p_plat == plat].min()))})
    platforms.sort(key=lambda d: d["first"])
    first_in: dict[int, int] = {}
    for a, t in zip(authors.tolist(), times.tolist(), strict=True):
        if t < first_in.get(a, 1 << 62):
            first_in[a] = t
    dormant, together = _dormant(actions, np.asarray(sorted(first_in), dtype=np.int64), first_in)
    e_idx = com.edge_index
    per_channel = edges.per_channel[e_idx].sum(axis=0)
    evidence = {"pairs": len(e_idx), "coactions": int(edges.episodes[e_idx].sum()), "posts": len(posts),
                **{f"co_{name}": int(per_channel[i]) for i, name in enumerate(CHANNELS)}}
    links = np.bincount(np.concatenate([edges.a[e_idx], edges.b[e_idx]]), minlength=n_acc)
    coacts = np.bincount(np.concatenate([edges.a[e_idx], edges.b[e_idx]]),
                         weights=np.concatenate([edges.episodes[e_idx], edges.episodes[e_idx]]), minlength=n_acc)
    best = np.zeros(n_acc)
    np.maximum.at(best, edges.a[e_idx], edges.surprise[e_idx])
    np.maximum.at(best, edges.b[e_idx], edges.surprise[e_idx])
    members = []
    for m, core in zip(com.members.tolist(), com.core.tolist(), strict=True):
        key = actions.accounts[m]
        members.append(Member(key, actions.account_platform[m], author_id_of(key), actions.handles[m],
                              "core" if core else "peripheral", int(links[m]), int(coacts[m]),
                              min(1.0, float(best[m]) / (2 * edges.threshold))))
    members.sort(key=lambda mb: (mb.role != "core", -mb.coactions, mb.key))
    strongest = _figure_edges(edges, e_idx)
    edge_list = [{"a": actions.accounts[int(edges.a[i])], "b": actions.accounts[int(edges.b[i])],
                  "coactions": int(edges.episodes[i]), "surprise": round(float(edges.surprise[i]), 1),
                  "synchrony": round(float(edges.synchrony[i]), 2)} for i in strongest]
    top = _top_items(actions, ent, authors, times)
    narratives = [{"text": d["item"], "posts": d["posts"], "accounts": d["accounts"], "first_seen": d["first_seen"]}
                  for d in top[CHANNELS[TEXT]]]
    cid = "campaign:" + hashlib.sha256("\n".join(sorted(m.key for m in members)).encode()).hexdigest()[:12]
    score = min(1.0, float(np.median(edges.surprise[e_idx])) / (3 * edges.threshold)) if len(e_idx) else 0.0
    return Campaign(cid, members, platforms, iso(int(p_time.min())), iso(int(p_time.max())), len(posts), evidence,
                    _timeline(p_time), top, narratives, dormant, together, edge_list, score)
