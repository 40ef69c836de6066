"""Handle evidence: shape families, random-letter strings, and near-identical handles (edit distance).

A shape is the handle with letter runs replaced by `name` (pronounceable) or `random` (not), digit
runs by one `#` per digit and separators kept: `sara_karimi4821` → `name_name####`. A shape only
counts as evidence when a wave holds far more of it than the organic followers do (its lift), so a
common organic shape such as `name.name` weighs nothing, and can even speak *for* a follower whose
wave is made of another shape. Handles copied from real people have organic shapes: for them this
module gives no evidence, which is why the score never rests on handles alone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_CLASSES = str.maketrans("abcdefghijklmnopqrstuvwxyz0123456789", "a" * 26 + "#" * 10)
_LETTERS = re.compile(r"a+")
_WORD = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiouy")
_CONSONANT_RUN = re.compile(r"[^aeiouy]{4,}")
_SKELETON = str.maketrans("", "", "0123456789._-")
_DIGIT_RUNS = re.compile(r"#+")
_PLAIN = re.compile(r"[a-z0-9._]*")
_OTHER = re.compile(r"[^a-z0-9._]")
LIFT_SMOOTHING = 0.5
MAX_FAMILY_LLR = 6.0
MIN_FAMILY_LLR = -3.0
CLUSTER_MIN = 5


def random_letters(word: str) -> bool:
    """A letter run nobody would pick as a name: few or too many vowels, or four consonants in a row."""
    if len(word) < 6:
        return False
    vowels = sum(ch in _VOWELS for ch in word) / len(word)
    return vowels < 0.2 or vowels > 0.75 or _CONSONANT_RUN.search(word) is not None


def shape_of(handle: str, cache: dict[str, Any] | None = None) -> tuple[str, bool]:
    """(shape, whether it holds a random-letter run).

    `cache` remembers class strings (`aaaa.aaaaaa` recurs for every such name) and words (names
    recur): a million handles then cost a few seconds instead of ten.
    """
    memo: dict[str, Any] = {} if cache is None else cache
    h = handle.lower()
    if not _PLAIN.fullmatch(h):  # other platforms, generic CSV: any other character is one `?`
        h = _OTHER.sub("?", h)
    classes = h.translate(_CLASSES)
    known = memo.get(classes)
    if known is None:
        shape = _LETTERS.sub("a", classes)
        known = memo[classes] = (shape, "aaaaaa" in classes)
    shape, long_run = known
    if not long_run:
        return shape, False
    randoms = []
    for w in _WORD.findall(h):
        r = memo.get(w)
        if r is None:
            r = memo[w] = random_letters(w)
        randoms.append(r)
    if not any(randoms):
        return shape, False
    it = iter(randoms)
    return "".join(("x" if next(it) else "a") if ch == "a" else ch for ch in shape), True


def display_shape(shape: str) -> str:
    return shape.replace("a", "name").replace("x", "random")


@dataclass
class HandleFeatures:
    family: NDArray[np.int32]          # index into `shapes`
    shapes: list[str]
    random: NDArray[np.bool_]


def handle_features(handles: list[str]) -> HandleFeatures:
    index: dict[str, int] = {}
    family = np.empty(len(handles), np.int32)
    rand = np.zeros(len(handles), bool)
    words: dict[str, Any] = {}
    for i, h in enumerate(handles):
        shape, r = shape_of(h, words)
        family[i] = index.setdefault(shape, len(index))
        rand[i] = r
    return HandleFeatures(family, list(index), rand)


@dataclass(frozen=True)
class Family:
    wave: int            # wave index
    pattern: str         # displayed shape, e.g. name_####, or "near-identical: watanisayf…"
    members: int
    organic_share: float # share of followers outside waves with this shape
    lift: float
    examples: tuple[str, ...]


def family_evidence(feat: HandleFeatures, wave_of: NDArray[np.int32], n_waves: int,
                    handles: list[str]) -> tuple[NDArray[np.float64], NDArray[np.int32], list[Family]]:
    """Per follower: log-likelihood ratio of its shape inside its wave; the family index it was matched to."""
    n = wave_of.size
    llr = np.zeros(n)
    matched = np.full(n, -1, np.int32)
    n_shapes = len(feat.shapes)
    outside = wave_of < 0
    out_counts = np.bincount(feat.family[outside], minlength=n_shapes).astype(np.float64)
    n_out = float(outside.sum())
    out_share = (out_counts + LIFT_SMOOTHING) / (n_out + LIFT_SMOOTHING * n_shapes)
    families: list[Family] = []
    for k in range(n_waves):
        idx = np.flatnonzero(wave_of == k)
        if idx.size == 0:
            continue
        counts = np.bincount(feat.family[idx], minlength=n_shapes).astype(np.float64)
        share = (counts + LIFT_SMOOTHING) / (idx.size + LIFT_SMOOTHING * n_shapes)
        lift = share / out_share
        llr[idx] = np.clip(np.log(lift[feat.family[idx]]), MIN_FAMILY_LLR, MAX_FAMILY_LLR)
        # Shapes that differ only in how many digits they carry are shown as one family.
        merged: dict[str, list[int]] = defaultdict(list)
        for f in np.flatnonzero((counts >= max(10, 0.05 * idx.size)) & (lift >= 5)).tolist():
            merged[_DIGIT_RUNS.sub("#", feat.shapes[f])].append(f)
        for fs in merged.values():
            in_family = np.isin(feat.family[idx], fs)
            matched[idx[in_family]] = len(families)
            members = int(counts[fs].sum())
            families.append(Family(k, _family_pattern([feat.shapes[f] for f in fs]), members,
                                   float(out_counts[fs].sum() / max(n_out, 1)),
                                   float(members / idx.size / max(out_counts[fs].sum() / max(n_out, 1), 1e-9)),
                                   tuple(handles[i] for i in idx[in_family][:3])))
    return llr, matched, families


def _family_pattern(shapes: list[str]) -> str:
    """`name_####`, or `random + 0–3 digits` when the family's shapes differ only in digit counts."""
    if len(shapes) == 1:
        return display_shape(shapes[0])
    digits = sorted(s.count("#") for s in shapes)
    return f"{display_shape(_DIGIT_RUNS.sub('', shapes[0]))} + {digits[0]}–{digits[-1]} digits"


def near_identical(handles: list[str], members: NDArray[np.int64], outside_skeletons: Counter[str]) -> list[list[int]]:
    """Groups of `members` whose handles differ by digits, separators and at most one letter edit.

    Skeletons (letters only) are linked when equal or one deletion apart, the symmetric-delete
    trick: two strings within one edit share a deletion variant. Groups whose skeletons are common
    among organic followers (first names) are dropped.
    """
    skel = [handles[i].lower().translate(_SKELETON) for i in members.tolist()]
    parent = list(range(len(skel)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner: dict[str, int] = {}
    for i, s in enumerate(skel):
        if len(s) < 5:
            continue
        for key in (s, *(s[:j] + s[j + 1:] for j in range(len(s)))):
            j = owner.setdefault(key, i)
            if j != i:
                ra, rb = find(i), find(j)
                if ra != rb:
                    parent[ra] = rb
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(skel)):
        if len(skel[i]) >= 5:
            groups[find(i)].append(i)
    out = []
    for g in groups.values():
        if len(g) < CLUSTER_MIN:
            continue
        common = sum(outside_skeletons.get(s, 0) for s in {skel[i] for i in g})
        if common <= len(g) / 10:
            out.append([int(members[i]) for i in g])
    return out


def skeleton(handle: str) -> str:
    return handle.lower().translate(_SKELETON)
