"""`himaya findings list|review`: what detectors stored in cases, and the analyst's decision on each."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from himaya.errors import HimayaError


def register(group: typer.Typer) -> None:
    group.command("list")(list_findings)
    group.command("review")(review)


def list_findings(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    detector: Annotated[str | None, typer.Option("--detector", help="Only this detector (followers, content, coordination, media).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind of finding.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open, confirmed or rejected.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many, highest score first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (stable keys).")] = False,
) -> None:
    """Stored findings, highest score first."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.findings import load_findings
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    try:
        store = open_store(settings())
        rows = load_findings(store, case, detector=detector, kind=kind, status=status, limit=limit)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json([{"id": r.id, "case": r.case, "status": r.status, **r.finding.model_dump(mode="json")} for r in rows])
        return
    table = Table(title=f"{len(rows)} finding(s)")
    for col in ("id", "case", "detector", "kind", "subject", "score", "band", "status", "first reason"):
        table.add_column(col, overflow="fold")
    for r in rows:
        f = r.finding
        table.add_row(str(r.id), for_display(r.case), f.detector, f.kind, for_display(f.subject_key), f"{f.score:.2f}",
                      f.band or "", r.status, for_display(f.reasons[0]) if f.reasons else "")
    Console().print(table)


def review(
    finding_id: Annotated[int, typer.Argument(help="Finding id, from `himaya findings list`.")],
    decision: Annotated[str, typer.Option("--decision", help="confirmed, rejected or open.")],
    by: Annotated[str, typer.Option("--by", help="Who decided (analyst name or id), kept with the decision.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Record an analyst's decision on a finding; re-running a detector never overrides it."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.findings import set_status
    from himaya.store.db import open_store

    try:
        set_status(open_store(settings()), finding_id, decision, by)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"id": finding_id, "status": decision})
    else:
        typer.echo(f"finding {finding_id}: {decision}")
