"""A target's followers as arrays: one or several exports (successive snapshots) → `FollowerSet`.

Exports are parsed by the ingest code (`open_tree` + `sniff`), so every format Himaya reads works
here: Instagram exports (with follow times), X archives (ids only, no times), generic CSV/JSONL
follow rows. Only the handle, the time and the listing position are kept, in flat arrays: a
million followers cost tens of MB, not a million record objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from himaya.config import ArchiveLimits
from himaya.errors import HimayaError
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.sniff import parse_tree, sniff
from himaya.ingest.tree import open_tree
from himaya.records import Follow, Problem

SKEW_MIN_S = 60.0
NAN = float("nan")  # a consistent shift smaller than this is rounding, not skew


class FollowerDataError(HimayaError):
    exit_code = 2


@dataclass(frozen=True)
class Snapshot:
    """One export: what it listed and what changed since the previous one."""

    name: str
    followers: int
    timed: int
    latest: float | None          # newest follow time it lists (Unix seconds)
    appeared: int = 0             # listed here, not in the previous snapshot
    disappeared: int = 0          # listed in the previous snapshot, not here
    skew_s: float = 0.0           # shift subtracted from its times to agree with the earlier snapshots


@dataclass
class FollowerSet:
    """Followers of one target. Arrays are aligned; `times` is NaN where the export gives no time."""

    platform: str
    target: str
    handles: list[str]
    times: NDArray[np.float64]
    order: NDArray[np.int64]        # position in the newest snapshot that lists it (0 = listed first)
    first_snap: NDArray[np.int16]
    last_snap: NDArray[np.int16]
    snapshots: list[Snapshot]
    duplicates: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.handles)

    @property
    def timed(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.times)

    def appeared_in(self, k: int) -> NDArray[np.bool_]:
        return np.asarray(self.first_snap == k)

    def disappeared_after(self, k: int) -> NDArray[np.bool_]:
        return np.asarray(self.last_snap == k)


@dataclass
class _Export:
    name: str
    handles: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_export(path: Path, *, target: str | None = None, limits: ArchiveLimits | None = None,
                progress: Callable[[int], None] | None = None) -> tuple[_Export, str, str]:
    """Followers listed by one export: (export, platform, target handle or key)."""
    tree = open_tree(path, limits or ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=ParseOptions())
        per_target: dict[str, _Export] = {}
        platform_of: dict[str, str] = {}
        seen: dict[str, dict[str, int]] = {}
        wanted = target.lower().lstrip("@") if target is not None else None
        last_ref: object = None
        ex: _Export | None = None
        index: dict[str, int] = {}
        n = 0
        for rec in parse_tree(tree, ctx, sniff(tree)):
            if type(rec) is not Follow or rec.relation != "follower":
                continue
            n += 1
            if progress and n % 50000 == 0:
                progress(n)
            if rec.followed is not last_ref:
                # Parsers hand every follow of one export the same owner object: look it up once.
                last_ref = rec.followed
                followed = rec.followed.handle.lower() if rec.followed.handle else rec.followed.key
                if wanted is not None and followed != wanted:
                    ex = None
                    continue
                if followed not in per_target:
                    per_target[followed] = _Export(path.name)
                    platform_of[followed] = rec.platform
                ex, index = per_target[followed], seen.setdefault(followed, {})
            if ex is None:
                continue
            ref = rec.follower
            who = ref.handle.lower() if ref.handle else (f"id:{ref.platform_id}" if ref.platform_id else ref.key)
            at = rec.followed_at.timestamp() if rec.followed_at is not None else NAN
            i = index.get(who)
            if i is not None:  # same follower listed twice: keep the earliest time, count it
                ex.duplicates += 1
                if at == at and (ex.times[i] != ex.times[i] or at < ex.times[i]):  # x == x: not NaN
                    ex.times[i] = at
                continue
            index[who] = len(ex.handles)
            ex.handles.append(who)
            ex.times.append(at)
        dup = ctx.stats.get("duplicate_follow", 0)
    finally:
        tree.close()
    if not per_target:
        raise FollowerDataError(f"{path}: no followers found (the export lists no one following its owner"
                                + (f" {target!r}" if target else "") + ")")
    chosen = max(per_target, key=lambda k: len(per_target[k].handles))
    ex = per_target[chosen]
    ex.duplicates += dup
    ex.problems = list(ctx.problems)
    ex.notes = list(ctx.notes)
    if len(per_target) > 1:
        others = ", ".join(f"{k} ({len(v.handles):,})" for k, v in per_target.items() if k != chosen)
        ex.notes.append(f"{path.name}: followers of several accounts; analysed {chosen}, not {others} (use --target)")
    return ex, platform_of[chosen], chosen


def load_exports(paths: Iterable[Path], *, target: str | None = None, limits: ArchiveLimits | None = None,
                 progress: Callable[[int], None] | None = None) -> FollowerSet:
    """Several exports of the same account are successive snapshots, ordered by their newest follow time."""
    exports: list[_Export] = []
    platform, chosen = "", ""
    for p in paths:
        ex, plat, tgt = read_export(p, target=target or (chosen or None), limits=limits, progress=progress)
        if chosen and tgt != chosen:
            raise FollowerDataError(f"{p}: lists followers of {tgt}, but the first export is about {chosen}")
        exports.append(ex)
        platform, chosen = plat, tgt
    return merge_snapshots(exports, platform, chosen)


def _latest(ex: _Export) -> float | None:
    t = np.asarray(ex.times, dtype=np.float64)
    return float(np.nanmax(t)) if t.size and not np.isnan(t).all() else None


def merge_snapshots(exports: list[_Export], platform: str, target: str) -> FollowerSet:
    notes: list[str] = []
    problems: list[Problem] = [p for ex in exports for p in ex.problems]
    for ex in exports:
        notes.extend(ex.notes)
    if len(exports) > 1:
        if all(_latest(ex) is not None for ex in exports):
            exports = sorted(exports, key=lambda ex: _latest(ex) or 0.0)
        else:
            notes.append("some exports carry no follow times: snapshots taken in the order given on the command line")
    if len(exports) == 1:  # one snapshot: its followers are unique already, no merge to do
        ex = exports[0]
        n = len(ex.handles)
        if ex.duplicates:
            notes.append(f"{ex.duplicates:,} duplicate follower entries counted once (earliest time kept)")
        t = np.asarray(ex.times, dtype=np.float64)
        return FollowerSet(platform, target, ex.handles, t, np.arange(n, dtype=np.int64), np.zeros(n, np.int16),
                           np.zeros(n, np.int16), [Snapshot(ex.name, n, int((~np.isnan(t)).sum()), _latest(ex), n)],
                           ex.duplicates, notes, problems)
    index: dict[str, int] = {}
    handles: list[str] = []
    times: list[float] = []
    order: list[int] = []
    first: list[int] = []
    last: list[int] = []
    snaps: list[Snapshot] = []
    dups = 0
    prev_listed = 0
    for k, ex in enumerate(exports):
        t = np.asarray(ex.times, dtype=np.float64)
        known = np.array([index.get(h, -1) for h in ex.handles], dtype=np.int64)
        skew = _skew(t, np.asarray(times, dtype=np.float64), known)
        if skew:
            t = t - skew
            notes.append(f"{ex.name}: follow times are shifted by {skew / 3600:+.2f} h against the earlier export "
                         "(clock or time-zone skew); corrected")
        still = 0
        for pos, (h, at, i) in enumerate(zip(ex.handles, t.tolist(), known.tolist(), strict=True)):
            if i < 0:
                index[h] = len(handles)
                handles.append(h)
                times.append(at)
                order.append(pos)
                first.append(k)
                last.append(k)
            else:
                still += last[i] == k - 1
                last[i] = k
                order[i] = pos
                if np.isnan(times[i]) and not np.isnan(at):
                    times[i] = at
        dups += ex.duplicates
        appeared = len(ex.handles) - int((known >= 0).sum())
        snaps.append(Snapshot(ex.name, len(ex.handles), int((~np.isnan(t)).sum()), _latest(ex),
                              appeared if k else len(ex.handles), prev_listed - still if k else 0, skew))
        prev_listed = len(ex.handles)
    if dups:
        notes.append(f"{dups:,} duplicate follower entries counted once (earliest time kept)")
    return FollowerSet(platform, target, handles, np.asarray(times, dtype=np.float64),
                       np.asarray(order, dtype=np.int64), np.asarray(first, dtype=np.int16),
                       np.asarray(last, dtype=np.int16), snaps, dups, notes, problems)


def _skew(t: NDArray[np.float64], earlier: NDArray[np.float64], known: NDArray[np.int64]) -> float:
    """The shift of this export's times against earlier ones for the same followers, if one is consistent."""
    both = (known >= 0) & ~np.isnan(t)
    if not both.any() or earlier.size == 0:
        return 0.0
    diff = t[both] - earlier[known[both]]
    diff = diff[~np.isnan(diff)]
    if diff.size < 3:
        return 0.0
    shift = float(np.median(diff))
    agree = float(np.mean(np.abs(diff - shift) <= 1.0))
    return shift if abs(shift) >= SKEW_MIN_S and agree >= 0.5 else 0.0


def from_arrays(handles: list[str], times: NDArray[np.float64], *, platform: str = "instagram",
                target: str = "target", name: str = "memory") -> FollowerSet:
    """One in-memory snapshot (simulations, benchmarks), listed newest first like Instagram does."""
    n = len(handles)
    order = np.empty(n, dtype=np.int64)
    order[np.argsort(-np.nan_to_num(times, nan=-np.inf), kind="stable")] = np.arange(n)
    latest = float(np.nanmax(times)) if n and not np.isnan(times).all() else None
    dups = n - len(set(handles))
    if dups:
        raise FollowerDataError(f"{name}: {dups} duplicate handles in memory input")
    return FollowerSet(platform, target, list(handles), np.asarray(times, dtype=np.float64), order,
                       np.zeros(n, np.int16), np.zeros(n, np.int16),
                       [Snapshot(name, n, int((~np.isnan(times)).sum()), latest, n)])
