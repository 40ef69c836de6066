"""Every generated export goes through Himaya's own parsers: records come out, no file-level errors.

A format whose parser module does not import yet is skipped, not failed. While some built-in
parser is missing, the registry cannot load, so each export is parsed by its own parser alone;
once all import, `parse_path` sniffs every export and must hand it to the expected parser.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from himaya.synth import FORMATS, Generated, generate_all

BAGHDAD = ZoneInfo("Asia/Baghdad")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    return generate_all(tmp_path_factory.mktemp("synth-ingest"), seed=7)


def _registry_loads() -> bool:
    try:
        from himaya.plugins import parsers

        parsers()
    except (ImportError, AttributeError):
        return False
    return True


def _parse(item: Generated) -> tuple[int, list[str], set[str]]:
    """(records, file-level problems, names of the parsers that claimed something)."""
    from himaya.config import ArchiveLimits
    from himaya.ingest.base import ParseContext, ParseOptions, Parser
    from himaya.ingest.tree import open_tree

    options = ParseOptions(timezone=BAGHDAD, ocr=False)
    if _registry_loads():
        from himaya.ingest.sniff import parse_path, sniff

        records, problems, _ = parse_path(item.path, options)
        tree = open_tree(item.path, ArchiveLimits())
        try:
            claimed = {c.parser.name for c in sniff(tree)}
        finally:
            tree.close()
        return len(records), [f"{p.path}: {p.message}" for p in problems if p.severity == "file_error"], claimed
    module = importlib.import_module(f"himaya.ingest.{item.parser}")
    cls = next(v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, Parser) and getattr(v, "name", None) == item.parser)
    parser = cls()
    tree = open_tree(item.path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=options)
        paths = parser.claim(tree)
        n = sum(1 for _ in parser.parse(tree, paths, ctx))
        errors = [f"{p.path}: {p.message}" for p in ctx.problems if p.severity == "file_error"]
        return n, errors, {item.parser} if paths else set()
    finally:
        tree.close()


@pytest.mark.parametrize("key", list(FORMATS))
def test_generated_export_ingests(generated: dict[str, Generated], key: str) -> None:
    item = generated[key]
    pytest.importorskip(f"himaya.ingest.{item.parser}", reason=f"parser module himaya.ingest.{item.parser} not there yet")
    n, file_errors, claimed = _parse(item)
    assert n > 0, f"{key}: no records from {item.path.name}"
    assert not file_errors, f"{key}: {file_errors}"
    assert item.parser in claimed, f"{key}: claimed by {claimed}, expected {item.parser}"


def test_whatsapp_needs_the_zone(generated: dict[str, Generated]) -> None:
    assert generated["whatsapp"].parse_options().timezone == BAGHDAD
    assert generated["telegram"].parse_options().timezone is None  # date_unixtime is present
    assert Path(generated["telegram"].path / "result.json").exists()
