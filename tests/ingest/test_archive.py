"""Hostile ZIPs, every one built inside the test and none committed (SECURITY.md T25, T26, T27; formats §0.4).

Python 3.11.7's `zipfile` trusts the central directory and misses overlapping entries, so each case
here must be refused by himaya's own checks in `himaya.ingest.archive.SafeZip`. The archives are
written byte by byte with `struct` where `zipfile` would refuse to write them (or would quietly fix
the name); `raw_zip` is also imported by tests/ingest/test_tree.py.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import struct
import subprocess
import sys
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.errors import HimayaError, UnsafeArchiveError
from himaya.ingest import archive
from himaya.ingest.archive import SafeZip, safe_member_name
from himaya.ingest.tree import ExportTree, ZipTree, open_tree

LIMITS = ArchiveLimits()
DEADLINE_S = 5.0
FILE_MODE = (stat.S_IFREG | 0o644) << 16
LINK_MODE = (stat.S_IFLNK | 0o777) << 16
UTF8_NAMES = 0x800
ZIP_DEFLATE64 = 9


# ---------------------------------------------------------------------------------------------
# Raw ZIP writer (APPNOTE 6.3.10 §4.3): local header, data, central directory, end records.
# ---------------------------------------------------------------------------------------------

def local_header(name: bytes, *, method: int = 0, flags: int = 0, crc: int = 0, csize: int = 0,
                 usize: int = 0, extra: bytes = b"") -> bytes:
    return struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, csize, usize,
                       len(name), len(extra)) + name + extra


def central_header(name: bytes, *, offset: int, method: int = 0, flags: int = 0, crc: int = 0, csize: int = 0,
                   usize: int = 0, extra: bytes = b"", external_attr: int = FILE_MODE) -> bytes:
    return struct.pack("<4s6H3I5H2I", b"PK\x01\x02", (3 << 8) | 20, 20, flags, method, 0, 0x21, crc, csize, usize,
                       len(name), len(extra), 0, 0, 0, external_attr, offset) + name + extra


def end_record(entries: int, cd_size: int, cd_offset: int, *, disk: int = 0, cd_disk: int = 0) -> bytes:
    return struct.pack("<4s4H2IH", b"PK\x05\x06", disk, cd_disk, entries, entries, cd_size, cd_offset, 0)


def zip64_end_records(entries: int, cd_size: int, cd_offset: int, at: int) -> bytes:
    """ZIP64 end record (written at offset `at`) + its locator; the classic end record follows them."""
    rec = struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, (3 << 8) | 45, 45, 0, 0, entries, entries, cd_size, cd_offset)
    return rec + struct.pack("<4sIQI", b"PK\x06\x07", 0, at, 1)


@dataclass
class Entry:
    name: str | bytes
    data: bytes = b""
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    external_attr: int = FILE_MODE


def raw_zip(entries: list[Entry], *, disk: int = 0) -> bytes:
    """A well-formed archive of `entries` whatever their names (NUL, '..', 4,096 characters, …)."""
    body = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name if isinstance(e.name, bytes) else e.name.encode("utf-8")
        flags = e.flags | (UTF8_NAMES if not name.isascii() else 0)
        if e.method == zipfile.ZIP_DEFLATED:
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = co.compress(e.data) + co.flush()
        else:
            payload = e.data
        crc = zlib.crc32(e.data)
        common: dict[str, Any] = {"method": e.method, "flags": flags, "crc": crc, "csize": len(payload),
                                  "usize": len(e.data)}
        central += central_header(name, offset=len(body), external_attr=e.external_attr, **common)
        body += local_header(name, **common) + payload
    return bytes(body + central + end_record(len(entries), len(central), len(body), disk=disk, cd_disk=disk))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def refused(action: Callable[[], object], *words: str) -> str:
    """Run `action`; it must raise UnsafeArchiveError naming every one of `words`, within DEADLINE_S."""
    t0 = time.monotonic()
    with pytest.raises(UnsafeArchiveError) as err:
        action()
    elapsed = time.monotonic() - t0
    msg = str(err.value)
    assert elapsed < DEADLINE_S, f"refused only after {elapsed:.1f}s: {msg}"
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    return msg


def read_all(tree: ExportTree) -> dict[str, bytes]:
    out = {}
    for m in tree.members():
        with tree.open(m.path) as fh:
            out[m.path] = fh.read()
    return out


def escaped(name: str) -> str:
    """How SafeZip shows a hostile name in its messages (escaped, so it cannot hide or reorder text)."""
    return name.encode("unicode_escape").decode("ascii")


def zipfile_lacks_overlap_check() -> bool:
    return not hasattr(zipfile.ZipInfo, "_end_offset")  # the gh-109858 fix (3.11.8+) adds this slot


# ---------------------------------------------------------------------------------------------
# Baseline: a sane archive opens, and is read back byte for byte.
# ---------------------------------------------------------------------------------------------

def test_normal_archive_opens_and_reads(tmp_path: Path) -> None:
    text = "سلام، ريحانة\n".encode() * 100
    p = write(tmp_path / "ok.zip", raw_zip([Entry("_chat.txt", text), Entry("media/a.jpg", b"\xff\xd8" + bytes(64),
                                                                             method=zipfile.ZIP_STORED),
                                            Entry("media/", b"", method=zipfile.ZIP_STORED)]))
    tree = open_tree(p, LIMITS)
    assert isinstance(tree, ZipTree)
    assert [m.path for m in tree.members()] == ["_chat.txt", "media/a.jpg"]
    assert read_all(tree) == {"_chat.txt": text, "media/a.jpg": b"\xff\xd8" + bytes(64)}
    tree.close()


# ---------------------------------------------------------------------------------------------
# T25 (a) nested 42.zip-style archive: kept as opaque members, never expanded.
# ---------------------------------------------------------------------------------------------

def test_nested_archives_are_opaque_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 42.zip: 16 copies of a zip of 16 copies of a zip of zeros. Ours holds 16 MiB of zeros per leaf
    # (1 GiB if it were expanded all the way); the real one's leaves are 4.3 GB.
    leaf = raw_zip([Entry("0.dat", bytes(16 << 20))])
    layer1 = raw_zip([Entry(f"book{i}.zip", leaf) for i in range(16)])
    outer = write(tmp_path / "42.zip", raw_zip([Entry(f"lib{i}.zip", layer1) for i in range(16)]))

    opened: list[object] = []

    class CountingZipFile(zipfile.ZipFile):
        def __init__(self, file: Any, *args: Any, **kwargs: Any) -> None:
            opened.append(file)
            super().__init__(file, *args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", CountingZipFile)  # the module SafeZip uses
    tree = open_tree(outer, LIMITS)
    assert [m.path for m in tree.members()] == [f"lib{i}.zip" for i in range(16)]
    assert all(m.size == len(layer1) for m in tree.members())
    contents = read_all(tree)
    assert all(v == layer1 for v in contents.values())  # the member is the inner ZIP's bytes, unexpanded
    assert opened == [outer], "an inner archive was opened: nested ZIPs must never be expanded"
    tree.close()


# ---------------------------------------------------------------------------------------------
# T25 (b) one entry of 10 GB of zeros.
# ---------------------------------------------------------------------------------------------

TEN_GB = 10 * 10**9


def zeros_deflate(total: int, chunk: int = 10**6) -> Iterator[bytes]:
    """A raw deflate stream of `total` zero bytes in ~1 ms: after a full flush, deflating the same
    chunk again gives the same bytes, so one block is computed and then repeated."""
    assert total % chunk == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    first = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    assert again == co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    yield first + again
    for _ in range(total // chunk - 3):
        yield again
    yield co.compress(zeros) + co.flush()


def write_zeros_bomb(path: Path, total: int) -> Path:
    name = b"00000099-PHOTO-2025-03-12-10-13-00.jpg"
    z64 = struct.pack("<2HQ", 0x0001, 8, total)  # ZIP64 extra: the real uncompressed size
    with path.open("wb") as fh:
        fh.write(local_header(name, method=8, csize=0, usize=0xFFFFFFFF, extra=struct.pack("<2HQQ", 1, 16, total, 0)))
        data_start = fh.tell()
        for block in zeros_deflate(total):
            fh.write(block)
        csize = fh.tell() - data_start
        fh.seek(18)  # the local header's compressed-size field, now that it is known
        fh.write(struct.pack("<I", csize))
        fh.seek(0, os.SEEK_END)
        cd_offset = fh.tell()
        # CRC-32 of 10 GB of zeros would take seconds to compute; it is never reached, so it is left 0.
        cd = central_header(name, offset=0, method=8, csize=csize, usize=0xFFFFFFFF, extra=z64)
        fh.write(cd + end_record(1, len(cd), cd_offset))
    return path


@pytest.fixture(scope="module")
def ten_gb_bomb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    p = write_zeros_bomb(tmp_path_factory.mktemp("bomb") / "zeros.zip", TEN_GB)
    assert p.stat().st_size < 12 * 10**6  # ~10 MB on disk
    yield p
    p.unlink()


def test_ten_gb_of_zeros_is_refused_by_the_member_cap(ten_gb_bomb: Path) -> None:
    # Plain zipfile would happily start streaming 10 GB out of this.
    with zipfile.ZipFile(ten_gb_bomb) as zf:
        assert zf.infolist()[0].file_size == TEN_GB
    refused(lambda: open_tree(ten_gb_bomb, LIMITS), "max_member_bytes", "10,000,000,000")


def test_ten_gb_of_zeros_is_refused_by_the_ratio_cap(ten_gb_bomb: Path) -> None:
    roomy = ArchiveLimits(max_member_bytes=2**40, max_total_bytes=2**40)
    refused(lambda: open_tree(ten_gb_bomb, roomy), "max_ratio", "zip bomb")


def test_ten_gb_of_zeros_is_refused_by_the_total_cap(ten_gb_bomb: Path) -> None:
    roomy = ArchiveLimits(max_member_bytes=2**40, max_total_bytes=9 * 10**9, max_ratio=10**6)
    refused(lambda: open_tree(ten_gb_bomb, roomy), "max_total_bytes")


# ---------------------------------------------------------------------------------------------
# T25 (c) 10^6 empty entries: refused from the end records, before zipfile builds 10^6 ZipInfos.
# ---------------------------------------------------------------------------------------------

MILLION = 10**6


@dataclass
class MillionZip:
    path: Path
    body_len: int  # local headers + central directory
    cd_offset: int
    cd_size: int

    def with_tail(self, tail: bytes) -> Path:
        with self.path.open("r+b") as fh:
            fh.truncate(self.body_len)
            fh.seek(self.body_len)
            fh.write(tail)
        return self.path


@pytest.fixture(scope="module")
def million_zip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MillionZip]:
    """10^6 empty stored members named 0000000…0999999 (~90 MB), written in slices."""
    path = tmp_path_factory.mktemp("million") / "million.zip"
    lfh = local_header(b"0000000")[:-7]
    cdh = central_header(b"0000000", offset=0)[:-11]  # fixed part up to the offset field
    step = len(lfh) + 7
    slice_n = 50_000
    with path.open("wb") as fh:
        for lo in range(0, MILLION, slice_n):
            fh.write(b"".join(lfh + b"%07d" % i for i in range(lo, lo + slice_n)))
        cd_offset = fh.tell()
        pack = struct.Struct("<I").pack
        for lo in range(0, MILLION, slice_n):
            fh.write(b"".join(cdh + pack(i * step) + b"%07d" % i for i in range(lo, lo + slice_n)))
        body_len = fh.tell()
    yield MillionZip(path, body_len, cd_offset, body_len - cd_offset)
    path.unlink()


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from typing import Any
from himaya.config import ArchiveLimits
from himaya.errors import UnsafeArchiveError
from himaya.ingest.tree import open_tree
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.monotonic()
try:
    open_tree(Path(sys.argv[1]), ArchiveLimits())
    msg = None
except UnsafeArchiveError as exc:
    msg = str(exc)
elapsed = time.monotonic() - t0
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(json.dumps({"msg": msg, "elapsed": elapsed, "rss_growth": grown}))
"""


