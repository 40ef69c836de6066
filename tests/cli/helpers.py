"""Running the real CLI in-process: exit code, stdout and stderr apart."""

from __future__ import annotations

from typer.testing import CliRunner

from himaya.cli.main import app, register

register()
runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), input=stdin)
    return r.exit_code, r.stdout, r.stderr
