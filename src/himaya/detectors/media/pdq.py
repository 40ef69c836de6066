"""PDQ hashes: computing them, and moving them between bits, 32 bytes and 64 hex characters.

The hex form is the one ThreatExchange and Hasher-Matcher-Actioner exchange: python-threatexchange
reads `pdqhash.compute`'s bit vector as one binary number, first bit most significant. We do the
same (`np.packbits`, big-endian bit order), so a hash we export is the hash HMA would compute.
"""

from __future__ import annotations

import re

import numpy as np
import pdqhash

DISTANCE = 31          # Meta's recommended PDQ match threshold (of 256 bits)
MIN_QUALITY = 50       # below this a hash is of a near-flat image: not used for matching
BITS = 256
_HEX = re.compile(r"[0-9a-f]{64}")


def compute(rgb: np.ndarray) -> tuple[bytes, int]:
    """(32-byte hash, quality 0–100) of an RGB image."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return np.packbits(bits.astype(np.uint8)).tobytes(), int(quality)


def compute_mirror(rgb: np.ndarray) -> bytes:
    """Hash of the left–right mirror image (PDQ's dihedral variant, without decoding twice)."""
    return compute(np.ascontiguousarray(rgb[:, ::-1]))[0]


def to_hex(h: bytes) -> str:
    return h.hex()


def from_hex(text: str) -> bytes:
    """32 bytes from 64 hex characters; ValueError names what is wrong."""
    s = text.strip().lower()
    if not _HEX.fullmatch(s):
        raise ValueError(f"not a PDQ hash (64 hex characters): {text[:80]!r}")
    return bytes.fromhex(s)


def distance(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def as_words(hashes: list[bytes]) -> np.ndarray:
    """(n, 4) uint64 for vectorised XOR/popcount."""
    if not hashes:
        return np.zeros((0, 4), dtype=np.uint64)
    return np.frombuffer(b"".join(hashes), dtype=np.uint64).reshape(-1, 4).copy()


def distances(words: np.ndarray, query: bytes) -> np.ndarray:
    """Hamming distance from `query` to every row of `words` ((n, 4) uint64)."""
    q = np.frombuffer(query, dtype=np.uint64)
    out: np.ndarray = np.bitwise_count(words ^ q).sum(axis=1, dtype=np.int32)
    return out
