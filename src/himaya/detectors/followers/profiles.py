"""Profile fields from a profiles CSV (`handle, full_name, posts, followers, following, has_profile_pic,
is_private, account_created, bio`; any may be blank), as arrays aligned with the followers.

A bad value is reported with its line and column and read as blank: the rest of the row still
counts. A row without a handle cannot be matched to anyone and is reported and skipped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from himaya.errors import HimayaError
from himaya.records import Problem

COLUMNS = ("handle", "full_name", "posts", "followers", "following", "has_profile_pic", "is_private",
           "account_created", "bio")
NUMERIC = ("posts", "followers", "following")
FLAGS = ("has_profile_pic", "is_private")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
_COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([km]?)$")
MAX_BYTES = 512 * 1024 * 1024


class ProfileFileError(HimayaError):
    exit_code = 2


@dataclass
class Profiles:
    """Columns aligned with a follower list; NaN (numbers, flags, times) or '' (text) where unknown."""

    known: NDArray[np.bool_]
    posts: NDArray[np.float64]
    followers: NDArray[np.float64]
    following: NDArray[np.float64]
    has_profile_pic: NDArray[np.float64]
    is_private: NDArray[np.float64]
    account_created: NDArray[np.float64]
    full_name: list[str]
    bio: list[str]
    problems: list[Problem] = field(default_factory=list)
    unmatched: int = 0

    @classmethod
    def empty(cls, n: int) -> Profiles:
        nan = np.full(n, np.nan)
        return cls(np.zeros(n, bool), nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(),
                   [""] * n, [""] * n)


def _count(v: str) -> float:
    m = _COUNT.match(v.replace(",", "").strip().lower())
    if not m:
        raise ValueError("not a count")
    return float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2)]


def _flag(v: str) -> float:
    low = v.strip().lower()
    if low in _TRUE:
        return 1.0
    if low in _FALSE:
        return 0.0
    raise ValueError("not true/false")


def _time(v: str) -> float:
    s = v.strip()
    if re.fullmatch(r"\d{9,11}", s):
        return float(s)
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (d if d.tzinfo else d.replace(tzinfo=UTC)).timestamp()


_PARSERS: dict[str, Any] = {**dict.fromkeys(NUMERIC, _count), **dict.fromkeys(FLAGS, _flag), "account_created": _time}
_WHAT = {**dict.fromkeys(NUMERIC, "a whole number (1234, 1,234 or 1.2k)"),
         **dict.fromkeys(FLAGS, "true/false, yes/no or 1/0"), "account_created": "an ISO date or Unix seconds"}


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ProfileFileError(f"{path}: {size:,} bytes; profiles CSV limit is {MAX_BYTES:,}")
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileFileError(f"{path}: not UTF-8 (byte {exc.start:,})") from None
    except OSError as exc:
        raise ProfileFileError(f"{path}: cannot be read ({exc.strerror})") from None


def _header(reader: Any, path: Path) -> list[str]:
    header = [h.strip().lower() for h in next(reader, [])]
    if "handle" not in header:
        raise ProfileFileError(f"{path}: no 'handle' column (columns: {', '.join(COLUMNS)}; any but handle may be blank)")
    return header


def check_profiles_file(path: Path) -> None:
    """Refuse an unusable file before anything else starts (readable, UTF-8, a handle column)."""
    _header(csv.reader(io.StringIO(_text(path), newline="")), path)


def read_profiles(path: Path, handles: list[str]) -> Profiles:
    """Profiles for `handles` (lower-case, as in `FollowerSet.handles`)."""
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    header = _header(reader, path)
    unknown = [h for h in header if h not in COLUMNS]
    col = {name: header.index(name) for name in COLUMNS if name in header}
    where = {h: i for i, h in enumerate(handles)}
    out = Profiles.empty(len(handles))
    if unknown:
        out.problems.append(Problem(path=path.name, position="line 1", severity="warning", code="unknown_column",
                                    message=f"columns ignored: {', '.join(unknown)}"))
    try:
        _read_rows(reader, col, where, out, path.name)
    except csv.Error as exc:  # an unterminated quote or an oversized field stops the reader itself
        out.problems.append(Problem(path=path.name, position=f"line {reader.line_num}", code="unreadable_rest",
                                    message=f"{exc}: the rest of the file could not be read (rows before it count)"))
    return out


def _read_rows(reader: Any, col: dict[str, int], where: dict[str, int], out: Profiles, name: str) -> None:
    seen: dict[int, int] = {}
    for row in reader:
        line = reader.line_num  # the file line, even after a quoted field that spans lines
        if not any(c.strip() for c in row):
            continue
        handle = row[col["handle"]].strip().lstrip("@").lower() if col["handle"] < len(row) else ""
        if not handle:
            out.problems.append(Problem(path=name, position=f"line {line}", code="no_handle",
                                        message="row has no handle: skipped"))
            continue
        i = where.get(handle)
        if i is None:
            out.unmatched += 1
            continue
        if i in seen:
            out.problems.append(Problem(path=name, position=f"line {line}", severity="warning", code="duplicate_handle",
                                        message=f"{handle!r} already given on line {seen[i]}; this later row is used"))
        seen[i] = line
        out.known[i] = True
        for field_name, j in col.items():
            if field_name == "handle" or j >= len(row):
                continue
            raw = row[j]
            if field_name in ("full_name", "bio"):
                getattr(out, field_name)[i] = raw.strip()
                continue
            if not raw.strip():
                continue
            try:
                getattr(out, field_name)[i] = _PARSERS[field_name](raw)
            except (ValueError, OverflowError):
                out.problems.append(Problem(path=name, position=f"line {line}, column {field_name}", code="bad_value",
                                            message=f"{raw[:40]!r} is not {_WHAT[field_name]}: read as blank"))
