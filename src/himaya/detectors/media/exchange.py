"""Hash lists for platforms and partners: what Hasher-Matcher-Actioner (HMA) and ThreatExchange import.

Formats written by `export_list` (and all read back by `parse_list`):

* `txt`: one `pdq <64 hex>` per line: python-threatexchange's `LocalFileSignalExchangeAPI`
  format, which HMA's file exchange (and `threatexchange fetch`) reads as is;
* `csv`: `signal_type,signal,category,quality,content_id` with a header; the first two columns
  are the ThreatExchange signal type name and signal string;
* `json`: `{"format": "himaya-hash-list", "bank": ..., "signals": [...]}` where every entry carries
  `signals` ({"pdq": hex}), the body HMA's `POST /c/bank/<bank>/signal` takes, plus its category.
  Videos travel as `vpdq` signals (JSON list of {hash, quality, timestamp}, vPDQ's own layout).

Only hashes leave: never the pictures, never the case name, post or account.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from himaya.detectors.media import pdq
from himaya.detectors.media.signals import MediaSignals
from himaya.detectors.media.store import CATEGORIES, KnownItem
from himaya.detectors.media.vpdq import FrameHash

FORMATS = ("csv", "json", "txt")
CSV_HEADER = ("signal_type", "signal", "category", "quality", "content_id")
_BANK = re.compile(r"^[A-Z0-9_]{1,64}$")
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class ListProblem:
    position: str
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"


@dataclass(frozen=True)
class ImportedSignal:
    signals: MediaSignals
    category: str
    content_id: str | None


def export_list(items: list[KnownItem], fmt: str, *, bank: str = "HIMAYA_SHARED", category: str | None = None) -> str:
    """The known items' hashes in `fmt` (csv, json or txt); `category` overrides each item's own."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if not _BANK.match(bank):
        raise ValueError("bank names are CAPS_AND_UNDERSCORE (HMA's rule), at most 64 characters")
    rows = []
    for k in items:
        cat = category or k.category
        s = k.signals
        if s.kind == "video" and s.frames:
            rows.append(("vpdq", _vpdq_string(s.frames), cat, s.quality, f"himaya:{k.id}"))
        elif s.pdq is not None:
            rows.append(("pdq", s.pdq.hex(), cat, s.quality, f"himaya:{k.id}"))
    if fmt == "txt":
        return "".join(f"{t} {sig}\n" for t, sig, *_ in rows if t == "pdq")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_HEADER)
        w.writerows(rows)
        return buf.getvalue()
    doc = {"format": "himaya-hash-list", "version": 1, "bank": bank,
           "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "signals": [{"signal_type": t, "signal": sig, "category": cat, "quality": q, "content_id": cid,
                        "signals": {t: sig}} for t, sig, cat, q, cid in rows]}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _vpdq_string(frames: tuple[FrameHash, ...]) -> str:
    return json.dumps([{"hash": f.pdq.hex(), "quality": f.quality, "timestamp": round(f.ts, 3)} for f in frames],
                      separators=(",", ":"))


def parse_list(text: str, *, default_category: str = "defamation") -> tuple[list[ImportedSignal], list[ListProblem]]:
    """Signals from a partner's list in any of our formats; bad rows are reported, good ones kept."""
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith(("{", "[")):
        return _parse_json(stripped, default_category)
    first = stripped.split("\n", 1)[0].lower()
    if "," in first and ("signal" in first or "hash" in first or "pdq" in first):
        return _parse_csv(stripped, default_category)
    return _parse_txt(stripped, default_category)


