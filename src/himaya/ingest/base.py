"""What a parser is, and the context it parses in.

A parser turns the members of an `ExportTree` into records. It has two methods:

* `claim(tree)` is cheap (member names and the first bytes only) and returns the member paths
  it will read, or `[]` if the input is not its format. `sniff` in the registry asks every parser.
* `parse(tree, paths, ctx)` streams records for those paths. It never loads a large file whole,
  never trusts a path found inside the export (`ctx.media` resolves it safely), and reports bad
  records through `ctx.report` instead of raising, so that one bad record never sinks the rest.
  A file that cannot be read at all raises `HimayaParseError` inside `ctx.guard(path)`, which
  reports it as a file-level error and lets the other files go on.
"""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import ijson

from himaya.errors import HimayaParseError, UnsafeArchiveError
from himaya.ingest.tree import ExportTree
from himaya.records import MediaItem, MediaKind, Problem, Provenance, Record

DateOrder = Literal["dmy", "mdy", "ymd"]


@dataclass
class ParseOptions:
    timezone: ZoneInfo | None = None
    date_order: DateOrder | None = None
    max_line_bytes: int = 16 * 1024 * 1024
    max_json_bytes: int = 512 * 1024 * 1024  # whole-document loads; bigger files must be streamed
    ocr: bool = True
    ocr_timeout_s: float = 30.0
    participants: tuple[str, ...] = ()


@dataclass
class ParseContext:
    tree: ExportTree
    options: ParseOptions = field(default_factory=ParseOptions)
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # import-level facts, e.g. "times assumed in Asia/Baghdad"

    def report(self, path: str, position: str, message: str, *, severity: Literal["error", "warning", "file_error"] = "error",
               code: str = "invalid") -> None:
        self.problems.append(Problem(path=path, position=position, message=message, severity=severity, code=code))

    def warn(self, path: str, position: str, message: str, code: str = "warning") -> None:
        self.report(path, position, message, severity="warning", code=code)

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def provenance(self, path: str, position: str) -> Provenance:
        return Provenance(source_sha256=self.tree.sha256(path), path=path, position=position,
                          archive_sha256=self.tree.archive_sha256)

    @contextlib.contextmanager
    def guard(self, path: str) -> Iterator[None]:
        """Report a file that cannot be read at all, and let the caller go on with the next file."""
        try:
            yield
        except UnsafeArchiveError:
            raise
        except HimayaParseError as exc:
            self.report(exc.path or path, exc.position, exc.reason, severity="file_error", code="unreadable_file")

    def media(self, ref: str | None, *, base: str = "", kind: MediaKind = "other", position: str = "",
              url: str | None = None, source_path: str = "") -> MediaItem:
        """A media item for a path mentioned inside the export, resolved safely from its root.

        Absent files and placeholders are `missing`; a path that escapes the root is `rejected`
        (and reported); the message that mentioned it is kept either way.
        """
        prov = self.provenance(source_path, position) if source_path else Provenance(
            source_sha256="", path="", position=position)
        if not ref:
            return MediaItem(provenance=prov, kind=kind, url=url, status="remote" if url else "missing")
        if self.tree.escapes(ref):
            self.report(source_path, position, f"media path {ref!r} escapes the export root: refused", code="unsafe_path")
            return MediaItem(provenance=prov, kind=kind, path=None, status="rejected", flags=("unsafe_path",),
                             extra={"raw_path": ref})
        member = self.tree.resolve(ref, base)
        if member is None:
            return MediaItem(provenance=prov, kind=kind, path=ref, url=url, status="missing")
        return MediaItem(provenance=prov, kind=kind, path=member, url=url, status="present",
                         sha256=self.tree.sha256(member), size=self.tree.size(member))

    # -- reading helpers -------------------------------------------------------------------------

    def load_json(self, path: str, *, limit: int | None = None) -> Any:
        """A whole JSON document, decoded as strict UTF-8; errors name the file, line and column."""
        raw = self.tree.read_bytes(path, limit or self.options.max_json_bytes)
        return parse_json_bytes(raw, path)

    def iter_json(self, path: str, prefix: str) -> Iterator[tuple[int, Any]]:
        """Stream the items of the array at `prefix` (ijson syntax: `item`, `key.item`), with their index."""
        with self.tree.open(path) as fh:
            counter = _ByteCounter(fh)
            try:
                yield from enumerate(ijson.items(counter, prefix, use_float=True))
            except ijson.common.IncompleteJSONError as exc:
                raise HimayaParseError(f"invalid or truncated JSON near byte {counter.offset:,} ({_short(exc)})",
                                       path=path) from None
            except UnicodeDecodeError as exc:
                raise HimayaParseError(f"invalid UTF-8 near byte {counter.offset:,} ({exc.reason})", path=path) from None

    def iter_lines(self, path: str) -> Iterator[tuple[int, bytes]]:
        """Byte lines split on b'\\n' only (U+2028 is text, not a line end). A line over
        `max_line_bytes` is reported as a bad record and skipped, without being held in memory."""
        cap = self.options.max_line_bytes

        def overlong(lineno: int) -> None:
            self.report(path, f"line {lineno}", f"line longer than {cap:,} bytes (max_line_bytes): skipped",
                        code="line_too_long")
        yield from iter_byte_lines(self.tree.open(path), path, cap, overlong)


def parse_json_bytes(raw: bytes, path: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HimayaParseError(f"invalid UTF-8 at byte {exc.start:,}", path=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HimayaParseError(f"invalid or truncated JSON: {exc.msg}", path=path,
                               position=f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise HimayaParseError("JSON nested too deeply", path=path) from None


def iter_byte_lines(fh: IO[bytes], path: str, max_line: int,
                    on_overlong: Callable[[int], None] | None = None) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its newline), read in bounded chunks so a 200 MB single
    line never sits in memory whole. An over-long line is passed to `on_overlong` and skipped (the
    next line is read as usual); without a callback it is a file error."""
    with fh:
        lineno = 0
        while True:
            line = fh.readline(max_line + 1)
            if not line:
                return
            lineno += 1
            if len(line) > max_line and not line.endswith(b"\n"):
                if on_overlong is None:
                    raise HimayaParseError(f"line longer than {max_line:,} bytes (max_line_bytes)", path=path,
                                           position=f"line {lineno}")
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                on_overlong(lineno)
                continue
            yield lineno, line[:-1] if line.endswith(b"\n") else line


class _ByteCounter:
    """A read-only stream that remembers how far it got, so a JSON error can name its byte offset."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self.offset = 0

    def read(self, n: int = -1) -> bytes:
        data = self._inner.read(n)
        self.offset += len(data)
        return data


def _short(exc: Exception) -> str:
    s = " ".join(str(exc).split("\n", 1)[0].split())
    return s if len(s) < 120 else s[:117] + "…"


class Parser(ABC):
    """One export format. Subclasses set `name` (registry key), `platform` and `label`."""

    name: ClassVar[str]
    label: ClassVar[str]
    version: ClassVar[int] = 1

    @abstractmethod
    def claim(self, tree: ExportTree) -> list[str]:
        """Member paths this parser will read, or [] if the input is not its format. Must be cheap."""

    @abstractmethod
    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        """Records from the claimed paths, streamed."""
