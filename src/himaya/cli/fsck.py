"""`himaya fsck`: the store and its blob directory agree."""

from __future__ import annotations

from typing import Annotated

import typer

from himaya.errors import HimayaError


def register(app: typer.Typer) -> None:
    app.command("fsck")(fsck_cmd)


def fsck_cmd(
    repair: Annotated[bool, typer.Option("--repair", help="Remove unreferenced blobs and leftover temp files.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Check that every row's blob exists, list blobs no row refers to, and run SQLite's integrity check."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.store.db import open_store
    from himaya.store.fsck import fsck

    try:
        report = fsck(open_store(settings()), repair=repair)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(report.as_json())
    else:
        for k, v in report.as_json().items():
            typer.echo(f"{k}: {v}")
    raise typer.Exit(0 if report.ok or repair else 4)
