"""Zeeschuimer NDJSON captures: what an analyst saw while browsing (formats README §11).

Platform exports hold what the owner did; the comments and replies other people left under
the defender's posts are only in captures like these. One line is one captured item with an
envelope saying when and where the analyst's browser saw it. The same item is captured again
on every page visit, so records are deduplicated by (platform, native ID) across every file of
one input, and each copy is kept as a *sighting*: first seen is the earliest capture time.
Records are therefore emitted after the last file is read (captures are a few MB at most).

The envelope (`user_agent`, `source_url`, `nav_index`) identifies the analyst's browser and
session: it is kept in `Post.extra["envelope"]` for the evidence store only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from himaya.errors import HimayaParseError, TimestampError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.timeparse import from_unix
from himaya.ingest.tree import ExportTree
from himaya.ingest.zeeschuimer_items import (
    Item,
    ItemError,
    Where,
    iso,
    map_instagram,
    map_tiktok,
    map_tiktok_comment,
    map_x,
    s,
)
from himaya.records import Platform, Post, Record

Mapper = Callable[[dict[str, Any], Where], list[Item]]
MAPPERS: dict[str, Mapper] = {"instagram.com": map_instagram, "twitter.com": map_x, "x.com": map_x,
                              "tiktok.com": map_tiktok, "tiktok-comments": map_tiktok_comment}
PLATFORM_OF: dict[str, Platform] = {"instagram": "instagram", "x": "x", "tiktok": "tiktok", "tiktok-comment": "tiktok"}

_HEAD = 64 * 1024
_CLAIM_LINE_MAX = 16 * 1024 * 1024
_RAW_IN_REPORT = 64 * 1024


def envelope_of(obj: Any) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """(envelope, data, went through 4CAT) for a capture line, or None if the JSON is not one.

    4CAT (and Zeeschuimer's own NDJSON import) flatten a line to `{...data, "__import_meta": envelope}`.
    """
    if not isinstance(obj, dict):
        return None
    meta = obj.get("__import_meta")
    if isinstance(meta, dict) and isinstance(meta.get("source_platform"), str):
        return meta, {k: v for k, v in obj.items() if k != "__import_meta"}, True
    if isinstance(obj.get("data"), dict) and isinstance(obj.get("source_platform"), str):
        return obj, obj["data"], False
    return None


def _first_line(tree: ExportTree, path: str) -> bytes | None:
    with tree.open(path) as fh:
        while True:
            line = fh.readline(_CLAIM_LINE_MAX + 1)
            if not line or len(line) > _CLAIM_LINE_MAX:
                return None
            if line.strip():
                return line.removeprefix(b"\xef\xbb\xbf")


def is_capture(tree: ExportTree, path: str) -> bool:
    """By content only (users rename files): the first non-blank line is a capture line."""
    if tree.size(path) < 2 or not tree.head(path, 256).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False  # cheap first: most members of a large export are pictures or pretty-printed JSON
    head = tree.head(path, _HEAD)
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    complete = b"\n" in body
    if complete and b'"source_platform"' not in head:
        return False
    line = body.split(b"\n", 1)[0] if complete else _first_line(tree, path)
    try:
        return line is not None and envelope_of(json.loads(line.decode("utf-8"))) is not None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False


@dataclass
class _Entry:
    best: Item
    rank: tuple[bool, bool]
    platform: str
    envelope: dict[str, Any]
    sightings: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)  # (time, order, sighting)
    first_seen: datetime | None = None


@dataclass
class _Seen:
    """Every item by (kind, native ID), in first-seen order, with its sightings."""

    entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)

    def add(self, ctx: ParseContext, item: Item, platform: str, env: dict[str, Any], sighting: dict[str, Any],
            collected: datetime | None) -> None:
        rank = (item.partial, item.nested_in is not None)  # prefer complete copies, then items of their own
        e = self.entries.get((item.kind, item.post_id))
        if e is None:
            e = self.entries[(item.kind, item.post_id)] = _Entry(item, rank, platform, env)
        else:
            ctx.count("zeeschuimer_duplicate_sighting")
            if rank < e.rank:
                e.best, e.rank, e.platform, e.envelope = item, rank, platform, env
        e.sightings.append((collected.timestamp() if collected else float("inf"), len(e.sightings), sighting))
        if collected is not None and (e.first_seen is None or collected < e.first_seen):
            e.first_seen = collected

    def records(self, ctx: ParseContext) -> Iterator[Post]:
        for e in self.entries.values():
            item = e.best
            sightings = [x for _, _, x in sorted(e.sightings, key=lambda t: t[:2])]  # earliest capture first
            urls = [x["source_platform_url"] for x in sightings if x.get("source_platform_url")]
            extra = {**item.extra, "source": f"zeeschuimer:{e.platform}", "source_platform": e.platform,
                     "envelope": e.envelope, "sightings": sightings, "source_platform_urls": list(dict.fromkeys(urls)),
                     "first_seen": iso(e.first_seen), **({"nested_in": item.nested_in} if item.nested_in else {})}
            try:
                yield Post(provenance=item.where.prov, platform=PLATFORM_OF[item.kind], post_id=item.post_id,
                           collected_at=e.first_seen, partial=item.partial, extra=extra, **item.fields)
            except ValidationError as exc:  # a field of an unexpected type: this item only
                ctx.report(item.where.prov.path, item.where.prov.position,
                           f"item cannot be read ({exc.error_count()} invalid field(s): "
                           f"{', '.join(str(x['loc'][0]) for x in exc.errors()[:3])})", code="invalid_item")


def _lines(ctx: ParseContext, path: str) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, cut): `cut` marks a last line with no final newline (an interrupted download)."""
    size, consumed = ctx.tree.size(path), 0
    prev: tuple[int, bytes] | None = None
    try:
        for n, line in ctx.iter_lines(path):
            if prev is not None:
                yield (*prev, False)
            consumed += len(line) + 1
            prev = (n, line)
    except HimayaParseError:  # an over-long line: the line before it is still read, then the file stops
        if prev is not None:
            yield (*prev, False)
        raise
    if prev is not None:
        yield (*prev, consumed > size)


class ZeeschuimerParser(Parser):
    """Zeeschuimer's "Download → .ndjson (original)" for Instagram, X, TikTok posts and TikTok comments."""

    name = "zeeschuimer"
    label = "Zeeschuimer NDJSON capture (Instagram, X, TikTok posts, TikTok comments)"

    def claim(self, tree: ExportTree) -> list[str]:
        return [m.path for m in tree.members() if is_capture(tree, m.path)]

    def parse(self, tree: ExportTree, paths: list[str], ctx: ParseContext) -> Iterator[Record]:
        seen = _Seen()
        for path in paths:
            with ctx.guard(path):
                self._read(ctx, path, seen)
        yield from seen.records(ctx)

    def _read(self, ctx: ParseContext, path: str, seen: _Seen) -> None:
        for n, line, cut in _lines(ctx, path):
            pos = f"line {n}"
            if not line.strip():
                ctx.count("zeeschuimer_blank_line")
                continue
            try:
                obj = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
            except UnicodeDecodeError as exc:
                ctx.report(path, pos, f"invalid UTF-8 at byte {exc.start:,} of the line", code="invalid_utf8")
                continue
            except (ValueError, RecursionError) as exc:
                if cut:
                    ctx.report(path, pos, "truncated: the last line stops mid-record with no final newline "
                               "(interrupted download?)", code="truncated")
                else:
                    ctx.report(path, pos, f"not valid JSON ({str(exc)[:120]})", code="invalid_json")
                continue
            found = envelope_of(obj)
            if found is None:
                what = ("an object without source_platform and data" if isinstance(obj, dict)
                        else f"a JSON {type(obj).__name__}")
                ctx.report(path, pos, f"not a Zeeschuimer capture line ({what})", code="not_a_capture")
                continue
            env, data, via_4cat = found
            platform = str(env["source_platform"])
            mapper = MAPPERS.get(platform)
            if mapper is None:
                ctx.count("zeeschuimer_unsupported_line")
                text = line.decode("utf-8")
                cut_note = f" …[{len(text) - _RAW_IN_REPORT:,} more characters]" if len(text) > _RAW_IN_REPORT else ""
                ctx.warn(path, pos, f"unsupported platform {platform[:80]!r}: line kept raw "
                         f"(sha256 {hashlib.sha256(line).hexdigest()}): {text[:_RAW_IN_REPORT]}{cut_note}",
                         code="unsupported_platform")
                continue
            self._line(ctx, path, n, line, env, data, via_4cat, mapper, seen)

    def _line(self, ctx: ParseContext, path: str, n: int, line: bytes, env: dict[str, Any], data: dict[str, Any],
              via_4cat: bool, mapper: Mapper, seen: _Seen) -> None:
        pos = f"line {n}"

        def report(message: str, code: str) -> None:
            ctx.report(path, pos, message, code=code)

        collected: datetime | None = None
        stamp = env.get("timestamp_collected")
        if stamp is not None:
            try:
                collected = from_unix(stamp, millis=True)
            except TimestampError as exc:
                ctx.warn(path, pos, f"timestamp_collected: {exc.reason}; collection time unknown", code="bad_time")
        try:
            items = mapper(data, Where(ctx.provenance(path, pos), report, pos, "" if via_4cat else "/data"))
        except ItemError as exc:
            ctx.report(path, pos, str(exc), code="invalid_item")
            return
        except (TypeError, ValueError, AttributeError) as exc:  # an unexpected shape sinks one line, never the file
            ctx.report(path, pos, f"unexpected item shape ({type(exc).__name__}: {str(exc)[:120]})", code="invalid_item")
            return
        # absent in older captures (no user_agent before 2023, no last_updated before 2026): null, never guessed
        envelope = {"nav_index": env.get("nav_index"), "item_id": s(env.get("item_id")), "row_id": env.get("id"),
                    "source_url": env.get("source_url"), "user_agent": env.get("user_agent"),
                    "timestamp_collected": stamp, "last_updated": env.get("last_updated"),
                    "via": "4cat" if via_4cat else None}
        sighting = {"path": path, "line": n, "line_sha256": hashlib.sha256(line).hexdigest(),
                    "nav_index": s(env.get("nav_index")), "collected_at": iso(collected),
                    "source_platform_url": s(env.get("source_platform_url"))}
        for item in items:
            seen.add(ctx, item, str(env["source_platform"]), envelope,
                     {**sighting, "nested_in": item.nested_in} if item.nested_in else sighting, collected)
