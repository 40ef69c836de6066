"""PDQ hashes in HMA's hex layout, Hamming distance, and the multi-index agreeing with brute force."""

from __future__ import annotations

import numpy as np
import pdqhash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.detectors.media import index as index_module
from himaya.detectors.media import pdq
from himaya.detectors.media.index import HashIndex
from himaya.detectors.media.transforms import picture


def test_hex_is_python_threatexchange_layout() -> None:
    rgb = np.asarray(picture(3))
    h, quality = pdq.compute(rgb)
    bits, q2 = pdqhash.compute(rgb)
    # python-threatexchange's pdq_hasher: the bit vector read as one binary number, first bit highest.
    expected = format(int("".join(str(int(b)) for b in bits), 2), "064x")
    assert h.hex() == expected and quality == q2 and len(h) == 32


def test_from_hex_validates() -> None:
    h = bytes(range(32))
    assert pdq.from_hex(h.hex().upper()) == h
    for bad in ("", "abc", "g" * 64, "0" * 63, "0" * 65):
        with pytest.raises(ValueError, match="not a PDQ hash"):
            pdq.from_hex(bad)


def test_distance_and_vectorised_distances_agree() -> None:
    rng = np.random.default_rng(5)
    hashes = [rng.bytes(32) for _ in range(50)]
    q = rng.bytes(32)
    d = pdq.distances(pdq.as_words(hashes), q)
    assert d.tolist() == [pdq.distance(h, q) for h in hashes]
    assert pdq.distance(q, q) == 0 and pdq.distance(q, bytes(b ^ 0xFF for b in q)) == 256


def _flip(h: bytes, positions: list[int]) -> bytes:
    b = bytearray(h)
    for p in positions:
        b[p // 8] ^= 1 << (p % 8)
    return bytes(b)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), radius=st.sampled_from([0, 8, 15, 16, 31, 32, 47]),
       flips=st.lists(st.integers(0, 255), min_size=0, max_size=60, unique=True),
       multi_index=st.booleans())
def test_index_finds_exactly_what_brute_force_finds(seed: int, radius: int, flips: list[int],
                                                    multi_index: bool) -> None:
    rng = np.random.default_rng(seed)
    base = [rng.bytes(32) for _ in range(300)]
    planted = [_flip(base[i], flips[: (i * 7) % (len(flips) + 1)]) for i in range(40)]
    hashes = base + planted
    old = index_module.BRUTE_FORCE_MAX
    index_module.BRUTE_FORCE_MAX = 0 if multi_index else old   # small sets take the linear path otherwise
    try:
        index = HashIndex.from_bytes(hashes)
    finally:
        index_module.BRUTE_FORCE_MAX = old
    assert index._brute is not multi_index
    for q in (base[0], planted[3], _flip(base[1], flips)):
        ids, dist = index.search(q, radius)
        brute = pdq.distances(index.words, q)
        expected = set(np.flatnonzero(brute <= radius).tolist())
        assert set(ids.tolist()) == expected
        assert list(dist) == sorted(dist) and all(brute[i] == d for i, d in zip(ids, dist, strict=True))


def test_empty_index_finds_nothing() -> None:
    ids, dist = HashIndex.from_bytes([]).search(bytes(32), 31)
    assert len(ids) == 0 and len(dist) == 0
