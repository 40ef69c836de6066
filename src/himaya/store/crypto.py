"""Encryption at rest: a key hierarchy copied from Tella, with AEAD throughout (SECURITY.md §0.9).

    master key (KEK, a 32-byte file, 0600, kept off the database host in deployments)
      └── per-organisation data key (DEK, random), stored wrapped by the KEK in `org_keys`
            ├── column values: AES-256-GCM, AAD = table.column | org | row key
            ├── blobs: chunked AES-256-GCM (STREAM construction, see blobs.py)
            └── keyed hashes (HMAC-SHA256) for names that must be joinable but not readable

A ciphertext moved to another row, column or organisation fails to authenticate, and so does one
bit flipped anywhere. With encryption off (tests' control runs only) values are stored with a
plaintext marker byte so the reader can never mistake one form for the other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from himaya.errors import ConfigError, EncryptionError

_PLAIN = b"\x00"
_AEAD_V1 = b"\x01"


def load_or_create_master_key(path: Path, *, create: bool = True) -> bytes:
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(f"key file {path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        key = path.read_bytes()
        if len(key) != 32:
            raise ConfigError(f"key file {path} must hold exactly 32 bytes")
        return key
    if not create:
        raise ConfigError(f"key file {path} not found: the store cannot be read without its key")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    return key


def kek_id(kek: bytes) -> str:
    """A short public fingerprint, so a wrong key is named as such rather than failing obscurely."""
    return hashlib.sha256(b"himaya-kek-id|" + kek).hexdigest()[:16]


def wrap_dek(kek: bytes, dek: bytes, org_id: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(kek).encrypt(nonce, dek, b"dek|" + org_id.encode())


def unwrap_dek(kek: bytes, wrapped: bytes, org_id: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], b"dek|" + org_id.encode())
    except InvalidTag:
        raise EncryptionError(f"the master key does not open organisation {org_id!r}'s data key: wrong key file?") from None


class Cipher:
    """Column encryption and keyed hashing for one organisation."""

    def __init__(self, org_id: str, dek: bytes | None, version: int = 1) -> None:
        self.org_id = org_id
        self.enabled = dek is not None
        self.version = version
        seed = dek if dek is not None else hashlib.sha256(b"himaya-plain|" + org_id.encode()).digest()
        self._aead = AESGCM(self._derive(seed, b"columns")) if dek is not None else None
        self._mac_key = self._derive(seed, b"names")
        self.blob_key = self._derive(seed, b"blobs")

    @staticmethod
    def _derive(key: bytes, purpose: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"himaya|" + purpose).derive(key)

    def _aad(self, where: str, row_key: str, version: int) -> bytes:
        return f"{where}|{self.org_id}|{row_key}|v{version}".encode()

    def seal(self, value: str | None, where: str, row_key: str) -> bytes | None:
        if value is None:
            return None
        data = value.encode("utf-8", "surrogatepass")
        if self._aead is None:
            return _PLAIN + data
        nonce = os.urandom(12)
        return _AEAD_V1 + bytes([self.version]) + nonce + self._aead.encrypt(nonce, data, self._aad(where, row_key, self.version))

    def open(self, blob: bytes | None, where: str, row_key: str) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        marker = blob[:1]
        if marker == _PLAIN:
            if self._aead is not None:
                raise EncryptionError(f"{where}: plaintext value found in an encrypted store")
            return blob[1:].decode("utf-8", "surrogatepass")
        if marker != _AEAD_V1 or self._aead is None:
            raise EncryptionError(f"{where}: value cannot be decrypted with this configuration")
        try:
            data = self._aead.decrypt(blob[2:14], blob[14:], self._aad(where, row_key, blob[1]))
        except InvalidTag:
            raise EncryptionError(f"{where} ({row_key}): ciphertext failed authentication (tampered or moved)") from None
        return data.decode("utf-8", "surrogatepass")

    def seal_json(self, value: Any, where: str, row_key: str) -> bytes | None:
        if value is None or value == {} or value == [] or value == ():
            return None
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str), where, row_key)

    def open_json(self, blob: bytes | None, where: str, row_key: str) -> Any:
        text = self.open(blob, where, row_key)
        return None if text is None else json.loads(text)

    def name_hash(self, value: str) -> str:
        """Keyed hash: joinable within the organisation, meaningless outside it."""
        return hmac.new(self._mac_key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
