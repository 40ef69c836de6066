"""Same picture, even re-encoded: media identity by sha256, else by a near PDQ perceptual hash.

A network re-uploading one image gets a new file (new sha256) each time a platform recompresses
it, but its PDQ hash moves by only a few bits. PDQ's authors treat a Hamming distance <= 31 (of
256 bits) as the same image; we find candidates by splitting the hash in 16 chunks of 16 bits
(two hashes within 15 bits always share a chunk, by pigeonhole) and confirm the distance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

PDQ_MATCH_BITS = 31


@dataclass(frozen=True, slots=True)
class MediaRef:
    key: str
    sha256: str | None = None
    pdq: str | None = None


def _bits(hexes: list[str]) -> np.ndarray:
    raw = np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), 32)
    return np.unpackbits(raw, axis=1)


def media_identities(refs: list[MediaRef]) -> list[str]:
    """One identity per ref: `sha256:…`, `pdq:…` (first hash of its near-match group) or the media key."""
    out = [f"sha256:{r.sha256}" if r.sha256 else f"key:{r.key}" for r in refs]
    with_pdq = [i for i, r in enumerate(refs) if r.pdq and len(r.pdq) == 64]
    if not with_pdq:
        return out
    hexes = [refs[i].pdq or "" for i in with_pdq]
    uniq = sorted(set(hexes))
    index = {h: i for i, h in enumerate(uniq)}
    bits = _bits(uniq)
    chunks = np.frombuffer(bytes.fromhex("".join(uniq)), dtype=">u2").reshape(len(uniq), 16)
    src, dst = [], []
    for c in range(16):
        order = np.argsort(chunks[:, c], kind="stable")
        col = chunks[order, c]
        starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
        bounds = np.r_[starts, len(col)]
        for lo, hi in itertools.pairwise(bounds.tolist()):
            if hi - lo < 2 or hi - lo > 500:  # a chunk shared by hundreds is a blank or flat image: no signal
                continue
            members = order[lo:hi]
            dist = (bits[members[:, None]] != bits[members[None, :]]).sum(axis=2)
            i, j = np.nonzero(np.triu(dist <= PDQ_MATCH_BITS, k=1))
            src.append(members[i])
            dst.append(members[j])
    n = len(uniq)
    labels: np.ndarray = np.arange(n)
    if src:
        s, d = np.concatenate(src), np.concatenate(dst)
        labels = connected_components(coo_matrix((np.ones(len(s)), (s, d)), shape=(n, n)), directed=False)[1]
    first: dict[int, str] = {}
    for hex_hash, lab in zip(uniq, labels.tolist(), strict=True):
        first.setdefault(lab, hex_hash)
    for pos, hex_hash in zip(with_pdq, hexes, strict=True):
        out[pos] = f"pdq:{first[int(labels[index[hex_hash]])]}"  # a re-encoded copy differs in sha256, not in PDQ
    return out
