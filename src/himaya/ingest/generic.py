"""Himaya's own generic CSV / JSONL v1 (formats README §7): the catch-all for manual documentation.

Helplines document TikTok comments, YouTube replies or Signal messages by hand, and other tools'
output is converted to this schema. `forward_of` and `quote_of` are an additive extension of v1
(docs/parsers/generic.md): files without them read as before. Both encodings share one validator: a bad row is reported
with its row or line number and skipped, and the rest of the file goes on. Positions are
spreadsheet rows for CSV (the header is row 1) and file lines for JSONL.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from himaya.errors import HimayaParseError, TimestampError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.text import extract_hashtags, extract_mentions, for_display, unsafe_flags
from himaya.ingest.timeparse import from_rfc3339
from himaya.ingest.tree import ExportTree
from himaya.records import PLATFORMS, AccountRef, Follow, MediaItem, MediaKind, Post, Record

SCHEMA = "himaya.generic/1"
RECORD_TYPES = ("post", "comment", "reply", "message", "share", "follow", "reaction")
REQUIRED = ("schema_version", "platform", "record_type", "post_id", "created_at")
AUTHOR = ("author_id", "author_handle", "author_name")
OPTIONAL = ("text", "lang", "reply_to", "thread_id", "target_handle", "url", "media", "links", "hashtags",
            "mentions", "collected_at", "source", "forward_of", "quote_of")  # the last two: additive, after v1
COLUMNS = (*REQUIRED, *AUTHOR, *OPTIONAL)
_CSV_EXT = (".csv",)
_JSONL_EXT = (".jsonl", ".ndjson", ".json-lines", ".jsonlines")
_KINDS: dict[str, MediaKind] = {"image": "image", "video": "video", "audio": "audio", "application": "document"}
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_VERSION = re.compile(rb'"schema_version"\s*:\s*"himaya\.generic/')


class RowError(Exception):
    """One row cannot become a record; the message says which field and why."""


def _first_line(tree: ExportTree, path: str) -> bytes:
    head = tree.head(path, 64 * 1024).lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    return head.split(b"\n", 1)[0]


def _claims(tree: ExportTree, path: str) -> bool:
    if path.lower().endswith(_CSV_EXT):
        try:
            header = next(csv.reader([_first_line(tree, path).decode("utf-8")]), [])
        except (UnicodeDecodeError, csv.Error):
            return False
        return "schema_version" in (h.strip() for h in header)
    if path.lower().endswith(_JSONL_EXT):
        line = _first_line(tree, path)
        return line.startswith(b"{") and _VERSION.search(line) is not None
    return False


def _text(row: dict[str, Any], key: str, warn: Callable[[str], None] | None = None) -> str | None:
    """A string field, None when empty. IDs (`warn` given) may be JSON integers, coerced with a warning (J3);
    a float is refused: it may already be rounded."""
    v = row.get(key)
    if v is None or v == "":
        return None
    if warn and isinstance(v, int) and not isinstance(v, bool):
        warn(f"{key} is a JSON number; read as the string {v} (write IDs as strings)")
        return str(v)
    if not isinstance(v, str):
        raise RowError(f"{key} must be a string, not {type(v).__name__}")
    return (v.strip() or None) if warn else v


def _array(row: dict[str, Any], key: str) -> list[Any]:
    v = row.get(key)
    if v is None or v == "":
        return []
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except (ValueError, RecursionError):
            raise RowError(f"{key} is not a JSON array: {for_display(v[:60])!r}") from None
    if not isinstance(v, list):
        raise RowError(f"{key} must be a JSON array, not {type(v).__name__}")
    return v


def _strings(row: dict[str, Any], key: str, strip: str = "") -> list[str]:
    items = _array(row, key)
    if not all(isinstance(x, str) for x in items):
        raise RowError(f"{key} must be an array of strings")
    return [x.strip().lstrip(strip) for x in items if x.strip()]


def _time(raw: str | None, key: str) -> Any:
    if raw is None:
        return None
    try:
        return from_rfc3339(raw, require_offset=True)
    except TimestampError as exc:
        why = f"{raw[:20]!r} looks like a Unix epoch, which is not accepted" if raw.strip().isdigit() else exc.reason
        raise RowError(f"{key}: {why} (RFC 3339 with an offset, e.g. 2025-03-10T19:58:12Z)") from None


def _kind(type_: str | None) -> MediaKind:
    t = (type_ or "").lower()
    return "gif" if t in ("gif", "image/gif") else _KINDS.get(t.split("/")[0], "other")


def _media(row: dict[str, Any], ctx: ParseContext, path: str, pos: str) -> list[MediaItem]:
    out: list[MediaItem] = []
    base = str(PurePosixPath(path).parent) if "/" in path else ""
    for i, m in enumerate(_array(row, "media")):
        ref, url = (m.get("path"), m.get("url")) if isinstance(m, dict) else (None, None)
        if not (isinstance(ref, str) and ref) and not (isinstance(url, str) and url):
            raise RowError(f"media[{i}] needs a \"path\" or a \"url\"")
        extra: dict[str, Any] = {}
        for key in ("sha256", "pdq"):
            v = m.get(key)
            if isinstance(v, str) and _HEX64.fullmatch(v):
                extra[key] = v.lower()
            elif v not in (None, ""):
                ctx.warn(path, pos, f"media[{i}].{key} is not 64 hex digits: ignored", code="bad_hash")
        type_ = m.get("type") if isinstance(m.get("type"), str) else None
        url_ok = url if isinstance(url, str) and urlsplit(url).scheme in ("https", "http") else None
        item = ctx.media(ref if isinstance(ref, str) else None, base=base, kind=_kind(type_), position=f"{pos} media[{i}]",
                         url=url_ok, source_path=path)
        flags = item.flags
        if item.sha256 and extra.get("sha256") and item.sha256 != extra["sha256"]:
            ctx.warn(path, pos, f"media[{i}]: the file's sha256 differs from the one given", code="sha256_mismatch")
            flags = (*flags, "sha256_mismatch")
        out.append(item.model_copy(update={"mime": type_ if type_ and "/" in type_ else None, "flags": flags,
                                           "extra": {**item.extra, **extra}}))
    return out


def build(row: dict[str, Any], ctx: ParseContext, path: str, pos: str, raw: dict[str, Any] | None = None) -> Record:
    """One validated record from one row (CSV cells or a JSONL object); raises RowError."""
    version = row.get("schema_version")
    if version != SCHEMA:
        raise RowError(f"unknown schema_version {for_display(str(version))[:40]!r} (this Himaya reads {SCHEMA})")
    platform, rtype = row.get("platform"), row.get("record_type")
    if platform not in PLATFORMS:
        raise RowError(f"unknown platform {for_display(str(platform))[:40]!r} (one of: {', '.join(PLATFORMS)})")
    if rtype not in RECORD_TYPES:
        raise RowError(f"unknown record_type {for_display(str(rtype))[:40]!r} (one of: {', '.join(RECORD_TYPES)})")

    def warn(message: str) -> None:
        ctx.warn(path, pos, message, code="numeric_id")

    post_id = _text(row, "post_id", warn)
    if not post_id:
        raise RowError("post_id is missing")
    created_raw = row.get("created_at")
    if not isinstance(created_raw, str) or not created_raw:
        raise RowError("created_at is missing or not a string (epoch numbers are not accepted)")
    created = _time(created_raw, "created_at")
    handle = (_text(row, "author_handle") or "").strip().lstrip("@") or None
    ref = AccountRef(platform=platform, platform_id=_text(row, "author_id", warn), handle=handle,
                     display_name=_text(row, "author_name"))
    if ref.key == "unknown":
        raise RowError("no author: give at least one of author_id, author_handle, author_name")
    if handle and unsafe_flags(handle):
        raise RowError(f"author_handle {for_display(handle)[:60]!r} contains {', '.join(unsafe_flags(handle))}: "
                       "row quarantined (a spoofing trick; never shown raw)")
    target = (_text(row, "target_handle") or "").strip().lstrip("@") or None
    flags = tuple(dict.fromkeys((*unsafe_flags(ref.display_name), *unsafe_flags(target))))
    prov = ctx.provenance(path, pos)
    media = _media(row, ctx, path, pos)
    text = _text(row, "text") or ""
    hashtags = (*_strings(row, "hashtags", "#＃"), *extract_hashtags(text))
    mentions = (*(m.lower() for m in _strings(row, "mentions", "@")), *extract_mentions(text))
    links = _strings(row, "links")
    try:
        collected = _time(_text(row, "collected_at"), "collected_at")
    except RowError as exc:  # optional: a bad value is dropped, not the row
        ctx.warn(path, pos, f"{exc}; collection time unknown", code="bad_time")
        collected = None
    url = _text(row, "url")
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc):
        ctx.warn(path, pos, f"url {for_display(url)[:60]!r} dropped: only https permalinks are kept", code="bad_url")
        url = None
    if rtype == "follow":
        if not target:
            raise RowError("a follow needs target_handle (the account being followed)")
        return Follow(provenance=prov, platform=platform, follower=ref, followed=AccountRef(platform=platform, handle=target),
                      followed_at=created, followed_at_raw=created_raw, flags=flags)
    extra = {k: v for k, v in (("target_handle", target), ("source", row.get("source")), ("raw", raw)) if v}
    return Post(provenance=prov, platform=platform, post_id=post_id, post_type=rtype, author=ref, created_at=created,
                created_at_raw=created_raw, text=text, language=_text(row, "lang"),
                reply_to=_text(row, "reply_to", warn), thread_id=_text(row, "thread_id", warn),
                forward_of=_text(row, "forward_of", warn), quote_of=_text(row, "quote_of", warn),
                hashtags=tuple(dict.fromkeys(hashtags)), mentions=tuple(dict.fromkeys(mentions)),
                urls=tuple(dict.fromkeys(links)), media=tuple(media), url=url, collected_at=collected, flags=flags,
                extra=extra)


class GenericParser(Parser):
    """CSV or JSONL rows in Himaya's own schema, from helplines and converted tools."""

    name = "generic"
    label = "Himaya generic CSV / JSONL (himaya.generic/1)"

    def claim(self, tree: ExportTree) -> list[str]:
        return [m.path for m in tree.members() if _claims(tree, m.path)]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        seen: dict[tuple[str, str, str], str] = {}  # across files: a folder may hold the same rows twice
        for path in paths:
            with ctx.guard(path):
                rows = _csv_rows(ctx, path) if path.lower().endswith(_CSV_EXT) else _jsonl_rows(ctx, path)
                for pos, row, raw in rows:
                    try:
                        rec = build(row, ctx, path, pos, raw)
                    except (RowError, ValidationError) as exc:  # ValidationError: a value of an unexpected type
                        ctx.report(path, pos, str(exc) if isinstance(exc, RowError) else
                                   f"invalid {', '.join(str(e['loc'][0]) for e in exc.errors()[:3])}", code="invalid_row")
                        continue
                    key = (str(row["platform"]), str(row["record_type"]), str(row["post_id"]).strip())
                    if key in seen:
                        ctx.warn(path, pos, f"duplicate of {seen[key]} (same platform, record_type and post_id): dropped",
                                 code="duplicate")
                        continue
                    seen[key] = pos if len(paths) == 1 else f"{path} {pos}"
                    yield rec


