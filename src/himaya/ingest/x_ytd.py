"""Reading X archive `.js` files as data: `window.YTD.<name>.partN = <JSON>`, never as code.

The archive's data files are JavaScript assignments so that the offline viewer can load them.
We check the assignment, then stream what follows it to a JSON parser: a file whose right-hand
side is anything but a JSON array (or the manifest's object) is refused, so code is never run.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson

from himaya.errors import HimayaParseError
from himaya.ingest.base import ParseContext
from himaya.ingest.tree import ExportTree

HEAD_BYTES = 1024
_HEAD = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*window\.(?:YTD\.([A-Za-z0-9_]{1,80})\.part(\d{1,6})|(__THAR_CONFIG))\s*=")
_TRAILING = b" \t\r\n;"


@dataclass(frozen=True)
class YtdFile:
    path: str
    name: str  # data type as the assignment names it: "tweets", "follower", … or "manifest"
    part: int


def ytd_head(tree: ExportTree, path: str) -> YtdFile | None:
    """What a `.js` member holds, from its first bytes only; None if it is not an archive data file."""
    if not path.lower().endswith(".js"):
        return None
    m = _HEAD.match(tree.head(path, HEAD_BYTES))
    if m is None:
        return None
    if m.group(3):
        return YtdFile(path, "manifest", 0)
    return YtdFile(path, m.group(1).decode("ascii"), int(m.group(2)))


def iter_items(ctx: ParseContext, path: str, prefix: str = "item") -> Iterator[tuple[int, Any]]:
    """Stream the JSON after the assignment (ijson `prefix`: `item` for the array, `` for the object).

    BOM, CRLF and a trailing `;` are accepted (edge X2). Anything else after `=` is a file error.
    """
    with ctx.tree.open(path) as fh:
        head = fh.read(HEAD_BYTES)
        m = _HEAD.match(head)
        if m is None:
            raise HimayaParseError("not an X archive data file: it does not begin with "
                                   "`window.YTD.<name>.partN =` or `window.__THAR_CONFIG =`", path=path)
        want = b"{" if m.group(3) else b"["
        body = _JsonBody(head[m.end():], fh)
        if body.first != want:
            shown = body.first.decode("ascii", "replace") or "nothing"
            raise HimayaParseError(
                f"after the `=` comes {shown!r} where a JSON {'object' if want == b'{' else 'array'} should start: "
                "the file holds JavaScript code, not data, and is refused (it is never run)", path=path)
        try:
            yield from enumerate(ijson.items(body, prefix, use_float=True))
        except ijson.common.IncompleteJSONError as exc:
            why = str(exc).splitlines()[0] if str(exc) else "incomplete"
            raise HimayaParseError(f"invalid or truncated JSON near byte {body.offset:,} ({why}): "
                                   "only `window.YTD.<name>.partN = <JSON>` is read", path=path) from None
        except UnicodeDecodeError as exc:
            raise HimayaParseError(f"invalid UTF-8 near byte {body.offset:,} ({exc.reason})", path=path) from None


class _JsonBody(io.RawIOBase):
    """The bytes after `=`, minus the trailing `;` and whitespace (held back until more data follows)."""

    def __init__(self, start: bytes, inner: IO[bytes]) -> None:
        self._inner = inner
        self._buf = start
        while not self._buf.lstrip() and (more := inner.read(4096)):
            self._buf += more
        self.first = self._buf.lstrip()[:1]
        self._held = b""
        self._out = b""
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if not self._out:
            self._out = self._next(len(b))
        n = min(len(b), len(self._out))
        b[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _next(self, n: int) -> bytes:
        while True:
            if self._buf:
                data, self._buf = self._buf, b""
            else:
                data = self._inner.read(max(n, 1 << 16))
            if not data:
                return b""  # end of file: what is still held back is only whitespace and `;`
            data = self._held + data
            keep = data.rstrip(_TRAILING)
            self._held = data[len(keep):]
            if keep:
                self.offset += len(keep)
                return keep
