"""Hash the stored media, match it against the known lists, and write `media_match` findings.

Every file is hashed once (by sha256) and the hashes kept, so a later `himaya media match` after a
new ingest only hashes the new files. A file that cannot be hashed (corrupt, unsupported codec,
decompression bomb) is recorded with its reason and reported; it never stops the others.
Matches are linked to the case that owns the known item, with the post(s) and account(s) that
carried the copy, on whatever platform and in whichever export of the organisation they were.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from himaya.detectors.media import DETECTOR, VERSION
from himaya.detectors.media.decode import MediaError
from himaya.detectors.media.matcher import MATCHERS, Known, KnownMatcher, Match
from himaya.detectors.media.signals import MediaSignals, hash_bytes
from himaya.detectors.media.store import KnownItem, KnownMediaError, load_hashes, load_known, save_hashes
from himaya.findings import Finding, save_findings
from himaya.store import schema
from himaya.store.db import Store
from himaya.store.read import StoredMedia, iter_media

HASHABLE = ("image", "video", "gif", "sticker", "screenshot", "other")
Progress = Callable[[int, int], None]
_HASH_BATCH = 64
_STREAM = 20_000


@dataclass
class HashReport:
    hashed: int = 0
    reused: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)   # media_key, code, error


@dataclass(frozen=True)
class StoredMatch:
    case: str
    known: KnownItem
    media_key: str
    match: Match
    posts: tuple[dict[str, str | None], ...]

    def as_json(self) -> dict[str, Any]:
        return {"query": self.media_key, "match": f"known:{self.known.id}", "distance": self.match.distance,
                "kind": self.match.matcher, "case": self.case, "category": self.known.category,
                "score": self.match.score, "query_pct": self.match.query_pct,
                "compared_pct": self.match.compared_pct, "posts": list(self.posts)}


def _hash_one(args: tuple[bytes, str]) -> tuple[MediaSignals | None, str, str]:
    data, name = args
    try:
        return hash_bytes(data, name), "", ""
    except MediaError as exc:
        return None, exc.code, exc.message


def hash_store(store: Store, *, progress: Progress | None = None, workers: int | None = None) -> HashReport:
    """Hash every present media file of the organisation not hashed yet (by this hasher version)."""
    items = [m for m in iter_media(store) if m.blob and m.sha256 and m.kind in HASHABLE]
    known = load_hashes(store, {m.sha256 for m in items if m.sha256})
    todo: dict[str, StoredMedia] = {}
    rep = HashReport()
    for m in items:
        assert m.sha256 is not None
        if m.sha256 in known:
            rep.reused += 1
        else:
            todo.setdefault(m.sha256, m)
    work = list(todo.values())
    ok: list[MediaSignals] = []
    failures: list[tuple[str, str, str]] = []
    n = workers if workers is not None else min(os.cpu_count() or 1, 4)
    # forkserver: workers must not inherit the parent's database connections and writer threads.
    pool = (ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("forkserver"))
            if n > 1 and len(work) > 16 else None)
    done = 0
    try:
        # Batches bound the memory: only this many files' bytes are read at a time.
        for start in range(0, len(work), _HASH_BATCH):
            batch = work[start:start + _HASH_BATCH]
            jobs = [(store.blobs.read_bytes(m.blob or ""), m.media_key) for m in batch]
            results = pool.map(_hash_one, jobs, chunksize=4) if pool else map(_hash_one, jobs)
            for m, (sig, code, message) in zip(batch, results, strict=True):
                assert m.sha256 is not None
                if sig is None:
                    failures.append((m.sha256, code, message))
                    rep.failed.append({"media_key": m.media_key, "code": code, "error": message})
                else:
                    ok.append(sig)
                done += 1
                if progress:
                    progress(done, len(work))
    finally:
        if pool is not None:
            pool.shutdown()
    save_hashes(store, ok, failures)
    rep.hashed = len(ok)
    return rep


def match_store(store: Store, case: str | None = None) -> list[StoredMatch]:
    """Every stored media item that copies a known item (of `case`, or of every case).

    Stored hashes are streamed, pictures without parsing their JSON (only the PDQ, quality and
    content-box columns), so memory grows with the matches, not with the store.
    """
    known = load_known(store, case)
    if not known:
        return []
    by_id = {k.id: k for k in known}
    matcher = KnownMatcher([Known(k.id, k.signals) for k in known])
    hits: dict[str, list[Match]] = {}
    for sig in _stored_signals(store):
        found = matcher.match(sig)
        if found:
            hits[sig.sha256] = found
    pairs = [(m, hit) for m in iter_media(store) if m.sha256 in hits for hit in hits[m.sha256]]
    authors = _authors(store, {p for m, _ in pairs for p in m.posts})
    return [StoredMatch(by_id[hit.known_id].case, by_id[hit.known_id], m.media_key, hit,
                        tuple({"platform": pl, "post": pid, "account": authors.get((pl, pid))} for pl, pid in m.posts))
            for m, hit in pairs]


def _stored_signals(store: Store) -> Iterator[MediaSignals]:
    """The organisation's hashed files as query signals: pictures from columns, the rest in full."""
    h = schema.media_hashes
    q = (sa.select(h.c.sha256, h.c.kind, h.c.pdq, h.c.quality, h.c.signals["content"].as_string().label("content"))
         .where(h.c.org_id == store.org_id, h.c.status == "ok", h.c.hasher_version == VERSION))
    moving: list[str] = []
    with store.engine.connect() as conn:
        for r in conn.execution_options(stream_results=True, yield_per=_STREAM).execute(q):
            if r.kind != "image":
                moving.append(r.sha256)  # animations and videos: their frames are in the JSON
                continue
            yield MediaSignals(r.sha256, 0, "image", "", 0, 0, bytes.fromhex(r.pdq) if r.pdq else None,
                               int(r.quality or 0), bytes.fromhex(r.content) if r.content else None)
    for row in load_hashes(store, moving).values():
        if row.signals is not None:
            yield row.signals


