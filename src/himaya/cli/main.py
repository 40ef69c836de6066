"""`himaya`: the command line. A thin shell: parse flags, call the core, render, map errors to exit codes."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.console import Console

from himaya import __version__
from himaya.config import Settings
from himaya.errors import HimayaError

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="Himaya: detect, document and escalate coordinated attacks on human rights defenders.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
# Shared command groups: each detector's CLI module adds its own subcommand to them (`himaya eval followers`).
detect_app = typer.Typer(no_args_is_help=True, help="Run a detector over stored records and write findings into a case.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure a detector's quality on labelled or simulated data.")
simulate_app = typer.Typer(no_args_is_help=True, help="Generate attack scenarios with ground truth.")
model_app = typer.Typer(no_args_is_help=True, help="Train and inspect models.")
findings_app = typer.Typer(no_args_is_help=True, help="List and review the findings stored in cases.")
for _name, _group in (("detect", detect_app), ("eval", eval_app), ("simulate", simulate_app), ("model", model_app),
                      ("findings", findings_app)):
    app.add_typer(_group, name=_name)

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"himaya {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    from himaya.store.db import secure_umask

    secure_umask()


def fail(exc: HimayaError) -> typer.Exit:
    from himaya.ingest.text import for_display

    err.print(f"error: {for_display(exc.message)}", markup=False)
    return typer.Exit(exc.exit_code)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def settings() -> Settings:
    return Settings()


@app.command("stats")
def stats_cmd(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (stable keys).")] = False) -> None:
    """Counts of stored records per platform and kind."""
    from himaya.cli.render import stats_table
    from himaya.store.db import open_store
    from himaya.store.queries import stats

    try:
        store = open_store(settings())
        data = stats(store)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(data)
    else:
        Console().print(stats_table(data))


@db_app.command("upgrade")
def db_upgrade(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Create the store, or bring its schema to this version of Himaya."""
    from himaya.store.db import make_engine, upgrade

    try:
        s = settings()
        if s.database_url is None:
            s.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        before, after = upgrade(make_engine(s.url))
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"from": before, "to": after})
    else:
        typer.echo(f"schema {before or 'empty'} → {after}")


_registered: list[bool] = []
DETECTOR_CLIS: tuple[str, ...] = ("followers", "content", "coordination", "media")


@dataclass(frozen=True)
class Groups:
    app: typer.Typer
    detect: typer.Typer
    eval: typer.Typer
    simulate: typer.Typer
    model: typer.Typer


def register() -> None:
    """Attach the commands that live in their own modules (once)."""
    if _registered:
        return
    import importlib

    from himaya.cli import findings, fsck, ingest

    ingest.register(app)
    fsck.register(app)
    findings.register(findings_app)
    groups = Groups(app=app, detect=detect_app, eval=eval_app, simulate=simulate_app, model=model_app)
    for name in DETECTOR_CLIS:
        # Each detector's commands live in their own module, `register(groups)` attaches them.
        try:
            module = importlib.import_module(f"himaya.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"himaya.cli.{name}":
                raise
            continue  # that detector is not part of this build
        module.register(groups)
    _registered.append(True)


def main() -> None:
    register()
    app()


if __name__ == "__main__":
    main()
