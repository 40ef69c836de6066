"""Byte-level helpers shared by the writers: each platform's JSON layout, deterministic ZIPs, IDs.

Everything here is deterministic: the same input gives the same bytes (no wall clock, no
`random` module state, fixed ZIP timestamps and permissions).
"""

from __future__ import annotations

import json
import random
import time
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

Json = Any
StrFn = Callable[[str], str]


def mojibake(s: str) -> str:
    """Meta's escaping: every UTF-8 byte of a non-ASCII character as its own `\\u00XX` code point."""
    return s.encode("utf-8").decode("latin-1")


def _meta_str(s: str) -> str:
    return json.dumps(mojibake(s))  # ensure_ascii: bytes 0x80-0xff become \u00XX, lower-case hex


def _raw_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _pretty(obj: Json, ind: int, out: list[str], *, step: int, colon: str, empty: Callable[[int], str],
            s: StrFn) -> None:
    if isinstance(obj, dict):
        if not obj:
            out.append("{ }" if colon == " : " else "{}")
            return
        out.append("{\n")
        for i, (k, v) in enumerate(obj.items()):
            out.append(" " * (ind + step) + s(str(k)) + colon)
            _pretty(v, ind + step, out, step=step, colon=colon, empty=empty, s=s)
            out.append(",\n" if i < len(obj) - 1 else "\n")
        out.append(" " * ind + "}")
    elif isinstance(obj, list | tuple):
        if not obj:
            out.append(empty(ind))
            return
        out.append("[\n")
        for i, v in enumerate(obj):
            out.append(" " * (ind + step))
            _pretty(v, ind + step, out, step=step, colon=colon, empty=empty, s=s)
            out.append(",\n" if i < len(obj) - 1 else "\n")
        out.append(" " * ind + "]")
    elif isinstance(obj, str):
        out.append(s(obj))
    else:
        out.append(json.dumps(obj))


def meta_json(obj: Json) -> bytes:
    """Instagram/Facebook DYI layout: 2-space indent, mojibake-escaped ASCII, an empty array as a
    bracket line, an indented blank line and a closing bracket, and no final newline."""
    out: list[str] = []
    _pretty(obj, 0, out, step=2, colon=": ", empty=lambda i: "[\n" + " " * (i + 2) + "\n" + " " * i + "]",
            s=_meta_str)
    return "".join(out).encode("ascii")


def x_json(obj: Json) -> str:
    """X archive layout: 2-space indent, `"key" : value`, `[ ]` for an empty array, raw UTF-8."""
    out: list[str] = []
    _pretty(obj, 0, out, step=2, colon=" : ", empty=lambda i: "[ ]", s=_raw_str)
    return "".join(out)


def x_js(global_name: str, obj: Json) -> bytes:
    """A `data/*.js` file: `window.YTD.<name>.partN = [...]` (no final newline)."""
    return f"{global_name} = {x_json(obj)}".encode()


def telegram_json(obj: Json) -> bytes:
    """Telegram Desktop layout: one space per level, raw UTF-8, `/` unescaped, no final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")


def compact_json(obj: Json) -> str:
    """JavaScript's `JSON.stringify`: no spaces, raw UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def js_number(big: int) -> int:
    """What `parseInt` + `JSON.stringify` make of a large ID: the nearest double, printed shortest."""
    return int(Decimal(repr(float(big))))


# -- ZIPs ----------------------------------------------------------------------------------------

DateTime = tuple[int, int, int, int, int, int]


def zip_info(name: str, when: DateTime) -> zipfile.ZipInfo:
    if name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"unsafe member name {name!r}")
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def write_zip(path: Path, members: Iterable[tuple[str, bytes]], when: DateTime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(zip_info(name, when), data, compresslevel=6)
    return path


def write_tree(root: Path, members: Iterable[tuple[str, bytes]]) -> Path:
    """The same members as plain files under `root` (a folder export)."""
    for name, data in members:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def make_rng(seed: int | str) -> random.Random:
    """A seeded generator for synthetic data (not for anything secret)."""
    return random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography


# -- IDs and times -------------------------------------------------------------------------------

TWITTER_EPOCH_MS = 1288834974657
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def snowflake(ts: float, rng: random.Random) -> str:
    """An X post/user ID minted at `ts` (Unix seconds), as X's IDs encode their creation time."""
    return str(((int(ts * 1000) - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))


def tiktok_id(ts: int, rng: random.Random) -> str:
    return str((ts << 32) | rng.getrandbits(32))


def digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(n))


def utc_iso(ts: float, millis: bool = True) -> str:
    """`2025-06-14T18:40:31.283Z` (or without the milliseconds)."""
    ms = round(ts * 1000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000))
    return f"{base}.{ms % 1000:03d}Z" if millis else base + "Z"


def local(ts: float, offset_s: int, fmt: str = "%Y-%m-%dT%H:%M:%S") -> str:
    """Wall-clock time at a fixed UTC offset (Asia/Baghdad has had no DST since 2008)."""
    return time.strftime(fmt, time.gmtime(int(ts) + offset_s))


def x_date(ts: float) -> str:
    """`Mon Mar 10 20:15:00 +0000 2025` (C locale names, whatever the machine's locale)."""
    t = time.gmtime(int(ts))
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[t.tm_wday]} {MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000 {t.tm_year}"
