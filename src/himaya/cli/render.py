"""Rich tables for the CLI. Hostile strings are escaped (for_display) and never read as markup."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from himaya.ingest.text import for_display
from himaya.records import Problem
from himaya.store.importer import COUNTED, ImportResult

PROBLEMS_SHOWN = 50


def import_table(r: ImportResult) -> Table:
    title = f"import #{r.import_id}: {for_display(r.input_name)} ({', '.join(r.parsers)})"
    t = Table(title=Text(title), title_justify="left")
    for col in ("records", "processed", "new", "already known"):
        t.add_column(col, justify="right" if col != "records" else "left")
    for kind in COUNTED:
        processed = r.processed.get(kind, 0)
        new = r.new.get(kind, 0)
        t.add_row(kind, f"{processed:,}", f"{new:,}", f"{max(processed - new, 0):,}")
    warnings = sum(1 for p in r.problems if p.severity == "warning")
    t.caption = f"rejected: {r.rejected:,}   warnings: {warnings:,}"
    return t


def problems_table(name: str, problems: list[Problem]) -> Table:
    t = Table(title=Text(f"problems in {for_display(name)}"), title_justify="left")
    for col in ("severity", "file", "position", "problem"):
        t.add_column(col)
    order = {"file_error": 0, "error": 1, "warning": 2}
    for p in sorted(problems, key=lambda p: order[p.severity])[:PROBLEMS_SHOWN]:
        t.add_row(p.severity, Text(for_display(p.path)), Text(for_display(p.position)), Text(for_display(p.message)))
    if len(problems) > PROBLEMS_SHOWN:
        t.caption = f"… and {len(problems) - PROBLEMS_SHOWN:,} more (use --json for all)"
    return t


def stats_table(data: dict[str, Any]) -> Table:
    t = Table(title=f"records stored for organisation {data['org']}", title_justify="left")
    t.add_column("platform")
    t.add_column("kind")
    t.add_column("count", justify="right")
    for platform, kinds in data["platforms"].items():
        for kind, n in sorted(kinds.items()):
            t.add_row(platform, kind, f"{n:,}")
    t.caption = "imports: " + ", ".join(f"{k} {v}" for k, v in data["imports"].items())
    return t
