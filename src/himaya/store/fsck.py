"""Consistency of the store with its blob directory (SECURITY.md T42).

Blob files are written before the transaction that refers to them commits, so a crash can leave
unreferenced blobs (harmless: a re-run adopts them) but never a row whose blob is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from himaya.store import schema
from himaya.store.db import Store


@dataclass
class FsckReport:
    orphan_blobs: list[str] = field(default_factory=list)
    missing_blobs: list[str] = field(default_factory=list)
    temp_files: list[str] = field(default_factory=list)
    integrity: str = "ok"
    removed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.orphan_blobs or self.missing_blobs or self.temp_files) and self.integrity == "ok"

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "orphan_blobs": len(self.orphan_blobs), "missing_blobs": len(self.missing_blobs),
                "temp_files": len(self.temp_files), "integrity": self.integrity, "removed": self.removed}


def referenced_blobs(store: Store, *, own_only: bool = False) -> set[str]:
    """Across all organisations (the blob directory is shared, blob names are per organisation), or only
    the organisation the store acts for."""
    refs: set[str] = set()
    with store.engine.connect() as conn:
        for col in blob_columns():
            q = sa.select(col).where(col.is_not(None)).distinct()
            if own_only:
                q = q.where(col.table.c.org_id == store.org_id)
            refs.update(r[0] for r in conn.execute(q))
    return refs


def blob_columns() -> list[sa.Column[Any]]:
    """Every column that names a blob (`blob`, `*_blob`), in every table: a table added later that keeps
    originals is covered without anyone remembering to list it here (else --repair would delete them)."""
    return [c for t in schema.metadata.sorted_tables for c in t.columns if c.name == "blob" or c.name.endswith("_blob")]


def fsck(store: Store, *, repair: bool = False) -> FsckReport:
    rep = FsckReport()
    root = store.blobs.root
    on_disk: set[str] = set()
    if root.is_dir():
        for sub in root.iterdir():
            if sub.name == "tmp":
                rep.temp_files += [p.name for p in sub.iterdir()]
            elif sub.is_dir():
                on_disk.update(p.name for p in sub.iterdir() if p.is_file())
    refs = referenced_blobs(store)
    rep.orphan_blobs = sorted(on_disk - refs)
    # Missing: only this organisation's (another organisation's blobs may live under another home).
    rep.missing_blobs = sorted(referenced_blobs(store, own_only=True) - on_disk)
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            rep.integrity = str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())
    if repair:
        for name in rep.orphan_blobs:
            store.blobs.path_for(name).unlink(missing_ok=True)
            rep.removed += 1
        for name in rep.temp_files:
            (root / "tmp" / name).unlink(missing_ok=True)
            rep.removed += 1
    return rep
