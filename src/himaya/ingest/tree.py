"""An export as a set of members with posix paths, whether it arrived as a ZIP, a folder or one file.

Parsers only ever see an `ExportTree`: they never touch the filesystem by a name that came from
inside an export, so a hostile path cannot reach outside the export root.
"""

from __future__ import annotations

import hashlib
import io
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

from himaya.config import ArchiveLimits
from himaya.ingest.archive import SafeZip, is_zip, iter_chunks, safe_member_name


@dataclass(frozen=True)
class Member:
    path: str
    size: int


class ExportTree(ABC):
    """Read-only view of one input. `name` is what the user gave; `originals` are the files kept as evidence."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.archive_sha256: str | None = None
        self.notes: list[str] = []  # things skipped while opening (symlinks in a folder, …)
        self._sha: dict[str, str] = {}

    @abstractmethod
    def members(self) -> list[Member]: ...

    @abstractmethod
    def _open(self, path: str) -> IO[bytes]: ...

    @abstractmethod
    def originals(self) -> list[tuple[Path, str]]:
        """(file on disk, name inside the input) for every file to keep as evidence."""

    def open(self, path: str) -> IO[bytes]:
        if path not in self._paths():
            raise KeyError(path)
        return self._open(path)

    def has(self, path: str) -> bool:
        return path in self._paths()

    def size(self, path: str) -> int:
        return self._paths()[path]

    def head(self, path: str, n: int = 4096) -> bytes:
        with self.open(path) as fh:
            return fh.read(n)

    def read_bytes(self, path: str, limit: int) -> bytes:
        """Whole member, refusing anything over `limit` bytes (callers choose the cap)."""
        from himaya.errors import HimayaParseError

        if self.size(path) > limit:
            raise HimayaParseError(f"file is {self.size(path):,} bytes; the limit for this file type is {limit:,}", path=path)
        with self.open(path) as fh:
            return fh.read(limit + 1)[:limit]

    def sha256(self, path: str) -> str:
        if path not in self._sha:
            h = hashlib.sha256()
            with self.open(path) as fh:
                for chunk in iter_chunks(fh):
                    h.update(chunk)
            self._sha[path] = h.hexdigest()
        return self._sha[path]

    def resolve(self, ref: str, base: str = "") -> str | None:
        """A member path for a reference found inside the export, or None if it escapes or is absent.

        `ref` is tried relative to the export root, then relative to `base` (the folder of the
        file that mentioned it), then by suffix (exports nested one folder deep in their ZIP).
        """
        clean = safe_member_name(ref)
        if clean is None or not clean:
            return None
        paths = self._paths()
        keys = self._keys()
        candidates = [clean]
        if base:
            joined = safe_member_name(str(PurePosixPath(base) / clean))
            if joined:
                candidates.append(joined)
        for c in candidates:
            if c in paths:
                return c
            if keys.get(c):
                return keys[c]
        suffix = "/" + clean
        matches = [p for k, p in self._by_basename().get(clean.rsplit("/", 1)[-1], ()) if p and k.endswith(suffix)]
        return matches[0] if len(matches) == 1 else None

    def _by_basename(self) -> dict[str, list[tuple[str, str | None]]]:
        """Keys grouped by file name, so a suffix look-up scans a handful of members, not all of them."""
        cache: dict[str, list[tuple[str, str | None]]] | None = getattr(self, "_base_cache", None)
        if cache is None:
            cache = {}
            for k, p in self._keys().items():
                cache.setdefault(k.rsplit("/", 1)[-1], []).append((k, p))
            self._base_cache = cache
        return cache

    def escapes(self, ref: str) -> bool:
        return safe_member_name(ref) is None

    def _keys(self) -> dict[str, str | None]:
        """Member paths by the form `safe_member_name` gives a reference (NFKC, '/'), so that a folder
        whose names are NFD (macOS) or full-width still resolves; None where two members collide."""
        cache: dict[str, str | None] | None = getattr(self, "_key_cache", None)
        if cache is None:
            cache = {}
            for p in self._paths():
                k = safe_member_name(p)
                if k:
                    cache[k] = None if k in cache else p
            self._key_cache = cache
        return cache

    def _paths(self) -> dict[str, int]:
        cache: dict[str, int] | None = getattr(self, "_path_cache", None)
        if cache is None:
            cache = {m.path: m.size for m in self.members()}
            self._path_cache = cache
        return cache

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


class ZipTree(ExportTree):
    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path.name)
        self._file = path
        self._zip = SafeZip(path, limits)
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter_chunks(fh):
                h.update(chunk)
        self.archive_sha256 = h.hexdigest()

    def members(self) -> list[Member]:
        return [Member(n, self._zip.size(n)) for n in self._zip.names()]

    def _open(self, path: str) -> IO[bytes]:
        return io.BufferedReader(cast(io.RawIOBase, self._zip.open(path)), 1 << 20)  # SafeZip gives a raw reader

    def originals(self) -> list[tuple[Path, str]]:
        return [(self._file, self._file.name)]

    def close(self) -> None:
        self._zip.close()


class FolderTree(ExportTree):
    def __init__(self, root: Path) -> None:
        super().__init__(root.name)
        self._root = root.resolve()
        self._members: list[Member] = []
        for dirpath, dirnames, filenames in os.walk(self._root, followlinks=False):
            here = Path(dirpath)
            for d in list(dirnames):
                if (here / d).is_symlink():
                    self.notes.append(f"symbolic link {d!r} skipped")
                    dirnames.remove(d)
            dirnames.sort()
            for f in sorted(filenames):
                p = here / f
                rel = p.relative_to(self._root).as_posix()
                if p.is_symlink() or not p.is_file():
                    self.notes.append(f"{rel}: not a regular file (symbolic link or device), skipped")
                    continue
                self._members.append(Member(rel, p.stat().st_size))

    def members(self) -> list[Member]:
        return self._members

    def _open(self, path: str) -> IO[bytes]:
        return (self._root / path).open("rb")

    def originals(self) -> list[tuple[Path, str]]:
        return [(self._root / m.path, m.path) for m in self._members]


class FileTree(ExportTree):
    def __init__(self, path: Path) -> None:
        super().__init__(path.name)
        self._file = path

    def members(self) -> list[Member]:
        return [Member(self._file.name, self._file.stat().st_size)]

    def _open(self, path: str) -> IO[bytes]:
        return self._file.open("rb")

    def originals(self) -> list[tuple[Path, str]]:
        return [(self._file, self._file.name)]


def open_tree(path: Path, limits: ArchiveLimits) -> ExportTree:
    """The right view for what the user named; ZIPs are recognised by content, not extension."""
    from himaya.errors import IngestError

    if path.is_symlink() and not path.exists():
        raise IngestError(f"{path}: broken symbolic link")
    if path.is_dir():
        return FolderTree(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file or folder")
    if path.stat().st_size >= 4 and is_zip(path):
        return ZipTree(path, limits)
    return FileTree(path)
