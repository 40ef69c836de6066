"""Documentation cannot fall behind: every parser, setting and command has its place in docs/."""

from __future__ import annotations

from pathlib import Path

import pytest

from himaya.cli.main import app, register
from himaya.config import ArchiveLimits, Settings
from himaya.plugins import parsers

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", list(parsers()))
def test_every_parser_has_a_page(name: str) -> None:
    page = DOCS / "parsers" / f"{name}.md"
    assert page.exists(), f"docs/parsers/{name}.md missing"
    assert len(page.read_text(encoding="utf-8")) > 500, f"docs/parsers/{name}.md is too thin"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        if field == "archive":
            for sub in ArchiveLimits.model_fields:
                assert f"HIMAYA_ARCHIVE__{sub.upper()}" in text, sub
        else:
            assert f"HIMAYA_{field.upper()}" in text, field


def test_every_command_is_documented() -> None:
    register()
    # docs/cli.md, or the detector's own page under docs/detectors/ that cli.md links to.
    text = "\n".join(p.read_text(encoding="utf-8") for p in [DOCS / "cli.md", *sorted((DOCS / "detectors").glob("*.md"))])
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups if g.typer_instance
              for c in g.typer_instance.registered_commands]
    for name in names:
        assert f"himaya {name}" in text, f"`himaya {name}` not in docs/cli.md"


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
