"""What the shipped model sees of a message: hashed character 2–4-grams and word 1–2-grams of its
matching form.

Hashing needs no vocabulary file, so the model is only its weights, and the same text gives the
same features on every machine. The hashes are computed for a whole batch at once with numpy (a
rolling polynomial hash over the code points, finished with MurmurHash3's 64-bit mixer), which is
several times faster than a per-message n-gram loop and keeps scikit-learn out of the load path.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from himaya.nlp.translit import arabizi_to_arabic, finglish_to_persian

N_FEATURES = 2**18
MAX_MODEL_CHARS = 5000  # a 100,000-character message is judged on its start; spans still cover all of it
_MASK = np.uint64(N_FEATURES - 1)
_PRIME = np.uint64(0x100000001B3)
_SALTS = {n: np.uint64(0x9E3779B97F4A7C15 * n % 2**64) for n in (1, 2, 3, 4, 5)}

_HANDLE = re.compile(r"@\w+|\[user\]")
_URL = re.compile(r"https?://\S+|www\.\S+|\[url\]|\burl\b")
_LINE_MARK = re.compile(r"<lf>")
_WORD = re.compile(r"[^\W_]+")


def model_form(form: str, language: str) -> str:
    """The text the model reads, from the matching form: handles and links as the training data writes
    them; chat alphabets get their transliteration appended so Arabic-script n-grams fire too."""
    form = form[:MAX_MODEL_CHARS]
    # Each pattern needs one of these substrings: most messages skip the regex.
    if "@" in form or "[user]" in form:
        form = _HANDLE.sub("@user", form)
    if "url" in form or "http" in form or "www." in form:
        form = _URL.sub("url", form)
    if "<lf>" in form:
        form = _LINE_MARK.sub(" ", form)
    if language == "ar-Latn":
        form = f"{form} {arabizi_to_arabic(form)}"
    elif language == "fa-Latn":
        form = f"{form} {finglish_to_persian(form)}"
    return form


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's fmix64: spreads the bits of a 64-bit value (numpy wraps on overflow)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    out: np.ndarray = x ^ (x >> np.uint64(33))
    return out


class _TokenHashes(dict[str, int]):
    """crc32 of each distinct word, computed once per process (words repeat)."""

    def __missing__(self, token: str) -> int:
        value = zlib.crc32(token.encode("utf-8", "surrogatepass"))
        if len(self) > 500_000:
            self.clear()
        self[token] = value
        return value


_TOKEN_HASHES = _TokenHashes()


def _char_ngrams(forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    padded = "\x00".join(f" {f} " for f in forms) + "\x00"
    codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    boundary = codes == 0
    row_of = np.cumsum(boundary) - boundary  # message index of each position
    seen = np.concatenate([[0], np.cumsum(boundary)])
    rows, cols = [], []
    h = codes.copy()
    for n in (2, 3, 4):
        h = h[:-1] * _PRIME + codes[n - 1 :]
        start = np.arange(len(h))
        valid = (seen[start + n] - seen[start]) == 0  # no message boundary inside the window
        rows.append(row_of[: len(h)][valid])
        cols.append(_mix(h[valid] ^ _SALTS[n]) & _MASK)
    return np.concatenate(rows), np.concatenate(cols)


def _word_ngrams(forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    tokens = [_WORD.findall(form) for form in forms]
    per_form = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    h = np.fromiter(map(_TOKEN_HASHES.__getitem__, chain.from_iterable(tokens)), dtype=np.uint64, count=int(per_form.sum()))
    r = np.repeat(np.arange(len(tokens), dtype=np.int64), per_form)
    same = r[1:] == r[:-1] if len(r) else np.zeros(0, dtype=bool)
    bigrams = (h[:-1] * _PRIME + h[1:])[same] if len(h) else h
    cols = np.concatenate([_mix(h ^ _SALTS[1]) & _MASK, _mix(bigrams ^ _SALTS[5]) & _MASK])
    return np.concatenate([r, r[:-1][same] if len(r) else r]), cols


def featurize(forms: Sequence[str]) -> Any:
    """A CSR matrix (messages × 2^18), one L2-normalised row of log-damped n-gram counts per model text."""
    from scipy.sparse import csr_matrix

    char_rows, char_cols = _char_ngrams(forms)
    word_rows, word_cols = _word_ngrams(forms)
    rows = np.concatenate([char_rows, word_rows])
    cols = np.concatenate([char_cols, word_cols]).astype(np.int64)
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(forms), N_FEATURES))
    matrix.sum_duplicates()
    matrix.data = np.log1p(matrix.data)  # damp repeated n-grams ("hahaha", copy-pasted spam)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
    return matrix
