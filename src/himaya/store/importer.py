"""One import = one transaction: originals into the blob store, records upserted, problems kept.

If anything fails, the transaction rolls back and the blobs this import created are removed, so
the store is exactly as before. A SIGKILL mid-import leaves an uncommitted transaction (rolled
back by the database on next open) and at most some unreferenced blobs, which `himaya fsck`
lists and a re-run of the same import adopts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from himaya.errors import HimayaError, IngestError
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.sniff import Claim, parse_tree, sniff
from himaya.ingest.tree import ExportTree, FolderTree, ZipTree, open_tree
from himaya.records import MediaItem, Problem
from himaya.store import schema
from himaya.store.db import Store
from himaya.store.writer import RecordWriter

Progress = Callable[[int, str], None]
COUNTED = {"account": schema.accounts, "post": schema.posts, "follow": schema.follows, "media": schema.media}


@dataclass
class ImportResult:
    import_id: int | None
    input_name: str
    parsers: list[str]
    processed: dict[str, int]
    new: dict[str, int]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    reused_import_id: int | None = None
    status: str = "complete"

    @property
    def rejected(self) -> int:
        return sum(1 for p in self.problems if p.severity in ("error", "file_error"))

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id, "input": self.input_name, "parsers": self.parsers, "status": self.status,
            "reused_import_id": self.reused_import_id,
            "records": {k: {"processed": self.processed.get(k, 0), "new": self.new.get(k, 0),
                            "known": max(self.processed.get(k, 0) - self.new.get(k, 0), 0)} for k in COUNTED},
            "rejected": self.rejected,
            "warnings": sum(1 for p in self.problems if p.severity == "warning"),
            "problems": [p.model_dump() for p in self.problems],
            "notes": self.notes,
        }


def _options_json(o: ParseOptions) -> dict[str, Any]:
    return {"timezone": o.timezone.key if o.timezone else None, "date_order": o.date_order,
            "participants": list(o.participants), "ocr": o.ocr}


def input_sha256(tree: ExportTree) -> str:
    if isinstance(tree, ZipTree) and tree.archive_sha256:
        return tree.archive_sha256
    if isinstance(tree, FolderTree):
        manifest = "".join(f"{m.path}\0{tree.sha256(m.path)}\n" for m in sorted(tree.members(), key=lambda m: m.path))
        return hashlib.sha256(manifest.encode("utf-8", "surrogatepass")).hexdigest()
    return tree.sha256(tree.members()[0].path)


def _counts(conn: sa.Connection, org: str) -> dict[str, int]:
    return {k: conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.org_id == org)).scalar_one()
            for k, t in COUNTED.items()}


class Importer:
    def __init__(self, store: Store, *, case: str | None = None, options: ParseOptions | None = None,
                 parser: str | None = None, reparse: bool = False, progress: Progress | None = None) -> None:
        self.store, self.case, self.only, self.reparse = store, case, parser, reparse
        self.options = options or ParseOptions()
        self.progress = progress

    def run(self, path: Path) -> ImportResult:
        tree = open_tree(path, self.store.settings.archive)
        try:
            claims = sniff(tree, self.only)
            return self._run(tree, claims)
        finally:
            tree.close()

    def _signature(self, claims: list[Claim]) -> list[str]:
        return [f"{c.parser.name}/{c.parser.version}" for c in claims]

    def _previous(self, conn: sa.Connection, sha: str, parsers: list[str]) -> int | None:
        t = schema.imports
        rows = conn.execute(sa.select(t.c.id, t.c.parsers, t.c.options).where(
            t.c.org_id == self.store.org_id, t.c.input_sha256 == sha, t.c.status == "complete",
            t.c.reused_import_id.is_(None)).order_by(t.c.id)).all()
        for r in rows:
            if r.parsers == parsers and r.options == _options_json(self.options):
                return int(r.id)
        return None

    def _run(self, tree: ExportTree, claims: list[Claim]) -> ImportResult:
        st, org = self.store, self.store.org_id
        sha = input_sha256(tree)
        parsers = self._signature(claims)
        created: list[str] = []
        try:
            with st.engine.begin() as conn:
                before = _counts(conn, org)
                previous = None if self.reparse else self._previous(conn, sha, parsers)
                import_id = self._start(conn, tree, sha, parsers, previous)
                if previous is not None:
                    return self._reuse(conn, import_id, previous, tree, parsers)
                ctx = ParseContext(tree=tree, options=self.options)
                ctx.notes.extend(tree.notes)
                self._keep_originals(conn, tree, import_id, claims, created)
                writer = RecordWriter(conn, st.cipher, import_id, self._media_saver(tree, created))
                writer.preload_files([(tree.sha256(m.path), m.path) for m in tree.members()])
                n = 0
                try:
                    for record in parse_tree(tree, ctx, claims):
                        writer.add(record)
                        n += 1
                        if self.progress and n % 20000 == 0:
                            self.progress(n, record.provenance.path)
                    writer.finish()
                except BaseException:
                    writer.abort()
                    raise
                if self.progress:
                    self.progress(n, "")
                if n == 0 and any(p.severity in ("error", "file_error") for p in ctx.problems):
                    raise _NothingUsable(ctx.problems)
                new = {k: v - before[k] for k, v in _counts(conn, org).items()}
                result = ImportResult(import_id, tree.name, parsers, writer.processed, new, ctx.problems, ctx.notes)
                self._finish(conn, import_id, result)
                return result
        except BaseException:
            for name in created:
                st.blobs.remove(name)
            raise

    def _start(self, conn: sa.Connection, tree: ExportTree, sha: str, parsers: list[str], previous: int | None) -> int:
        c = self.store.cipher
        row = conn.execute(schema.imports.insert().values(
            org_id=self.store.org_id, case_name=self.case, input_name=c.seal(tree.name, "imports.input_name", sha),
            input_sha256=sha, parsers=parsers, options=_options_json(self.options),
            notes=c.seal_json([], "imports.notes", sha) or b"", counts={}, problem_count=0, status="running",
            started_at=datetime.now(UTC), reused_import_id=previous).returning(schema.imports.c.id)).scalar_one()
        return int(row)

    def _keep_originals(self, conn: sa.Connection, tree: ExportTree, import_id: int, claims: list[Claim],
                        created: list[str]) -> None:
        """The input as received, then one row per member (path encrypted, sha256 for provenance joins)."""
        archive_blob = None
        if not isinstance(tree, FolderTree):
            for disk_path, _ in tree.originals():
                _, archive_blob, _, new = self.store.blobs.put_file(disk_path)
                if new:
                    created.append(archive_blob)
        owner = {p: c.parser.name for c in claims for p in c.paths}
        c = self.store.cipher
        rows = []
        for m in tree.members():
            blob = archive_blob
            if isinstance(tree, FolderTree):
                with tree.open(m.path) as fh:
                    _, blob, _, new = self.store.blobs.put_stream(fh)
                if new:
                    created.append(blob)
            ph = c.name_hash("path|" + m.path)
            rows.append({"import_id": import_id, "path_hash": ph, "org_id": self.store.org_id,
                         "path": c.seal(m.path, "import_files.path", ph), "sha256": tree.sha256(m.path),
                         "size": m.size, "parser": owner.get(m.path), "blob": blob})
        if rows:
            conn.execute(schema.import_files.insert(), rows)

    def _media_saver(self, tree: ExportTree, created: list[str]) -> Callable[[MediaItem], tuple[str | None, str | None, str | None]]:
        from himaya.store.derived import display_copy_for

        def save(m: MediaItem) -> tuple[str | None, str | None, str | None]:
            if not m.path or not tree.has(m.path):
                return None, None, None
            with tree.open(m.path) as fh:
                _, blob, _, new = self.store.blobs.put_stream(fh)
            if new:
                created.append(blob)
            display = display_copy_for(m, tree)
            if display is None:
                return blob, None, None
            dsha, dblob, _, dnew = self.store.blobs.put_bytes(display)
            if dnew:
                created.append(dblob)
            return blob, dblob, dsha
        return save

    def _finish(self, conn: sa.Connection, import_id: int, r: ImportResult) -> None:
        c = self.store.cipher
        if r.problems:
            conn.execute(schema.problems.insert(), [
                {"org_id": self.store.org_id, "import_id": import_id, "severity": p.severity, "code": p.code,
                 "detail": c.seal(json.dumps({"path": p.path, "position": p.position, "message": p.message},
                                             ensure_ascii=False), "problems.detail", str(import_id))}
                for p in r.problems])
        sha = conn.execute(sa.select(schema.imports.c.input_sha256).where(schema.imports.c.id == import_id)).scalar_one()
        conn.execute(schema.imports.update().where(schema.imports.c.id == import_id).values(
            status="complete", finished_at=datetime.now(UTC), problem_count=len(r.problems),
            counts=r.as_json()["records"], notes=c.seal_json(r.notes, "imports.notes", sha) or b""))

    def _reuse(self, conn: sa.Connection, import_id: int, previous: int, tree: ExportTree, parsers: list[str]) -> ImportResult:
        """Byte-identical input already imported with the same parsers and options: record the sighting only."""
        t = schema.import_files
        files = conn.execute(sa.select(t).where(t.c.import_id == previous, t.c.org_id == self.store.org_id)).mappings().all()
        if files:
            conn.execute(t.insert(), [{**dict(f), "import_id": import_id} for f in files])
        note = f"identical to import #{previous}: no new records; this import is recorded as a new sighting"
        result = ImportResult(import_id, tree.name, parsers, {}, {k: 0 for k in COUNTED}, [], [note], previous)
        self._finish(conn, import_id, result)
        return result


class _NothingUsable(IngestError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("no usable records; nothing was stored")
        self.problems = problems


NothingUsable = _NothingUsable
__all__ = ["HimayaError", "ImportResult", "Importer", "NothingUsable", "input_sha256"]