def refused_in_child(path: Path) -> dict[str, object]:
    """open_tree in a fresh interpreter, so that its peak RSS is not masked by this test process's."""
    run = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, object] = json.loads(run.stdout)
    assert result["msg"] is not None, "a million-entry archive was accepted"
    assert isinstance(result["elapsed"], float) and result["elapsed"] < DEADLINE_S, result
    assert isinstance(result["rss_growth"], int) and result["rss_growth"] < 200 * 2**20, result
    return result


def test_million_entries_zip64(million_zip: MillionZip) -> None:
    m = million_zip
    tail = zip64_end_records(MILLION, m.cd_size, m.cd_offset, at=m.body_len)
    path = m.with_tail(tail + end_record(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    with path.open("rb") as fh:
        assert archive._end_record(fh, path.stat().st_size)[0] == MILLION
    result = refused_in_child(path)
    assert "1,000,000" in str(result["msg"]) and "max_entries" in str(result["msg"])


def test_million_entries_with_wrapped_16_bit_count(million_zip: MillionZip) -> None:
    # What a writer without ZIP64 produces: the count modulo 65,536, and a too-big directory for it.
    m = million_zip
    path = m.with_tail(end_record(MILLION % 65536, m.cd_size, m.cd_offset))
    result = refused_in_child(path)
    assert "central directory" in str(result["msg"])


def test_million_entries_behind_an_end_record_that_understates_the_count(million_zip: MillionZip) -> None:
    # The classic end record claims 60,000 members (under max_entries, and enough to cover the size of
    # the directory), but zipfile walks the directory by its byte size and would build 10^6 ZipInfos.
    m = million_zip
    path = m.with_tail(end_record(60_000, m.cd_size, m.cd_offset))
    result = refused_in_child(path)
    assert "max_entries" in str(result["msg"])


def test_million_entries_behind_a_zip64_record_the_classic_record_hides(million_zip: MillionZip) -> None:
    # zipfile reads a ZIP64 end record whenever a locator sits right before the classic record, even if
    # the classic record (here: 1 member, 53 bytes of directory) does not ask for it.
    m = million_zip
    tail = zip64_end_records(MILLION, m.cd_size, m.cd_offset, at=m.body_len)
    path = m.with_tail(tail + end_record(1, 53, m.cd_offset + m.cd_size - 53))
    result = refused_in_child(path)
    assert "max_entries" in str(result["msg"])


def test_directory_walk_accepts_honest_archives_and_counts_hidden_records(tmp_path: Path) -> None:
    """The walk that counts records runs only for a big directory; it must not refuse an honest one."""
    small = ArchiveLimits(max_entries=10)
    entries = [Entry(f"your_instagram_activity/messages/inbox/thread_{i}/message_1.json", b"{}") for i in range(10)]
    honest = write(tmp_path / "honest.zip", raw_zip(entries))
    assert len(ZipTree(honest, small).members()) == 10
    data = raw_zip([*entries, Entry("one_too_many.json", b"{}")])
    body, (cd_size, cd_offset) = data[:-22], struct.unpack("<2I", data[-10:-2])
    lying = write(tmp_path / "lying.zip", body + end_record(5, cd_size, cd_offset))
    refused(lambda: ZipTree(lying, small), "max_entries", "says 5")
    refused(lambda: ZipTree(write(tmp_path / "eleven.zip", data), small), "max_entries", "11")


# ---------------------------------------------------------------------------------------------
# T25 (d) Fifield overlap bombs, crafted by hand as in CPython's test_full_overlap/test_quoted_overlap.
# ---------------------------------------------------------------------------------------------

def deflate(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def full_overlap_zip() -> bytes:
    """Two central-directory entries, 'a' and 'b', both pointing at the one local header."""
    content = b"A" * 1033
    comp = deflate(content)
    common: dict[str, Any] = {"method": 8, "crc": zlib.crc32(content), "csize": len(comp), "usize": len(content)}
    body = local_header(b"a", **common) + comp
    cd = central_header(b"a", offset=0, **common) + central_header(b"b", offset=0, **common)
    return body + cd + end_record(2, len(cd), len(body))


def quoted_overlap_zip() -> bytes:
    """Fifield's quoted overlap: 'a's deflate stream begins with a stored block that quotes 'b's local
    header, then goes on into 'b's own compressed data; each member therefore contains the next."""
    content = b"B" * 1033
    comp_b = deflate(content)
    lfh_b = local_header(b"b", method=8, crc=zlib.crc32(content), csize=len(comp_b), usize=len(content))
    quote = struct.pack("<BHH", 0x00, len(lfh_b), len(lfh_b) ^ 0xFFFF)  # non-final stored block header
    data_a = quote + lfh_b + comp_b
    plain_a = lfh_b + content
    assert zlib.decompress(data_a, -15) == plain_a
    lfh_a = local_header(b"a", method=8, crc=zlib.crc32(plain_a), csize=len(data_a), usize=len(plain_a))
    body = lfh_a + data_a
    off_b = len(lfh_a) + len(quote)
    cd = (central_header(b"a", offset=0, method=8, crc=zlib.crc32(plain_a), csize=len(data_a), usize=len(plain_a))
          + central_header(b"b", offset=off_b, method=8, crc=zlib.crc32(content), csize=len(comp_b),
                           usize=len(content)))
    return body + cd + end_record(2, len(cd), len(body))


@pytest.mark.parametrize("build", [full_overlap_zip, quoted_overlap_zip], ids=["full", "quoted"])
def test_overlapping_entries_are_refused(tmp_path: Path, build: Callable[[], bytes]) -> None:
    p = write(tmp_path / "overlap.zip", build())
    if zipfile_lacks_overlap_check():
        with zipfile.ZipFile(p) as zf:  # Python 3.11.7 reads the first member without complaint
            assert len(zf.read("a")) > 1000
    refused(lambda: open_tree(p, LIMITS), "overlap", "'a'", "'b'")
    refused(lambda: SafeZip(p, LIMITS), "overlap")


def test_quoted_overlap_fools_plain_zipfile(tmp_path: Path) -> None:
    """Documents why SafeZip needs its own check: 3.11.7's zipfile reads both members, each
    decompressing the other's bytes again (the amplification of a Fifield bomb)."""
    if not zipfile_lacks_overlap_check():
        pytest.skip("this Python's zipfile already detects overlapping entries (gh-109858)")
    p = write(tmp_path / "quoted.zip", quoted_overlap_zip())
    with zipfile.ZipFile(p) as zf:
        a, b = zf.read("a"), zf.read("b")
    assert a.endswith(b) and len(a) > len(b)


def test_member_running_into_the_central_directory_is_refused(tmp_path: Path) -> None:
    content = b"x" * 100
    comp = deflate(content)
    body = local_header(b"a", method=8, crc=zlib.crc32(content), csize=len(comp), usize=len(content)) + comp
    cd = central_header(b"a", offset=0, method=8, crc=zlib.crc32(content), csize=len(comp) + 40, usize=len(content))
    p = write(tmp_path / "long.zip", body + cd + end_record(1, len(cd), len(body)))
    refused(lambda: open_tree(p, LIMITS), "'a'", "central directory")


# ---------------------------------------------------------------------------------------------
# T25 (e) a central directory that understates file_size.
# ---------------------------------------------------------------------------------------------

def understated(content: bytes, method: int, declared: int, *, local_too: bool) -> bytes:
    comp = deflate(content) if method == 8 else content
    crc = zlib.crc32(content)
    lfh_size = declared if local_too else len(content)
    body = local_header(b"_chat.txt", method=method, crc=crc, csize=len(comp), usize=lfh_size) + comp
    cd = central_header(b"_chat.txt", offset=0, method=method, crc=crc, csize=len(comp), usize=declared)
    return body + cd + end_record(1, len(cd), len(body))


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
@pytest.mark.parametrize("local_too", [False, True], ids=["cd-only", "cd-and-local"])
def test_understated_file_size_fails_on_read(tmp_path: Path, method: int, local_too: bool) -> None:
    content = b"12/03/2025, 10:13 - Unknown: threat\n" * 3000  # 108 kB, declared as 100 bytes
    p = write(tmp_path / "small.zip", understated(content, method, 100, local_too=local_too))
    tree = open_tree(p, LIMITS)
    assert tree.size("_chat.txt") == 100
    got = bytearray()

    def drain() -> None:
        with tree.open("_chat.txt") as fh:
            while chunk := fh.read(16):
                got.extend(chunk)

    refused(drain, "_chat.txt")
    assert len(got) <= 100, "more bytes came out than the archive declares"
    with pytest.raises(UnsafeArchiveError):
        tree.sha256("_chat.txt")
    with pytest.raises(UnsafeArchiveError):
        tree.read_bytes("_chat.txt", 10**6)
    tree.close()


def test_decompressed_total_is_counted(tmp_path: Path) -> None:
    """The running total of bytes really decompressed is capped too (not only the declared sizes)."""
    content = os.urandom(50_000)
    p = write(tmp_path / "two.zip", raw_zip([Entry("a.bin", content), Entry("b.bin", content)]))
    tree = ZipTree(p, ArchiveLimits(max_total_bytes=100_000))
    assert read_all(tree)["a.bin"] == content
    zf = tree._zip
    zf._decompressed_total = 60_000  # as if a lying member had already produced more than declared
    refused(lambda: read_all(tree), "max_total_bytes")
    tree.close()


# ---------------------------------------------------------------------------------------------
# T25 (f) ZIP64 headers claiming 2^64 bytes (or members, or directory bytes).
# ---------------------------------------------------------------------------------------------

MAX64 = 2**64 - 1  # a ZIP64 field is 8 bytes: 2^64 - 1 is the largest claim it can make


def zip64_member_claim(usize: int, csize: int | None = None) -> bytes:
    data = deflate(b"tiny")
    fields = struct.pack("<Q", usize) + (struct.pack("<Q", csize) if csize is not None else b"")
    extra = struct.pack("<2H", 1, len(fields)) + fields
    body = local_header(b"a.json", method=8, csize=0xFFFFFFFF if csize is not None else len(data),
                        usize=0xFFFFFFFF, extra=extra) + data
    cd = central_header(b"a.json", offset=0, method=8, csize=0xFFFFFFFF if csize is not None else len(data),
                        usize=0xFFFFFFFF, extra=extra)
    return body + cd + end_record(1, len(cd), len(body))


def zip64_end_claim(entries: int | None = None, cd_size: int | None = None) -> bytes:
    inner = raw_zip([Entry("a.json", b"{}")])
    real_cd_size, cd_offset = struct.unpack("<2I", inner[-10:-2])
    body = inner[:-22]
    tail = zip64_end_records(1 if entries is None else entries, real_cd_size if cd_size is None else cd_size,
                             cd_offset, at=len(body))
    return body + tail + end_record(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)


@pytest.mark.parametrize(("data", "words"), [
    (zip64_member_claim(MAX64), ("max_member_bytes", "a.json", f"{MAX64:,}")),
    (zip64_member_claim(2**33, MAX64), ("a.json",)),
    (zip64_end_claim(entries=MAX64), ("max_entries", f"{MAX64:,}")),
    (zip64_end_claim(cd_size=MAX64), ("central directory", f"{MAX64:,}")),
], ids=["member-size", "member-compressed-size", "entries", "directory-size"])
def test_zip64_claims_of_two_to_the_64(tmp_path: Path, data: bytes, words: tuple[str, ...]) -> None:
    p = write(tmp_path / "z64.zip", data)
    refused(lambda: open_tree(p, LIMITS), *words)


def test_zip64_honest_archive_opens(tmp_path: Path) -> None:
    """The ZIP64 reading path is not just a refusal path: zipfile's own ZIP64 output opens."""
    p = tmp_path / "z64ok.zip"
    with zipfile.ZipFile(p, "w") as zf:
        with zf.open("a.json", "w", force_zip64=True) as fh:
            fh.write(b"[1, 2, 3]")
    tree = open_tree(p, LIMITS)
    assert read_all(tree) == {"a.json": b"[1, 2, 3]"}


# ---------------------------------------------------------------------------------------------
# W17/W18: the shared hostile samples.
# ---------------------------------------------------------------------------------------------

def test_shared_zipbomb_sample_is_refused(formats: Path) -> None:
    p = formats / "whatsapp/edge/zipbomb_edge.zip"
    if not p.is_file():
        pytest.skip(f"{p} not present")
    refused(lambda: open_tree(p, LIMITS), "00000099-PHOTO-2025-03-12-10-13-00.jpg", "max_ratio")


def test_shared_zipslip_sample_is_refused(formats: Path, tmp_path: Path) -> None:
    p = formats / "whatsapp/edge/zipslip_edge.zip"
    if not p.is_file():
        pytest.skip(f"{p} not present")
    before = outside_snapshot(tmp_path)
    msg = refused(lambda: open_tree(p, LIMITS), "../../../../tmp/himaya_zipslip_pwned.txt",
                  "/etc/himaya_absolute_pwned.txt", "duplicate", "IMG-20250312-WA0001.jpg: symbolic link")
    assert "nested.zip" not in msg  # a nested ZIP is not a problem in itself: it is kept, never expanded
    assert outside_snapshot(tmp_path) == before
    assert not Path("/tmp/himaya_zipslip_pwned.txt").exists()
    assert not Path("/etc/himaya_absolute_pwned.txt").exists()


# ---------------------------------------------------------------------------------------------
# T26 zip slip and filesystem entries.
# ---------------------------------------------------------------------------------------------

_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def outside_snapshot(sandbox: Path, *names: str) -> set[str]:
    """Every path under the sandbox's parent except inside the sandbox itself, plus every place one of
    `names` could land if it were extracted naively (relative to the sandbox or the working directory,
    or as an absolute path)."""
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(sandbox.parent):
        here = Path(dirpath)
        if here == sandbox or sandbox in here.parents:
            dirnames[:] = []
            continue
        # Other tests' SQLite side files come and go as their connections are garbage-collected.
        seen.update(str(here / n) for n in dirnames + filenames if not n.endswith(_SQLITE_SIDE_FILES))
    seen.discard(str(sandbox))
    for name in names:
        folded = unicodedata.normalize("NFKC", name.split("\x00")[0]).replace("\\", "/")
        for spot in (sandbox / folded, Path.cwd() / folded, Path("/") / folded.lstrip("/")):
            try:
                if os.path.lexists(spot.resolve()):
                    seen.add(f"exists: {spot.resolve()}")
            except (OSError, ValueError):
                pass
    return seen


SLIP_NAMES = {
    "dotdot": "../../x",
    "absolute": "/etc/x",
    "drive": "C:\\x",
    "backslash-dotdot": "..\\x",
    "inner-dotdot": "a/../../x",
    "fullwidth": "．．／x",
    "two-dot-leader": "\u2025/x",
    "unc": "\\\\server\\share\\x",
    "nul": "x.txt\x00/../../../etc/x",
    "nul-extension": "evil.jpg\x00.txt",
}


@pytest.mark.parametrize("name", list(SLIP_NAMES.values()), ids=list(SLIP_NAMES))
def test_zip_slip_names_are_refused(tmp_path: Path, name: str) -> None:
    before = outside_snapshot(tmp_path, name)
    p = write(tmp_path / "slip.zip", raw_zip([Entry("_chat.txt", b"hello\n"), Entry(name, b"pwned\n")]))
    msg = refused(lambda: read_all(open_tree(p, LIMITS)), escaped(name))
    assert "_chat.txt" not in msg  # the good member is not blamed
    assert outside_snapshot(tmp_path, name) == before
    assert safe_member_name(name) is None


def test_over_long_name_is_refused(tmp_path: Path) -> None:
    name = "a" * 4096
    p = write(tmp_path / "long.zip", raw_zip([Entry(name, b"x")]))
    refused(lambda: open_tree(p, LIMITS), "a" * 50, "longer than 1024")


@pytest.mark.parametrize(("first", "second"), [
    ("Report.txt", "report.txt"),
    ("caf\u00e9.txt", "cafe\u0301.txt"),  # NFC vs NFD
    ("media/photo.jpg", "media/photo.jpg"),
    ("media/photo.jpg", "media//./photo.jpg"),
    ("STRASSE.txt", "straße.txt"),  # equal after casefold
], ids=["case", "nfc-nfd", "exact", "dot-segments", "casefold"])
def test_duplicate_names_are_refused(tmp_path: Path, first: str, second: str) -> None:
    p = write(tmp_path / "dup.zip", raw_zip([Entry(first, b"1"), Entry(second, b"2")]))
    refused(lambda: open_tree(p, LIMITS), "duplicate", escaped(second))


def test_symlink_entry_is_refused(tmp_path: Path) -> None:
    before = outside_snapshot(tmp_path, "media/IMG-20250312-WA0001.jpg")
    p = write(tmp_path / "link.zip", raw_zip([
        Entry("media/IMG-20250312-WA0001.jpg", b"/etc/passwd", method=zipfile.ZIP_STORED, external_attr=LINK_MODE),
        Entry("_chat.txt", b"hi"),
    ]))
    refused(lambda: read_all(open_tree(p, LIMITS)), "media/IMG-20250312-WA0001.jpg", "symbolic link")
    assert outside_snapshot(tmp_path, "media/IMG-20250312-WA0001.jpg") == before


def test_every_unsafe_member_is_named_at_once(tmp_path: Path) -> None:
    names = list(SLIP_NAMES.values())
    p = write(tmp_path / "many.zip", raw_zip([Entry(n, b"x") for n in names]))
    msg = refused(lambda: open_tree(p, LIMITS), *(escaped(n)[:60] for n in names))
    assert "nothing was read" in msg


# ---------------------------------------------------------------------------------------------
# T27 odd containers (at the SafeZip level; how open_tree sniffs them is in test_tree.py).
# ---------------------------------------------------------------------------------------------

def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path / "enc.zip", raw_zip([Entry("_chat.txt", b"secret", flags=0x1)]))
    refused(lambda: open_tree(p, LIMITS), "encrypted", "_chat.txt", "without a password")


def test_truncated_archive_is_refused(tmp_path: Path) -> None:
    full = raw_zip([Entry("_chat.txt", os.urandom(5000))])
    for cut in (len(full) // 2, len(full) - 1, len(full) - 21, 10):
        p = write(tmp_path / f"cut{cut}.zip", full[:cut])
        refused(functools.partial(open_tree, p, LIMITS), "not a readable ZIP")


def test_empty_archive_has_no_members(tmp_path: Path) -> None:
    p = tmp_path / "empty.zip"
    zipfile.ZipFile(p, "w").close()
    tree = open_tree(p, LIMITS)
    assert isinstance(tree, ZipTree)
    assert tree.members() == []
    assert tree.resolve("anything") is None


def test_multi_disk_archive_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path / "split.zip", raw_zip([Entry("_chat.txt", b"hi")], disk=1))
    refused(lambda: open_tree(p, LIMITS), "multi-disk")


@pytest.mark.parametrize("method", [ZIP_DEFLATE64, 6, 99, 93], ids=["deflate64", "implode", "aes", "zstd"])
def test_unreadable_compression_method_is_refused(tmp_path: Path, method: int) -> None:
    p = write(tmp_path / "m.zip", raw_zip([Entry("_chat.txt", b"abc", method=method)]))
    refused(lambda: open_tree(p, LIMITS), "_chat.txt", f"compression method {method}")


@pytest.mark.parametrize("bits", [0x20, 0x40], ids=["patched-data", "strong-encryption"])
def test_local_header_flags_zipfile_cannot_read_are_a_himaya_error(tmp_path: Path, bits: int) -> None:
    """zipfile.open() raises NotImplementedError for these flags; it must come out as a himaya error."""
    content = b"hello"
    comp = deflate(content)
    common: dict[str, Any] = {"method": 8, "flags": bits, "crc": zlib.crc32(content), "csize": len(comp),
                              "usize": len(content)}
    body = local_header(b"a.txt", **common) + comp
    cd = central_header(b"a.txt", offset=0, **common)
    p = write(tmp_path / "flags.zip", body + cd + end_record(1, len(cd), len(body)))
    tree = open_tree(p, LIMITS)
    refused(lambda: read_all(tree), "a.txt")


def test_local_name_differing_from_the_directory_is_a_himaya_error(tmp_path: Path) -> None:
    content = b"hello"
    body = local_header(b"../../evil", crc=zlib.crc32(content), csize=5, usize=5) + content
    cd = central_header(b"a.txt", offset=0, crc=zlib.crc32(content), csize=5, usize=5)
    p = write(tmp_path / "names.zip", body + cd + end_record(1, len(cd), len(body)))
    tree = open_tree(p, LIMITS)
    refused(lambda: read_all(tree), "a.txt")


def test_corrupt_deflate_data_is_a_himaya_error(tmp_path: Path) -> None:
    content = b"hello world " * 50
    comp = bytearray(deflate(content))
    comp[0] |= 0x06  # BTYPE = 11: a reserved block type, so inflate fails straight away
    body = local_header(b"a.txt", method=8, crc=zlib.crc32(content), csize=len(comp), usize=len(content)) + comp
    cd = central_header(b"a.txt", offset=0, method=8, crc=zlib.crc32(content), csize=len(comp), usize=len(content))
    p = write(tmp_path / "bad.zip", body + cd + end_record(1, len(cd), len(body)))
    tree = open_tree(p, LIMITS)
    refused(lambda: read_all(tree), "a.txt")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_corrupt_bzip2_and_lzma_data_are_himaya_errors(tmp_path: Path, method: int) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", compression=method) as zf:
        zf.writestr("a.txt", b"hello world " * 500)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("a.txt")
    start = 30 + len("a.txt") + len(info.extra)
    for i in range(start + 12, start + 40):
        data[i] ^= 0x5A
    p = write(tmp_path / "bad.zip", bytes(data))
    tree = open_tree(p, LIMITS)
    refused(lambda: read_all(tree), "a.txt")


# ---------------------------------------------------------------------------------------------
# Hypothesis: whatever the bytes, only himaya errors come out (T27 "never a traceback", T31 in small).
# ---------------------------------------------------------------------------------------------

SEED_ZIP = raw_zip([
    Entry("_chat.txt", "12/03/2025, 10:13 - ريحانة: hi\n".encode() * 20),
    Entry("media/a.jpg", b"\xff\xd8\xff" + bytes(100), method=zipfile.ZIP_STORED),
    Entry("b.json", b'{"a": [1, 2, 3]}' * 10, method=zipfile.ZIP_DEFLATED),
])


@st.composite
def mutated_zip(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED_ZIP)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["byte", "word", "cut", "insert"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "byte":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "word":
            word = draw(st.sampled_from([0, 1, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, len(data), 30, 46]))
            data[pos:pos + 4] = struct.pack("<I", word)
        elif kind == "cut":
            del data[pos:pos + draw(st.integers(1, 64))]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        if not data:
            data = bytearray(b"PK\x03\x04")
    return bytes(data)


@settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_zip())
def test_mutated_archives_raise_only_himaya_errors(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    p = tmp_path_factory.getbasetemp() / "fuzz.zip"
    p.write_bytes(data)
    try:
        tree = open_tree(p, LIMITS)
        for m in tree.members():
            tree.sha256(m.path)
            tree.head(m.path)
        tree.close()
    except HimayaError:
        pass