def _authors(store: Store, posts: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """`platform|account_key` of each post's author (the post_id as stored in post_media)."""
    p = schema.posts
    out: dict[tuple[str, str], str | None] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in posts:
        by_platform.setdefault(platform, []).append(post_id)
    with store.engine.connect() as conn:
        for platform, ids in by_platform.items():
            for i in range(0, len(ids), 500):
                for post_id, author in conn.execute(sa.select(p.c.post_id, p.c.author_key).where(
                        p.c.org_id == store.org_id, p.c.platform == platform, p.c.post_id.in_(ids[i:i + 500]))):
                    out[(platform, post_id)] = None if author is None else f"{platform}|{author}"
    return out


def findings_for(matches: list[StoredMatch]) -> dict[str, list[Finding]]:
    """One `media_match` finding per (case, stored media item), listing every known item it copies."""
    grouped: dict[tuple[str, str], list[StoredMatch]] = {}
    for m in matches:
        grouped.setdefault((m.case, m.media_key), []).append(m)
    out: dict[str, list[Finding]] = {}
    for (case, media_key), ms in sorted(grouped.items()):
        ms.sort(key=lambda x: -x.match.score)
        best = ms[0]
        platforms = sorted({str(p["platform"]) for p in best.posts})
        reasons = [f"copy of known item #{m.known.id} ({m.known.category}): {_how(m.match)}" for m in ms]
        if best.posts:
            reasons.append("carried by " + "; ".join(
                f"{p['platform']} post {p['post']}" + (f" by {p['account']}" if p["account"] else "")
                for p in best.posts[:10]))
        out.setdefault(case, []).append(Finding(
            detector=DETECTOR, kind="media_match", subject_type="media", subject_key=media_key,
            platform=platforms[0] if len(platforms) == 1 else None, score=best.match.score,
            band="review" if best.match.matcher in ("pdq_crop", "pdq_frame") else "remove",
            labels={m.known.category: m.match.score for m in ms}, reasons=tuple(reasons),
            evidence={"known": [{"id": m.known.id, "kind": m.match.matcher, "distance": m.match.distance,
                                 "query_pct": m.match.query_pct, "compared_pct": m.match.compared_pct,
                                 "category": m.known.category} for m in ms],
                      "posts": list(best.posts)},
            model_version=f"media-{VERSION}"))
    return out


def _how(m: Match) -> str:
    if m.matcher == "sha256":
        return "byte-identical (sha256)"
    if m.matcher == "vpdq":
        return f"vPDQ: {m.query_pct:.0f} % of its frames match ({m.compared_pct:.0f} % of the known video's)"
    if m.matcher == "pdq_frame":
        return f"the picture is shown in this video (a frame at PDQ distance {m.distance} of 256 bits)"
    what = "PDQ" if m.matcher == "pdq" else "PDQ of a crop/turn variant"
    return f"{what} distance {m.distance} of 256 bits"


def save_matches(store: Store, matches: list[StoredMatch], cases: list[str]) -> dict[str, int]:
    """Write the findings of every case in `cases` (a case with no match gets its open ones cleared)."""
    per_case = findings_for(matches)
    written: dict[str, int] = {}
    for case in cases:
        fs = per_case.get(case, [])
        run = save_findings(store, case, DETECTOR, VERSION, fs, params={"matchers": list(MATCHERS)},
                            summary={"matches": len(fs)}, kinds=["media_match"])
        written[case] = run.written
    return written


def match_and_save(store: Store, case: str | None = None, *,
                   progress: Progress | None = None) -> tuple[HashReport, list[StoredMatch], dict[str, int]]:
    """The whole step after an ingest: hash new media, match every known list (or `case`'s), store findings.

    This is what `himaya media match` runs; an ingest hook can call it as is.
    """
    report = hash_store(store, progress=progress)
    cases = sorted({k.case for k in load_known(store, case)})
    if case is not None and not cases:
        raise KnownMediaError(f"case {case!r} has no known media (add some with `himaya media add-known`)")
    matches = match_store(store, case)
    return report, matches, save_matches(store, matches, cases)
