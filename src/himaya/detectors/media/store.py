"""The media tables: stored hashes, known-media lists per case, and the view audit log.

Every query filters on the organisation. Known items are added in one transaction each; a list
imported from a partner is one transaction for all its good rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from himaya.cases.registry import ensure_case, find_case
from himaya.detectors.media import VERSION
from himaya.detectors.media.signals import MediaSignals
from himaya.errors import HimayaError
from himaya.store import schema
from himaya.store.db import Store

CATEGORIES = ("defamation", "harassment", "non_consensual_intimate", "doxing", "impersonation", "threat",
              "terrorism_violent_extremism", "other")
_BATCH = 500


class KnownMediaError(HimayaError):
    exit_code = 2


@dataclass(frozen=True)
class HashRow:
    sha256: str
    status: str          # ok, or a MediaError code
    error: str | None
    signals: MediaSignals | None


@dataclass(frozen=True)
class KnownItem:
    id: int
    case: str
    source: str
    media_key: str | None
    sha256: str | None
    blob: str | None
    category: str
    label: str | None
    partner: str | None
    added_by: str | None
    added_at: datetime
    signals: MediaSignals


def save_hashes(store: Store, signals: Iterable[MediaSignals], failures: Iterable[tuple[str, str, str]] = ()) -> int:
    """Upsert hash rows (ok ones and (sha256, code, message) failures); returns rows written."""
    h = schema.media_hashes
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {"org_id": store.org_id, "sha256": s.sha256, "kind": s.kind, "status": "ok", "error": None,
         "pdq": s.pdq_hex, "quality": s.quality, "signals": s.to_json(), "hasher_version": VERSION, "hashed_at": now}
        for s in signals]
    rows += [{"org_id": store.org_id, "sha256": sha, "kind": "unknown", "status": code, "error": message[:500],
              "pdq": None, "quality": None, "signals": {}, "hasher_version": VERSION, "hashed_at": now}
             for sha, code, message in failures]
    if not rows:
        return 0
    with store.engine.begin() as conn:
        shas = [r["sha256"] for r in rows]
        for i in range(0, len(shas), _BATCH):
            conn.execute(h.delete().where(h.c.org_id == store.org_id, h.c.sha256.in_(shas[i:i + _BATCH])))
        for i in range(0, len(rows), _BATCH):
            conn.execute(h.insert(), rows[i:i + _BATCH])
    return len(rows)


def load_hashes(store: Store, sha256s: Iterable[str] | None = None) -> dict[str, HashRow]:
    """Stored hash rows of this organisation (all, or those of the given files)."""
    h = schema.media_hashes
    q = sa.select(h.c.sha256, h.c.kind, h.c.status, h.c.error, h.c.pdq, h.c.quality, h.c.signals,
                  h.c.hasher_version).where(h.c.org_id == store.org_id)
    out: dict[str, HashRow] = {}
    with store.engine.connect() as conn:
        wanted = None if sha256s is None else sorted(set(sha256s))
        batches = [None] if wanted is None else [wanted[i:i + _BATCH] for i in range(0, len(wanted), _BATCH)]
        for batch in batches:
            qq = q if batch is None else q.where(h.c.sha256.in_(batch))
            for r in conn.execute(qq):
                if r.hasher_version != VERSION:
                    continue  # hashed by another version: hash again
                sig = (MediaSignals.from_json(r.sha256, r.kind, r.pdq, r.quality, r.signals or {})
                       if r.status == "ok" else None)
                out[r.sha256] = HashRow(r.sha256, r.status, r.error, sig)
    return out


def add_known(store: Store, case: str, signals: MediaSignals, *, source: str, category: str,
              media_key: str | None = None, blob: str | None = None, label: str | None = None,
              partner: str | None = None, added_by: str | None = None) -> tuple[int, bool]:
    """Put a file's signals on `case`'s known list; returns (id, created). Adding it again is a no-op."""
    if category not in CATEGORIES:
        raise KnownMediaError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    k = schema.known_media
    fingerprint = signals.sha256 or f"pdq:{signals.pdq_hex}"
    with store.engine.begin() as conn:
        case_id = ensure_case(conn, store.org_id, case)
        found = conn.execute(sa.select(k.c.id).where(k.c.org_id == store.org_id, k.c.case_id == case_id,
                                                     k.c.fingerprint == fingerprint)).scalar()
        if found is not None:
            return int(found), False
        new_id = conn.execute(k.insert().values(
            org_id=store.org_id, case_id=case_id, source=source, fingerprint=fingerprint, media_key=media_key,
            sha256=signals.sha256 or None, blob=blob, kind=signals.kind, pdq=signals.pdq_hex, quality=signals.quality,
            signals=signals.to_json(), category=category,
            label=store.cipher.seal(label, "known_media.label", fingerprint) if label else None,
            partner=partner, added_by=added_by, added_at=datetime.now(UTC)).returning(k.c.id)).scalar_one()
    return int(new_id), True


def add_known_many(store: Store, case: str, items: list[tuple[MediaSignals, str, str | None]], *, source: str,
                   partner: str | None, added_by: str | None) -> tuple[int, int]:
    """Hash-only entries (signals, category, label) in one transaction; returns (added, already there)."""
    k = schema.known_media
    added = present = 0
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        case_id = ensure_case(conn, store.org_id, case)
        existing = {f for (f,) in conn.execute(sa.select(k.c.fingerprint).where(
            k.c.org_id == store.org_id, k.c.case_id == case_id))}
        rows = []
        for sig, category, label in items:
            fp = sig.sha256 or f"pdq:{sig.pdq_hex}"
            if fp in existing:
                present += 1
                continue
            existing.add(fp)
            rows.append({"org_id": store.org_id, "case_id": case_id, "source": source, "fingerprint": fp,
                         "media_key": None, "sha256": sig.sha256 or None, "blob": None, "kind": sig.kind,
                         "pdq": sig.pdq_hex, "quality": sig.quality, "signals": sig.to_json(), "category": category,
                         "label": store.cipher.seal(label, "known_media.label", fp) if label else None,
                         "partner": partner, "added_by": added_by, "added_at": now})
        for i in range(0, len(rows), _BATCH):
            conn.execute(k.insert(), rows[i:i + _BATCH])
        added = len(rows)
    return added, present


def load_known(store: Store, case: str | None = None) -> list[KnownItem]:
    """Known items of one case, or of every case of the organisation."""
    k, c = schema.known_media, schema.cases
    q = (sa.select(k, c.c.name.label("case_name")).join(c, c.c.id == k.c.case_id)
         .where(k.c.org_id == store.org_id, c.c.org_id == store.org_id).order_by(k.c.id))
    with store.engine.connect() as conn:
        if case is not None:
            case_id = find_case(conn, store.org_id, case)
            if case_id is None:
                return []
            q = q.where(k.c.case_id == case_id)
        rows = conn.execute(q).all()
    return [KnownItem(r.id, r.case_name, r.source, r.media_key, r.sha256, r.blob, r.category,
                      store.cipher.open(r.label, "known_media.label", r.fingerprint) if r.label else None,
                      r.partner, r.added_by, r.added_at,
                      MediaSignals.from_json(r.sha256 or "", r.kind, r.pdq, r.quality, r.signals or {}))
            for r in rows]


def log_view(store: Store, *, subject: str, view: str, viewer: str, case: str | None = None,
             reason: str | None = None) -> int:
    """One audit row per view of a media item (original, blurred, report)."""
    v = schema.media_views
    with store.engine.begin() as conn:
        case_id = find_case(conn, store.org_id, case) if case else None
        return int(conn.execute(v.insert().values(
            org_id=store.org_id, case_id=case_id, subject=subject, view=view, viewer=viewer,
            reason=store.cipher.seal(reason, "media_views.reason", subject) if reason else None,
            viewed_at=datetime.now(UTC)).returning(v.c.id)).scalar_one())


def list_views(store: Store, subject: str | None = None) -> list[dict[str, Any]]:
    v = schema.media_views
    q = sa.select(v).where(v.c.org_id == store.org_id).order_by(v.c.id)
    if subject is not None:
        q = q.where(v.c.subject == subject)
    with store.engine.connect() as conn:
        return [{"id": r.id, "subject": r.subject, "view": r.view, "viewer": r.viewer,
                 "reason": store.cipher.open(r.reason, "media_views.reason", r.subject) if r.reason else None,
                 "viewed_at": r.viewed_at.isoformat()} for r in conn.execute(q)]


def stored_blob(store: Store, media_key: str) -> str:
    """The blob name of a stored, present media item; KnownMediaError if there is none."""
    m = schema.media
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(m.c.blob, m.c.status).where(m.c.org_id == store.org_id,
                                                                  m.c.media_key == media_key)).first()
    if row is None:
        raise KnownMediaError(f"no stored media item {media_key!r} in organisation {store.org_id!r}")
    if row.status != "present" or not row.blob:
        raise KnownMediaError(f"media item {media_key!r} has no stored file (status {row.status})")
    return str(row.blob)


def known_item(store: Store, known_id: int) -> KnownItem:
    for k in load_known(store):
        if k.id == known_id:
            return k
    raise KnownMediaError(f"no known media item {known_id} in organisation {store.org_id!r}")
