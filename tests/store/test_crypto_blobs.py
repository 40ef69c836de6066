"""Encryption at rest: AEAD binding of column values and blobs (SECURITY.md T35, in part)."""

from __future__ import annotations

import os
import secrets
import stat

import pytest

from himaya.errors import ConfigError, EncryptionError
from himaya.store.blobs import CHUNK, BlobStore
from himaya.store.crypto import Cipher, load_or_create_master_key, unwrap_dek, wrap_dek


@pytest.fixture
def cipher() -> Cipher:
    return Cipher("org-a", secrets.token_bytes(32))


def test_column_roundtrip_keeps_every_character(cipher: Cipher) -> None:
    text = "می\u200cدانیم \u202eevil\u202c\x00 👩🏽\u200d⚖️ \udc80"
    sealed = cipher.seal(text, "posts.text", "x|1")
    assert sealed is not None and text.encode("utf-8", "surrogatepass") not in sealed
    assert cipher.open(sealed, "posts.text", "x|1") == text


@pytest.mark.parametrize("where,row,org", [("posts.extra", "x|1", "org-a"), ("posts.text", "x|2", "org-a"),
                                           ("posts.text", "x|1", "org-b")])
def test_ciphertext_moved_to_another_column_row_or_org_fails(cipher: Cipher, where: str, row: str, org: str) -> None:
    sealed = cipher.seal("secret", "posts.text", "x|1")
    other = cipher if org == "org-a" else Cipher(org, secrets.token_bytes(32))
    with pytest.raises(EncryptionError):
        other.open(sealed, where, row)


def test_one_flipped_bit_is_detected(cipher: Cipher) -> None:
    sealed = bytearray(cipher.seal("secret", "posts.text", "x|1") or b"")
    for i in range(len(sealed)):
        flipped = bytearray(sealed)
        flipped[i] ^= 0x01
        with pytest.raises(EncryptionError):
            cipher.open(bytes(flipped), "posts.text", "x|1")


def test_nonces_are_unique(cipher: Cipher) -> None:
    nonces = {(cipher.seal("same", "t.c", "r") or b"")[2:14] for _ in range(100_000)}
    assert len(nonces) == 100_000


def test_plaintext_value_refused_by_encrypted_store(cipher: Cipher) -> None:
    plain = Cipher("org-a", None).seal("x", "t.c", "r")
    with pytest.raises(EncryptionError):
        cipher.open(plain, "t.c", "r")


def test_master_key_created_private_and_checked(tmp_path) -> None:
    path = tmp_path / "keys" / "master.key"
    key = load_or_create_master_key(path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_key(path) == key
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_or_create_master_key(path)


def test_wrong_master_key_names_the_problem() -> None:
    wrapped = wrap_dek(secrets.token_bytes(32), secrets.token_bytes(32), "org-a")
    with pytest.raises(EncryptionError, match="wrong key"):
        unwrap_dek(secrets.token_bytes(32), wrapped, "org-a")


@pytest.fixture
def blobs(tmp_path) -> BlobStore:
    return BlobStore(tmp_path / "blobs", "org-a", secrets.token_bytes(32))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])
def test_blob_roundtrip_and_dedup(blobs: BlobStore, size: int) -> None:
    data = os.urandom(size)
    sha, name, n, new = blobs.put_bytes(data)
    assert new and n == size and blobs.read_bytes(name) == data and blobs.verify(name, sha)
    assert size < 16 or data not in blobs.path_for(name).read_bytes()  # a byte or two can occur by chance
    assert sha not in name  # the file name does not reveal the content hash
    assert blobs.put_bytes(data)[1:] == (name, size, False)


def test_truncated_or_reordered_blob_fails(blobs: BlobStore) -> None:
    data = os.urandom(3 * CHUNK + 100)
    _, name, _, _ = blobs.put_bytes(data)
    path = blobs.path_for(name)
    raw = path.read_bytes()
    header, body = raw[:19], raw[19:]
    c = CHUNK + 16
    chunks = [body[i:i + c] for i in range(0, len(body), c)]
    path.write_bytes(header + b"".join(chunks[:-1]))  # drop the last chunk
    with pytest.raises(EncryptionError):
        blobs.read_bytes(name)
    path.write_bytes(header + chunks[1] + chunks[0] + b"".join(chunks[2:]))
    with pytest.raises(EncryptionError):
        blobs.read_bytes(name)


def test_blob_names_differ_between_organisations(tmp_path) -> None:
    a = BlobStore(tmp_path, "org-a", secrets.token_bytes(32))
    b = BlobStore(tmp_path, "org-b", secrets.token_bytes(32))
    assert a.put_bytes(b"same evidence")[1] != b.put_bytes(b"same evidence")[1]
