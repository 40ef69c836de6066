"""A ZIP reader that assumes the archive is hostile (formats README §0.4, SECURITY.md T25–T27).

Python 3.11.7's `zipfile` trusts the central directory and does not notice overlapping entries
(the fix of gh-109858 is missing there), so every check here is our own:

* the entry count and central-directory size are read from the end record (with zipfile's own
  reader, so both agree on which record counts) *before* `zipfile` builds its member list, and a
  directory big enough to hold more records than allowed is walked and counted first, because
  zipfile goes by its byte size, not the declared count: a million-entry archive is refused
  without building a million objects;
* names: absolute, drive-letter, `..` (also after NFKC, so full-width `．．／` counts), NUL (seen in
  `orig_filename`: zipfile cuts `filename` at the NUL),
  over-long, duplicates (after NFC + casefold), symlink entries;
* encrypted members and compression methods we cannot read;
* declared sizes and per-member ratio; then the bytes actually decompressed are counted, so a
  central directory that understates a size cannot smuggle more than the caps;
* byte ranges of entries may not overlap each other or the central directory (Fifield bombs).

Nothing is ever extracted to disk by name: members are streamed from the archive.
"""

from __future__ import annotations

import io
import itertools
import lzma
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from himaya.config import ArchiveLimits
from himaya.errors import UnsafeArchiveError

_EOCD = b"PK\x05\x06"
_ZIP64_EOCD = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_CD_FIXED = 46  # bytes of a central-directory record before its name, extra field and comment
_CD_MAX_RECORD = _CD_FIXED + 3 * 0xFFFF  # the most one record can take (over-long names are refused by name)
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# What zipfile and its decompressors raise on a corrupt or unsupported member (zlib and lzma have
# their own error types; bz2 raises OSError; flags only in the local header give NotImplementedError).
_READ_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError,
                struct.error, zlib.error, lzma.LZMAError)
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
    out = "/".join(parts)
    # Checked again after "." segments are dropped: "./C:x" must not become the drive-relative "C:x".
    if len(out) > 1 and out[1] == ":":
        return None
    return out


def _end_record(fh: IO[bytes], size: int) -> tuple[int, int, int]:
    """(entries, central directory size, central directory start), exactly as `zipfile` will read them.

    zipfile's own end-record reader is used on purpose: a reader of our own disagreed with it, and
    the numbers checked must be the ones zipfile then acts on. zipfile takes a ZIP64 end record
    whenever a locator sits right before the classic record (whatever the classic record says, and
    wherever the locator points), and it places the directory relative to the end record.
    """
    try:
        rec = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except (zipfile.BadZipFile, OSError, ValueError, struct.error) as exc:
        raise UnsafeArchiveError(f"not a readable ZIP: {exc}") from None
    if not rec:
        raise UnsafeArchiveError("not a readable ZIP: no end-of-central-directory record (truncated download?)")
    sig, disk, cd_disk = bytes(rec[0]), int(rec[1]), int(rec[2])
    entries, cd_size, location = int(rec[4]), int(rec[5]), int(rec[9])
    if disk != 0 or cd_disk != 0:
        raise UnsafeArchiveError("multi-disk (split) ZIP archives are not supported: join the parts into one file")
    start = location - cd_size - (56 + 20 if sig == _ZIP64_EOCD else 0)
    if start < 0 or start + cd_size > size:
        raise UnsafeArchiveError(f"not a readable ZIP: the central directory ({cd_size:,} bytes) lies outside the file")
    return entries, cd_size, start


def _count_directory(fh: IO[bytes], start: int, cd_size: int, limit: int) -> int:
    """Central-directory records as zipfile will walk them (by byte size, not by the declared count),
    without building anything; stops as soon as there are more than `limit`."""
    fh.seek(start)
    count = pos = 0
    while pos < cd_size and count <= limit:
        head = fh.read(_CD_FIXED)
        if len(head) < _CD_FIXED or head[:4] != _CENTRAL:
            break  # zipfile refuses a broken directory itself
        n, m, k = struct.unpack_from("<3H", head, 28)
        fh.seek(n + m + k, io.SEEK_CUR)
        pos += _CD_FIXED + n + m + k
        count += 1
    return count


class SafeZip:
    """Validated, read-only view of a ZIP file. Raises UnsafeArchiveError on any violation."""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.path = path
        self.limits = limits
        size = path.stat().st_size
        with path.open("rb") as fh:
            entries, cd_size, cd_start = _end_record(fh, size)
            if entries > limits.max_entries:
                raise UnsafeArchiveError(
                    f"archive lists {entries:,} members; the limit is {limits.max_entries:,} (max_entries)")
            if cd_size > entries * _CD_MAX_RECORD + 1024:
                raise UnsafeArchiveError(
                    f"central directory of {cd_size:,} bytes is larger than {entries:,} members could need")
            # The declared count can lie: zipfile builds one ZipInfo per record it finds in cd_size bytes.
            if cd_size > _CD_FIXED * limits.max_entries:
                found = _count_directory(fh, cd_start, cd_size, limits.max_entries)
                if found > limits.max_entries:
                    raise UnsafeArchiveError(
                        f"central directory holds more than {limits.max_entries:,} members although the end record "
                        f"says {entries:,}; the limit is {limits.max_entries:,} (max_entries)")
        try:
            self._zf = zipfile.ZipFile(path)
        except _READ_ERRORS as exc:
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
                raw_name = info.orig_filename  # `filename` is cut at the first NUL by zipfile
                shown = raw_name.encode("unicode_escape").decode("ascii")[:200]
                if info.flag_bits & 0x1:
                    raise UnsafeArchiveError(
                        f"encrypted ZIP (member {shown!r}): Himaya cannot read password-protected archives; "
                        "export again without a password")
                if len(raw_name) > lim.max_name_length:
                    bad.append(f"{shown[:60]}…: name longer than {lim.max_name_length} characters")
                    continue
                name = safe_member_name(raw_name)
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
                if info.header_offset < 0:
                    raise UnsafeArchiveError(f"member {shown!r}: local header missing or corrupt")
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
        for (_s1, e1, n1), (s2, _e2, n2) in itertools.pairwise(ranges):
            if s2 < e1:
                raise UnsafeArchiveError(f"members {n1!r} and {n2!r} overlap: an overlapping-entry zip bomb")

    def names(self) -> list[str]:
        return list(self._infos)

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def open(self, name: str) -> IO[bytes]:
        info = self._infos[name]
        try:
            inner = self._zf.open(info)
        except _READ_ERRORS as exc:
            raise UnsafeArchiveError(f"{name}: corrupt archive member ({exc})") from None
        return cast(IO[bytes], _CountingReader(self, inner, name, info.file_size))

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
        except _READ_ERRORS as exc:
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