def _signal(kind: str, value: str, quality: Any = None) -> MediaSignals:
    kind = kind.strip().lower()
    if kind == "pdq":
        h = pdq.from_hex(value)
        q = int(quality) if quality not in (None, "") else 100
        if not 0 <= q <= 100:
            raise ValueError(f"quality {q} is not 0–100")
        return MediaSignals(sha256="", size=0, kind="image", format="", width=0, height=0, pdq=h, quality=q)
    if kind == "vpdq":
        frames_in = json.loads(value)
        if not isinstance(frames_in, list) or not frames_in:
            raise ValueError("a vpdq signal is a non-empty JSON list of {hash, quality, timestamp}")
        frames = tuple(FrameHash(pdq.from_hex(str(f["hash"])), int(f["quality"]), float(f["timestamp"]))
                       for f in frames_in)
        return MediaSignals(sha256="", size=0, kind="video", format="", width=0, height=0, pdq=frames[0].pdq,
                            quality=frames[0].quality, frames=frames)
    raise ValueError(f"signal type {kind!r} is not pdq or vpdq")


def _category(value: Any, default: str) -> str:
    cat = str(value).strip().lower() if value not in (None, "") else default
    if cat not in CATEGORIES:
        raise ValueError(f"category {cat!r} is not one of {', '.join(CATEGORIES)}")
    return cat


_ROW_ERRORS = (ValueError, KeyError, TypeError, StopIteration)
Row = tuple[str, Callable[[], ImportedSignal]]


def _collect(rows: Iterable[Row]) -> tuple[list[ImportedSignal], list[ListProblem]]:
    """Read each row (position, reader): a bad row is reported and skipped, and a list stops at MAX_ROWS, said so."""
    out: list[ImportedSignal] = []
    problems: list[ListProblem] = []
    for count, (position, read) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problems.append(ListProblem(position, f"list longer than {MAX_ROWS:,} rows: the rest was not read"))
            break
        try:
            out.append(read())
        except _ROW_ERRORS as exc:
            problems.append(ListProblem(position, str(exc) or "no pdq or vpdq signal"))
    return out, problems


def _parse_txt(text: str, default: str) -> tuple[list[ImportedSignal], list[ListProblem]]:
    def read(kind: str, value: str) -> ImportedSignal:
        return ImportedSignal(_signal(kind, value.strip()), default, None)

    def rows() -> Iterator[Row]:
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            kind, _, value = line.partition(" ")
            if not value:
                kind, value = "pdq", kind
            yield f"line {n}", partial(read, kind, value)

    return _collect(rows())


def _parse_csv(text: str, default: str) -> tuple[list[ImportedSignal], list[ListProblem]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or ()}
    sig_col = fields.get("signal") or fields.get("hash") or fields.get("pdq")
    if sig_col is None:
        return [], [ListProblem("line 1", "no 'signal' (or 'hash'/'pdq') column in the CSV header")]

    def read(row: dict[str, str]) -> ImportedSignal:
        kind = row.get(fields.get("signal_type", ""), None) or "pdq"
        return ImportedSignal(_signal(kind, row.get(sig_col) or "", row.get(fields.get("quality", ""))),
                              _category(row.get(fields.get("category", "")), default),
                              row.get(fields.get("content_id", "")) or None)

    return _collect((f"line {n}", partial(read, row)) for n, row in enumerate(reader, start=2))


def _parse_json(text: str, default: str) -> tuple[list[ImportedSignal], list[ListProblem]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [ListProblem(f"line {exc.lineno}", f"not valid JSON ({exc.msg})")]
    entries = doc.get("signals") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        return [], [ListProblem("/", "expected a list of signals, or an object with a 'signals' list")]

    def read(e: Any) -> ImportedSignal:
        if not isinstance(e, dict):
            raise ValueError("an entry must be an object")
        if "signal_type" in e:
            kind, value = str(e["signal_type"]), e["signal"]
        else:  # HMA's bank-add body: {"pdq": "<hex>"}
            kind, value = next((k, v) for k, v in e.items() if k in ("pdq", "vpdq"))
        return ImportedSignal(_signal(kind, value if isinstance(value, str) else json.dumps(value), e.get("quality")),
                              _category(e.get("category"), default), e.get("content_id"))

    return _collect((f"/signals/{i}", partial(read, e)) for i, e in enumerate(entries))
