"""`himaya ingest PATH...`: read platform exports into the store, one transaction per input."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from himaya.errors import HimayaError

if TYPE_CHECKING:
    from himaya.store.db import Store

EXIT_REJECTED = 3  # committed, but some records were rejected: see the problems
EXIT_MATCH_FAILED = 4  # committed, but matching the new media against the known-media lists failed


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export ZIPs, folders or files; the format is detected from content.")],
    case: Annotated[str | None, typer.Option("--case", help="Case the import belongs to.")] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help="IANA zone for formats without one (WhatsApp, old Telegram), e.g. Asia/Baghdad.")] = None,
    date_order: Annotated[str | None, typer.Option("--date-order", help="dmy, mdy or ymd, when a WhatsApp chat cannot tell.")] = None,
    parser: Annotated[str | None, typer.Option("--parser", help="Force one parser instead of detecting it.")] = None,
    participant: Annotated[list[str] | None, typer.Option("--participant", help="A known WhatsApp participant name (repeatable).")] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Do not run OCR on screenshots.")] = False,
    reparse: Annotated[bool, typer.Option("--reparse", help="Parse again even if this exact input was imported before.")] = False,
    no_media_match: Annotated[bool, typer.Option("--no-media-match", help="Do not match new media against the known-media lists now (run `himaya media match` later).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary (stable keys).")] = False,
) -> None:
    """Ingest exports. Exit 0: all stored; 3: stored, but some records were rejected; 1: nothing stored;
    4: stored, but matching the new media against the known-media lists failed."""
    from himaya.cli.main import emit_json, err, fail, settings
    from himaya.cli.render import import_table, problems_table
    from himaya.ingest.base import ParseOptions
    from himaya.ingest.timeparse import zone
    from himaya.store.db import open_store
    from himaya.store.importer import Importer, NothingUsable

    if date_order not in (None, "dmy", "mdy", "ymd"):
        err.print("error: --date-order must be dmy, mdy or ymd")
        raise typer.Exit(2)
    try:
        s = settings()
        options = ParseOptions(timezone=zone(timezone), date_order=date_order,  # type: ignore[arg-type]
                               participants=tuple(participant or ()), ocr=not no_ocr,
                               max_line_bytes=s.max_line_bytes, ocr_timeout_s=s.ocr_timeout_s)
        store = open_store(s)
    except HimayaError as exc:
        raise fail(exc) from None
    out = Console(stderr=as_json)
    results, exit_code = [], 0
    for path in paths:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("records"), TimeElapsedColumn(), console=Console(stderr=True), transient=True,
                      disable=as_json, auto_refresh=False) as bar:
            # No refresh thread: a third thread contending for the GIL with the parser and the
            # background writer cost a million-follower import several seconds. We redraw on update.
            task = bar.add_task(f"{path.name}", total=None)
            def advance(n: int, _where: str, bar: Progress = bar, task: TaskID = task) -> None:
                bar.update(task, completed=n, refresh=True)

            importer = Importer(store, case=case, options=options, parser=parser, reparse=reparse,
                                progress=None if as_json else advance)
            try:
                result = importer.run(path)
            except NothingUsable as exc:
                out.print(problems_table(str(path), exc.problems))
                err.print(f"error: {path}: {exc.message}", markup=False)
                exit_code = max(exit_code, 1)
                results.append({"input": str(path), "status": "failed", "error": exc.message,
                                "problems": [p.model_dump() for p in exc.problems]})
                continue
            except HimayaError as exc:
                from himaya.ingest.text import for_display

                err.print(f"error: {for_display(exc.message)}", markup=False)
                exit_code = max(exit_code, exc.exit_code)
                results.append({"input": str(path), "status": "failed", "error": exc.message})
                continue
        results.append(result.as_json())
        if result.rejected:
            exit_code = max(exit_code, EXIT_REJECTED) if exit_code != 1 else 1
        if not as_json:
            out.print(import_table(result))
            if result.problems:
                out.print(problems_table(result.input_name, result.problems))
            for note in result.notes:
                out.print(f"note: {note}", markup=False)
    media_matches = None
    if not no_media_match and any(r.get("status") != "failed" for r in results):
        media_matches, match_failed = _match_known_media(store, out)
        if match_failed:
            exit_code = max(exit_code, EXIT_MATCH_FAILED) if exit_code != 1 else 1
    if as_json:
        emit_json({"imports": results, "media_matches": media_matches, "exit_code": exit_code})
    raise typer.Exit(exit_code)


def _match_known_media(store: Store, out: Console) -> tuple[dict[str, Any] | None, bool]:
    """Every ingest is matched against the organisation's known-media lists (issue 6), when it has any."""
    from himaya.cli.main import err
    from himaya.detectors.media.scan import match_and_save
    from himaya.detectors.media.store import load_known
    from himaya.ingest.text import for_display

    try:
        if not load_known(store):
            return None, False
        _report, matches, saved = match_and_save(store)
    except HimayaError as exc:
        err.print(f"error: the records are stored, but matching known media failed: {for_display(exc.message)} "
                  "(run `himaya media match` to retry)", markup=False)
        return None, True
    out.print(f"known media: {len(matches)} match(es) with the known-media lists, stored as findings", markup=False)
    return {"matches": len(matches), "findings_by_case": saved}, False
