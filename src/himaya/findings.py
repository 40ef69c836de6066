"""Findings: what a detector concluded about one subject (an account, a post, a media item, a wave,
a campaign), with the score, the labels, the reasons in plain words and the evidence behind it.

Detectors return `Finding`s; `save_findings` writes one detector run's findings into a case in one
transaction. A re-run refreshes the findings it finds again, drops the open ones it no longer finds,
and never touches what an analyst has already confirmed or rejected (their decision stands).
Labels, reasons and evidence quote messages and name accounts, so they are stored encrypted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from himaya.cases.registry import ensure_case, find_case
from himaya.errors import HimayaError
from himaya.store import schema
from himaya.store.db import Store

SubjectType = Literal["account", "post", "media", "wave", "campaign", "pair", "term", "case"]
Status = Literal["open", "confirmed", "rejected"]
STATUSES: tuple[str, ...] = ("open", "confirmed", "rejected")
_BATCH = 5000


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    detector: str = Field(description="detector name: followers, content, coordination, media")
    kind: str = Field(description="what was found, e.g. follower_wave, inauthentic_follower, harmful_content")
    subject_type: SubjectType
    subject_key: str = Field(description="key of the subject as stored: 'platform|account_key', 'platform|post_id', media_key, or the detector's own id")
    platform: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    band: str | None = Field(default=None, description="detector-specific band, e.g. remove/review/keep")
    labels: dict[str, float] = Field(default_factory=dict, description="label → score in [0,1]")
    reasons: tuple[str, ...] = Field(default=(), description="plain-words explanations, most important first")
    evidence: dict[str, Any] = Field(default_factory=dict, description="JSON-serialisable evidence (spans, shared items, distances)")
    model_version: str = ""


@dataclass(frozen=True)
class StoredFinding:
    id: int
    case: str
    run_id: int
    finding: Finding
    status: str
    reviewed_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SavedRun:
    run_id: int
    case_id: int
    written: int
    removed: int


class FindingError(HimayaError):
    exit_code = 2


def _row_key(case_id: int, detector: str, kind: str, subject_key: str) -> str:
    return f"{case_id}|{detector}|{kind}|{subject_key}"


def save_findings(store: Store, case: str, detector: str, detector_version: str, findings: Iterable[Finding],
                  params: dict[str, Any] | None = None, summary: dict[str, Any] | None = None,
                  kinds: Iterable[str] | None = None) -> SavedRun:
    """Write one run of `detector` into `case` (created if needed), in one transaction.

    `kinds` names the finding kinds this run is authoritative for (default: the kinds it returned):
    open findings of those kinds that the run did not return are removed as superseded.
    """
    org, c = store.org_id, store.cipher
    f = schema.findings
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        case_id = ensure_case(conn, org, case)
        run_id = int(conn.execute(schema.detector_runs.insert().values(
            org_id=org, case_id=case_id, detector=detector, detector_version=detector_version, params=params or {},
            summary=c.seal_json(summary, "detector_runs.summary", f"{case_id}|{detector}"), started_at=now,
            finished_at=now).returning(schema.detector_runs.c.id)).scalar_one())
        seen_kinds: set[str] = set(kinds or ())
        existing = {(k, s): (i, st) for i, k, s, st in conn.execute(
            sa.select(f.c.id, f.c.kind, f.c.subject_key, f.c.status)
            .where(f.c.org_id == org, f.c.case_id == case_id, f.c.detector == detector))}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        touched: set[tuple[str, str]] = set()
        written = 0

        def flush() -> None:
            if inserts:
                conn.execute(f.insert(), inserts)
                inserts.clear()
            if updates:
                conn.execute(f.update().where(f.c.id == sa.bindparam("fid")).values(
                    run_id=sa.bindparam("run_id"), score=sa.bindparam("score"), band=sa.bindparam("band"),
                    platform=sa.bindparam("platform"), subject_type=sa.bindparam("subject_type"),
                    detail=sa.bindparam("detail"), updated_at=sa.bindparam("updated_at")), updates)
                updates.clear()

        for fi in findings:
            if fi.detector != detector:
                raise FindingError(f"finding from detector {fi.detector!r} passed to a {detector!r} run")
            key = (fi.kind, fi.subject_key)
            if key in touched:
                raise FindingError(f"detector {detector!r} returned {fi.kind} {fi.subject_key!r} twice in one run")
            touched.add(key)
            seen_kinds.add(fi.kind)
            detail = c.seal_json({"labels": fi.labels, "reasons": list(fi.reasons), "evidence": fi.evidence,
                                  "model_version": fi.model_version},
                                 "findings.detail", _row_key(case_id, detector, fi.kind, fi.subject_key)) or b""
            old = existing.get(key)
            if old is None:
                inserts.append({"org_id": org, "case_id": case_id, "run_id": run_id, "detector": detector,
                                "kind": fi.kind, "subject_type": fi.subject_type, "subject_key": fi.subject_key,
                                "platform": fi.platform, "score": fi.score, "band": fi.band, "detail": detail,
                                "status": "open", "created_at": now, "updated_at": now})
            else:
                updates.append({"fid": old[0], "run_id": run_id, "score": fi.score, "band": fi.band,
                                "platform": fi.platform, "subject_type": fi.subject_type, "detail": detail,
                                "updated_at": now})
            written += 1
            if len(inserts) + len(updates) >= _BATCH:
                flush()
        flush()
        stale = [i for (k, s), (i, st) in existing.items() if k in seen_kinds and (k, s) not in touched and st == "open"]
        for start in range(0, len(stale), _BATCH):
            conn.execute(f.delete().where(f.c.org_id == org, f.c.id.in_(stale[start:start + _BATCH])))
    return SavedRun(run_id, case_id, written, len(stale))


def load_findings(store: Store, case: str | None = None, *, detector: str | None = None, kind: str | None = None,
                  min_score: float | None = None, status: str | None = None,
                  limit: int | None = None) -> list[StoredFinding]:
    """Findings of the organisation (optionally one case), highest score first."""
    org, c = store.org_id, store.cipher
    f, cs = schema.findings, schema.cases
    q = (sa.select(f, cs.c.name.label("case_name")).join(cs, cs.c.id == f.c.case_id)
         .where(f.c.org_id == org, cs.c.org_id == org))
    with store.engine.connect() as conn:
        if case is not None:
            case_id = find_case(conn, org, case)
            if case_id is None:
                return []
            q = q.where(f.c.case_id == case_id)
        if detector is not None:
            q = q.where(f.c.detector == detector)
        if kind is not None:
            q = q.where(f.c.kind == kind)
        if min_score is not None:
            q = q.where(f.c.score >= min_score)
        if status is not None:
            q = q.where(f.c.status == status)
        q = q.order_by(f.c.score.desc(), f.c.id)
        if limit is not None:
            q = q.limit(limit)
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        d = c.open_json(r.detail, "findings.detail", _row_key(r.case_id, r.detector, r.kind, r.subject_key)) or {}
        fi = Finding(detector=r.detector, kind=r.kind, subject_type=r.subject_type, subject_key=r.subject_key,
                     platform=r.platform, score=r.score, band=r.band, labels=d.get("labels", {}),
                     reasons=tuple(d.get("reasons", ())), evidence=d.get("evidence", {}),
                     model_version=d.get("model_version", ""))
        out.append(StoredFinding(r.id, r.case_name, r.run_id, fi, r.status, r.reviewed_by, r.created_at, r.updated_at))
    return out


def set_status(store: Store, finding_id: int, status: str, reviewer: str) -> None:
    """An analyst's decision on a finding: confirmed or rejected (or back to open)."""
    if status not in STATUSES:
        raise FindingError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    f = schema.findings
    with store.engine.begin() as conn:
        n = conn.execute(f.update().where(f.c.org_id == store.org_id, f.c.id == finding_id).values(
            status=status, reviewed_by=reviewer, reviewed_at=datetime.now(UTC))).rowcount
    if n != 1:
        raise FindingError(f"no finding {finding_id} in organisation {store.org_id!r}")
