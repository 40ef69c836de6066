"""A ZIP reader that assumes the archive is hostile (formats README §0.4, SECURITY.md T25–T27).

Python 3.11.7's `zipfile` trusts the central directory and does not notice overlapping entries
(the fix of gh-109858 is missing there), so every check here is our own:

* the entry count and central-directory size are read from the end record *before* `zipfile`
  builds its member list, so a million-entry archive is refused without building a million objects;
* names: absolute, drive-letter, `..` (also after NFKC, so full-width `．．／` counts), NUL,
  over-long, duplicates (after NFC + casefold), symlink entries;
* encrypted members and compression methods we cannot read;
* declared sizes and per-member ratio; then the bytes actually decompressed are counted, so a
  central directory that understates a size cannot smuggle more than the caps;
* byte ranges of entries may not overlap each other or the central directory (Fifield bombs).

Nothing is ever extracted to disk by name: members are streamed from the archive.
"""

from __future__ import annotations

import io
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from himaya.config import ArchiveLimits
from himaya.errors import UnsafeArchiveError

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_RATIO_FLOOR = 1024 * 1024  # small members compress arbitrarily well (a blank JSON array); judge ratio above this


def is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(4)
    return head in (_LOCAL, _EOCD, b"PK\x07\x08")


def safe_member_name(name: str) -> str | None:
    """The posix path a member name stands for, or None if it could land outside the root."""
    if "\x00" in name:
        return None
    folded = unicodedata.normalize("NFKC", name).replace("\\", "/")
    if folded.startswith("/") or (len(folded) > 1 and folded[1] == ":") or folded.startswith("//"):
        return None
    parts = [p for p in folded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _end_record(fh: IO[bytes], size: int) -> tuple[int, int, int]:
    """(entries, central directory size, central directory offset) from the end record."""
    tail_len = min(size, 65_557)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(_EOCD)
    if pos < 0 or len(tail) - pos < 22:
        raise UnsafeArchiveError("not a readable ZIP: no end-of-central-directory record (truncated download?)")
    (_, disk, cd_disk, _n_disk, entries, cd_size, cd_offset, _clen) = struct.unpack("<4sHHHHIIH", tail[pos:pos + 22])
    if disk != 0 or cd_disk != 0:
        raise UnsafeArchiveError("multi-disk (split) ZIP archives are not supported: join the parts into one file")
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = pos - 20
        if loc < 0 or tail[loc:loc + 4] != _ZIP64_LOCATOR:
            raise UnsafeArchiveError("ZIP64 end record missing")
        (_, _d, z64_offset, _ndisks) = struct.unpack("<4sIQI", tail[loc:loc + 20])
        if z64_offset >= size:
            raise UnsafeArchiveError("ZIP64 end record points outside the file")
        fh.seek(z64_offset)
        rec = fh.read(56)
        if len(rec) < 56 or rec[:4] != _ZIP64_EOCD:
            raise UnsafeArchiveError("ZIP64 end record is malformed")
        entries, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
    return entries, cd_size, cd_offset


class SafeZip:
    """Validated, read-only view of a ZIP file. Raises UnsafeArchiveError on any violation."""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.path = path
        self.limits = limits
        size = path.stat().st_size
        with path.open("rb") as fh:
            entries, cd_size, _ = _end_record(fh, size)
        if entries > limits.max_entries:
            raise UnsafeArchiveError(f"archive lists {entries:,} members; the limit is {limits.max_entries:,} (max_entries)")
        if cd_size > entries * (46 + limits.max_name_length + 256) + 1024 or cd_size > size:
            raise UnsafeArchiveError(f"central directory of {cd_size:,} bytes is larger than {entries:,} members need")
        try:
            self._zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise UnsafeArchiveError(f"not a readable ZIP: {exc}") from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._validate(size)
        self._decompressed_total = 0

    def _validate(self, size: int) -> None:
        lim = self.limits
        bad: list[str] = []
        seen: dict[str, str] = {}
        total = 0
        ranges: list[tuple[int, int, str]] = []
        cd_start = self._zf.start_dir
        with self.path.open("rb") as fh:
            for info in self._zf.infolist():
                shown = info.filename.encode("unicode_escape").decode("ascii")[:200]
                if info.flag_bits & 0x1:
                    raise UnsafeArchiveError(
                        f"encrypted ZIP (member {shown!r}): Himaya cannot read password-protected archives; "
                        "export again without a password")
                if len(info.filename) > lim.max_name_length:
                    bad.append(f"{shown[:60]}…: name longer than {lim.max_name_length} characters")
                    continue
                name = safe_member_name(info.filename)
                if name is None:
                    bad.append(f"{shown}: path escapes the export (absolute, '..' or NUL)")
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    bad.append(f"{shown}: symbolic link")
                    continue
                if info.is_dir():
                    continue
                if info.compress_type not in _READABLE_METHODS:
                    bad.append(f"{shown}: compression method {info.compress_type} is not supported")
                    continue
                key = unicodedata.normalize("NFC", name).casefold()
                if key in seen:
                    bad.append(f"{shown}: duplicate of {seen[key]!r}")
                    continue
                seen[key] = name
                if info.file_size > lim.max_member_bytes:
                    raise UnsafeArchiveError(
                        f"member {shown!r} declares {info.file_size:,} bytes; the limit is {lim.max_member_bytes:,} (max_member_bytes)")
                total += info.file_size
                if total > lim.max_total_bytes:
                    raise UnsafeArchiveError(
                        f"archive declares more than {lim.max_total_bytes:,} uncompressed bytes (max_total_bytes)")
                if info.file_size > _RATIO_FLOOR and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                    raise UnsafeArchiveError(
                        f"member {shown!r} expands {info.file_size / max(info.compress_size, 1):,.0f}:1; "
                        f"the limit is {lim.max_ratio:,.0f}:1 (max_ratio): a zip bomb?")
                fh.seek(info.header_offset)
                local = fh.read(30)
                if len(local) < 30 or local[:4] != _LOCAL:
                    raise UnsafeArchiveError(f"member {shown!r}: local header missing or corrupt")
                n, m = struct.unpack("<HH", local[26:30])
                end = info.header_offset + 30 + n + m + info.compress_size
                if end > cd_start or end > size:
                    raise UnsafeArchiveError(f"member {shown!r} runs into the central directory or past the end of the file")
                ranges.append((info.header_offset, end, shown))
                self._infos[name] = info
        if bad:
            raise UnsafeArchiveError("unsafe archive members refused (nothing was read): " + "; ".join(bad[:20])
                                     + (f"; and {len(bad) - 20} more" if len(bad) > 20 else ""))
        ranges.sort()
        for (s1, e1, n1), (s2, _e2, n2) in zip(ranges, ranges[1:], strict=False):
            if s2 < e1:
                raise UnsafeArchiveError(f"members {n1!r} and {n2!r} overlap: an overlapping-entry zip bomb")

    def names(self) -> list[str]:
        return list(self._infos)

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def open(self, name: str) -> IO[bytes]:
        info = self._infos[name]
        return _CountingReader(self, self._zf.open(info), name, info.file_size)

    def _count(self, n: int, name: str) -> None:
        self._decompressed_total += n
        if self._decompressed_total > self.limits.max_total_bytes:
            raise UnsafeArchiveError(f"{name}: more than {self.limits.max_total_bytes:,} bytes decompressed (max_total_bytes)")

    def close(self) -> None:
        self._zf.close()


class _CountingReader(io.RawIOBase):
    """Counts bytes really decompressed; zipfile's own CRC/size checks surface as UnsafeArchiveError."""

    def __init__(self, owner: SafeZip, inner: IO[bytes], name: str, declared: int) -> None:
        self._owner, self._inner, self._name, self._declared = owner, inner, name, declared
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(b))
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise UnsafeArchiveError(f"{self._name}: corrupt archive member ({exc})") from None
        n = len(data)
        self._read += n
        if self._read > self._declared:
            raise UnsafeArchiveError(f"{self._name}: more bytes than the archive declares")
        self._owner._count(n, self._name)
        b[:n] = data
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def iter_chunks(fh: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := fh.read(size):
        yield chunk