def _decoded(ctx: ParseContext, path: str) -> Iterator[str]:
    """Lines as strict UTF-8 (a bad byte is a file error naming its offset), newlines kept for csv."""
    offset = 0
    for n, line in ctx.iter_lines(path):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HimayaParseError(f"invalid UTF-8 at byte {offset + exc.start:,}", path=path, position=f"line {n}") from None
        offset += len(line) + 1
        yield (text[1:] if n == 1 and text.startswith("\ufeff") else text) + "\n"


def _csv_rows(ctx: ParseContext, path: str) -> Iterator[tuple[str, dict[str, Any], None]]:
    reader = csv.reader(_decoded(ctx, path), strict=True)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing or not any(c in header for c in AUTHOR) or len(set(header)) != len(header):
        need = ", ".join(missing) or "one of author_id, author_handle, author_name"
        raise HimayaParseError(f"the header must name every required column (missing: {need}) and no column twice",
                               path=path, position="row 1")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        ctx.warn(path, "row 1", f"unknown columns ignored: {', '.join(for_display(u)[:40] for u in unknown)}",
                 code="unknown_column")
    n = 1
    while True:
        n += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = "unterminated quote at the end of the file" if "end of data" in str(exc) else f"malformed CSV ({exc})"
            ctx.report(path, f"row {n}", end, code="invalid_csv")
            continue
        if not cells or cells == [""]:
            n -= 1  # a blank line is not a row
            continue
        if len(cells) != len(header):
            ctx.report(path, f"row {n}", f"row has {len(cells)} fields; the header has {len(header)}", code="field_count")
            continue
        yield f"row {n}", {h: c for h, c in zip(header, cells, strict=True) if h in COLUMNS}, None


def _jsonl_rows(ctx: ParseContext, path: str) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    for n, line in ctx.iter_lines(path):
        pos = f"line {n}"
        if not line.strip():
            ctx.count("generic_blank_line")
            continue
        try:
            obj = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            ctx.report(path, pos, f"invalid UTF-8 at byte {exc.start:,} of the line", code="invalid_utf8")
            continue
        except (ValueError, RecursionError) as exc:
            ctx.report(path, pos, f"not valid JSON ({str(exc)[:100]})", code="invalid_json")
            continue
        if not isinstance(obj, dict):
            ctx.report(path, pos, f"a line must be one JSON object, not a {type(obj).__name__}", code="invalid_row")
            continue
        extra = {k: v for k, v in obj.items() if k not in COLUMNS}
        if extra:
            ctx.warn(path, pos, f"unknown keys kept under extra.raw: {', '.join(for_display(k)[:40] for k in extra)}",
                     code="unknown_key")
        yield pos, obj, extra or None
