"""Which parser reads which part of an input, decided by content (names and first bytes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from himaya.config import ArchiveLimits
from himaya.errors import UnsupportedFormatError
from himaya.ingest.base import ParseContext, ParseOptions, Parser
from himaya.ingest.tree import ExportTree, open_tree
from himaya.plugins import parser, parsers
from himaya.records import Problem, Record

EXPORT_PARSERS = frozenset({"instagram", "facebook", "x_archive", "telegram", "whatsapp"})
LOOSE_FILE_PARSERS = frozenset({"screenshot"})


@dataclass
class Claim:
    parser: Parser
    paths: list[str]


def supported_formats() -> str:
    return "; ".join(f"{p.name} ({p.label})" for p in parsers().values())


def sniff(tree: ExportTree, only: str | None = None) -> list[Claim]:
    """Every parser that recognises part of the tree, each member read by at most one parser."""
    candidates = [parser(only)] if only else list(parsers().values())
    claims: list[Claim] = []
    taken: set[str] = set()
    for p in candidates:
        if p.name in LOOSE_FILE_PARSERS and any(c.parser.name in EXPORT_PARSERS for c in claims):
            # Pictures inside a platform export are that export's media (linked from its messages
            # and posts), not screenshots handed in on their own.
            continue
        paths = [x for x in p.claim(tree) if x not in taken]
        if paths:
            claims.append(Claim(p, paths))
            taken.update(paths)
    if not claims:
        hint = f" by the {only} parser" if only else ""
        raise UnsupportedFormatError(
            f"{tree.name}: not a supported export{hint}. Himaya reads: {supported_formats()}")
    return claims


def parse_tree(tree: ExportTree, ctx: ParseContext, claims: list[Claim]) -> Iterator[Record]:
    for c in claims:
        yield from c.parser.parse(tree, c.paths, ctx)


def parse_path(path: Path, options: ParseOptions | None = None, limits: ArchiveLimits | None = None,
               only: str | None = None) -> tuple[list[Record], list[Problem], ParseContext]:
    """Parse one input without storing it: the records, the problems and the context (for tests and tools)."""
    tree = open_tree(path, limits or ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=options or ParseOptions())
        records = list(parse_tree(tree, ctx, sniff(tree, only)))
        return records, ctx.problems, ctx
    finally:
        tree.close()
