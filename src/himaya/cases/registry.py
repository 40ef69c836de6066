"""Which cases exist, and which stored files belong to a case.

A record belongs to a case when any file it was read from (its own `src_file`, or a file in
`sightings`) came in through an import tagged with that case. An import that reused an earlier,
byte-identical import counts that import's files too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from himaya.errors import HimayaError
from himaya.store import schema


class CaseNotFound(HimayaError):
    exit_code = 2


@dataclass(frozen=True)
class CaseScope:
    """The files of one case (or of the whole organisation when `case` is None)."""

    org_id: str
    case: str | None
    file_ids: frozenset[int] | None  # None: every file of the organisation

    def covers(self, file_id: int) -> bool:
        return self.file_ids is None or file_id in self.file_ids


def ensure_case(conn: sa.Connection, org_id: str, name: str) -> int:
    """The id of case `name`, created on first use."""
    c = schema.cases
    found = conn.execute(sa.select(c.c.id).where(c.c.org_id == org_id, c.c.name == name)).scalar()
    if found is not None:
        return int(found)
    return int(conn.execute(c.insert().values(org_id=org_id, name=name, created_at=datetime.now(UTC))
                            .returning(c.c.id)).scalar_one())


def find_case(conn: sa.Connection, org_id: str, name: str) -> int | None:
    c = schema.cases
    found = conn.execute(sa.select(c.c.id).where(c.c.org_id == org_id, c.c.name == name)).scalar()
    return None if found is None else int(found)


def case_scope(conn: sa.Connection, org_id: str, case: str | None) -> CaseScope:
    """The file ids of a case's imports; raises CaseNotFound when no import names the case."""
    if case is None:
        return CaseScope(org_id, None, None)
    i, f, imp = schema.import_files, schema.files, schema.imports
    import_ids: set[int] = set()
    for iid, reused in conn.execute(sa.select(imp.c.id, imp.c.reused_import_id)
                                    .where(imp.c.org_id == org_id, imp.c.case_name == case,
                                           imp.c.status != "failed")):
        import_ids.add(int(iid))
        if reused is not None:
            import_ids.add(int(reused))
    if not import_ids:
        raise CaseNotFound(f"no import is tagged with case {case!r} (ingest with --case {case!r} first)")
    rows = conn.execute(sa.select(f.c.id).select_from(
        f.join(i, sa.and_(i.c.org_id == f.c.org_id, i.c.sha256 == f.c.sha256, i.c.path_hash == f.c.path_hash)))
        .where(f.c.org_id == org_id, i.c.import_id.in_(import_ids)).distinct())
    return CaseScope(org_id, case, frozenset(int(r) for (r,) in rows))
