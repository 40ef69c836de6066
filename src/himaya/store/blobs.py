"""Content-addressed evidence store: originals kept bit for bit, encrypted, under HIMAYA_HOME/blobs.

A blob's file name is HMAC-SHA256(organisation blob key, sha256 of the content): content-addressed
(the same bytes are stored once per organisation) without writing the content hash itself to
disk, since a known file's hash would confirm to whoever reads the disk that we hold it.

Encryption is the STREAM construction over AES-256-GCM: 64 KiB chunks, nonce = random 7-byte
prefix ‖ 4-byte chunk counter ‖ 1-byte last-chunk flag, so truncating, reordering or splicing
chunks fails authentication. Writes follow temp file → fsync → rename → fsync(dir), before the
database transaction that refers to the blob commits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from himaya.errors import EncryptionError, StoreError

CHUNK = 64 * 1024
_MAGIC_ENC = b"HIMAYA-BLOB\x01"
_MAGIC_PLAIN = b"HIMAYA-BLOB\x00"


class BlobStore:
    def __init__(self, root: Path, org_id: str, key: bytes, *, encrypt: bool = True) -> None:
        self.root = root
        self.org_id = org_id
        self._name_key = hmac.new(key, b"blob-names", hashlib.sha256).digest()
        self._aead = AESGCM(hmac.new(key, b"blob-content", hashlib.sha256).digest()) if encrypt else None
        self._tmp = root / "tmp"

    def name_for(self, sha256: str) -> str:
        return hmac.new(self._name_key, sha256.encode(), hashlib.sha256).hexdigest()

    def path_for(self, name: str) -> Path:
        return self.root / name[:2] / name

    def exists(self, sha256: str) -> bool:
        return self.path_for(self.name_for(sha256)).exists()

    def put_stream(self, fh: IO[bytes]) -> tuple[str, str, int, bool]:
        """Store a stream. Returns (sha256, blob name, size, newly_created)."""
        return self.put_chunks(iter(lambda: fh.read(CHUNK), b""))

    def put_file(self, path: Path) -> tuple[str, str, int, bool]:
        with path.open("rb") as fh:
            return self.put_stream(fh)

    def put_bytes(self, data: bytes) -> tuple[str, str, int, bool]:
        return self.put_chunks([data])

    def put_chunks(self, chunks: Iterable[bytes]) -> tuple[str, str, int, bool]:
        self._tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self._tmp / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with tmp.open("xb") as out:
                writer = _ChunkWriter(out, self._aead, self.org_id)
                for data in chunks:
                    digest.update(data)
                    size += len(data)
                    writer.write(data)
                writer.finish()
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            name = self.name_for(sha)
            final = self.path_for(name)
            if final.exists():
                tmp.unlink()
                return sha, name, size, False
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return sha, name, size, True
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"writing evidence blob failed: {exc.strerror or exc}") from None

    def read_chunks(self, name: str) -> Iterator[bytes]:
        path = self.path_for(name)
        with path.open("rb") as fh:
            magic = fh.read(len(_MAGIC_ENC))
            if magic == _MAGIC_PLAIN:
                if self._aead is not None:
                    raise EncryptionError(f"blob {name}: plaintext blob in an encrypted store")
                yield from iter(lambda: fh.read(CHUNK), b"")
                return
            if magic != _MAGIC_ENC or self._aead is None:
                raise EncryptionError(f"blob {name}: unknown format or encryption disabled")
            prefix = fh.read(7)
            counter = 0
            while True:
                ct = fh.read(CHUNK + 16 + 1)
                last = len(ct) <= CHUNK + 16
                if len(ct) > CHUNK + 16:
                    fh.seek(-1, os.SEEK_CUR)
                    ct = ct[:-1]
                nonce = prefix + struct.pack(">IB", counter, 1 if last else 0)
                try:
                    yield self._aead.decrypt(nonce, ct, self.org_id.encode())
                except InvalidTag:
                    raise EncryptionError(f"blob {name}: chunk {counter} failed authentication "
                                          "(tampered, truncated or reordered)") from None
                if last:
                    return
                counter += 1

    def read_bytes(self, name: str) -> bytes:
        return b"".join(self.read_chunks(name))

    def verify(self, name: str, sha256: str) -> bool:
        digest = hashlib.sha256()
        for chunk in self.read_chunks(name):
            digest.update(chunk)
        return digest.hexdigest() == sha256

    def remove(self, name: str) -> None:
        self.path_for(name).unlink(missing_ok=True)


class _ChunkWriter:
    """Buffers to whole chunks so that only the final chunk carries the last flag."""

    def __init__(self, out: IO[bytes], aead: AESGCM | None, org_id: str) -> None:
        self._out, self._aead, self._aad = out, aead, org_id.encode()
        self._buf = bytearray()
        self._counter = 0
        self._prefix = secrets.token_bytes(7)
        out.write(_MAGIC_ENC + self._prefix if aead else _MAGIC_PLAIN)

    def write(self, data: bytes) -> None:
        if self._aead is None:
            self._out.write(data)
            return
        self._buf += data
        while len(self._buf) > CHUNK:
            self._emit(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]

    def finish(self) -> None:
        if self._aead is not None:
            self._emit(bytes(self._buf), last=True)

    def _emit(self, data: bytes, *, last: bool) -> None:
        assert self._aead is not None
        nonce = self._prefix + struct.pack(">IB", self._counter, 1 if last else 0)
        self._out.write(self._aead.encrypt(nonce, data, self._aad))
        self._counter += 1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
