"""The matching form of a text: what two spellings of the same abuse have in common.

Abusers vary spelling to slip past filters and dialects vary it anyway: أ/إ/آ/ا, ي/ى/ی,
ك/ک, ة/ه, diacritics, tatweel, ZWNJ, "kiiiill", "k.i.l.l", Cyrillic "а" for Latin "a".
``normalize`` folds all of these into one form so a lexicon entry or a near-duplicate
check matches every variant. The form is for matching only: never show it to a person.

``normalize_with_offsets`` returns the same string plus, for each of its characters, the
index of the character of the input it came from, so a match can be shown in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import compress

__all__ = ["normalize", "normalize_with_offsets", "repair_surrogates"]

# Letters whose spelling varies between writers, dialects and keyboards, folded to one form.
_LETTER_FOLDS = {
    "ى": "ي",  # alef maqsura
    "ی": "ي",  # Persian ya
    "ې": "ي",
    "ۍ": "ي",
    "ک": "ك",  # Persian kaf
    "ڪ": "ك",
    "ة": "ه",  # ta marbuta
    "ە": "ه",
    "ھ": "ه",
    "ہ": "ه",
    "ۀ": "ه",
    "ٱ": "ا",  # alef wasla
    "ء": "",  # a bare hamza is dropped: dialect spelling mostly omits it
    "ـ": "",  # tatweel
}

# Letters that look like Latin ones, used to dodge filters ("ѕех", "κill").
_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ԁ": "d", "ɡ": "g", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w",
}


def _fold_char(char: str) -> str:
    category = unicodedata.category(char)
    if category in ("Cf", "Mn", "Me"):  # ZWNJ, bidi marks, BOM; diacritics
        return ""
    if category in ("Cc", "Zs", "Zl", "Zp"):
        return " "
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if char in _LETTER_FOLDS:
        return _LETTER_FOLDS[char]
    folded = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.category(part) in ("Mn", "Me", "Cf"):
            continue
        for low in part.casefold():
            low = _LETTER_FOLDS.get(low, low)
            folded.append(_HOMOGLYPHS.get(low, low))
    return "".join(folded)


class _FoldTable(dict[int, str]):
    """A str.translate table that fills itself: each code point is folded once per process."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


class _FoldLengthTable(dict[int, str]):
    """A str.translate table from each code point to chr(length of its fold), filled the same way."""

    def __missing__(self, code: int) -> str:
        length = chr(len(_FOLD_TABLE[code]))
        self[code] = length
        return length


_FOLD_LENGTHS = _FoldLengthTable()

_ARABIC_LETTER = "\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff"
# Three or more of the same Arabic letter: one (Arabic spelling doubles a letter with shadda, never by writing it twice).
_ARABIC_ELONGATION = re.compile(f"([{_ARABIC_LETTER}])\\1{{2,}}")
# Three or more of any other letter: two ("soooo" -> "soo", "all" stays "all").
_OTHER_ELONGATION = re.compile(f"([^\\W\\d_{_ARABIC_LETTER}])\\1{{2,}}")
# Three or more single letters split by one kind of separator: "k.i.l.l", "ق ت ل".
_SPLIT_WORD = re.compile(r"(?<![^\W_])[^\W\d_]([ .\-_*·•|/])[^\W\d_](?:\1[^\W\d_]){1,}(?![^\W_])")
_SPACES = re.compile(r"\s{2,}")

Offsets = list[int]
_Stage = Callable[[str, Offsets | None], tuple[str, Offsets | None]]


def repair_surrogates(text: str) -> str:
    """Pair valid surrogate halves and replace lone ones with U+FFFD (they cannot be encoded)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _fold(text: str, offsets: Offsets | None) -> tuple[str, Offsets | None]:
    folded = text.translate(_FOLD_TABLE)
    if offsets is None:
        return folded, None
    lengths = text.translate(_FOLD_LENGTHS).encode("latin-1")
    if not lengths.translate(None, b"\x00\x01"):
        # Each character folds to itself, another one, or nothing (diacritics, ZWNJ, tatweel): keep the
        # offsets of those that stay, without a Python step per character.
        return folded, list(compress(offsets, lengths))
    pieces: list[str] = []
    new_offsets: Offsets = []
    for index, char in enumerate(text):
        piece = _FOLD_TABLE[ord(char)]
        pieces.append(piece)
        new_offsets.extend([offsets[index]] * len(piece))
    return "".join(pieces), new_offsets


def _substitute(pattern: re.Pattern[str], keep: Callable[[re.Match[str]], list[int]]) -> _Stage:
    """A regex stage that keeps, of each match, the characters at the indices ``keep`` names."""

    def stage(text: str, offsets: Offsets | None) -> tuple[str, Offsets | None]:
        if offsets is None:
            return pattern.sub(lambda m: "".join(text[i] for i in keep(m)), text), None
        pieces: list[str] = []
        new_offsets: Offsets = []
        last = 0
        for match in pattern.finditer(text):
            pieces.append(text[last : match.start()])
            new_offsets.extend(offsets[last : match.start()])
            for i in keep(match):
                pieces.append(text[i])
                new_offsets.append(offsets[i])
            last = match.end()
        pieces.append(text[last:])
        new_offsets.extend(offsets[last:])
        return "".join(pieces), new_offsets

    return stage


def _letters_of_split_word(match: re.Match[str]) -> list[int]:
    return list(range(match.start(), match.end(), 2))


_STAGES: tuple[_Stage, ...] = (
    _fold,
    _substitute(_ARABIC_ELONGATION, lambda m: [m.start()]),
    _substitute(_OTHER_ELONGATION, lambda m: [m.start(), m.start() + 1]),
    _substitute(_SPLIT_WORD, _letters_of_split_word),
    _substitute(_SPACES, lambda m: [m.start()]),
)


def _run(text: str, offsets: Offsets | None) -> tuple[str, Offsets | None]:
    text = repair_surrogates(text)
    for stage in _STAGES:
        text, offsets = stage(text, offsets)
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return text[start:end], (offsets[start:end] if offsets is not None else None)


def normalize(text: str) -> str:
    """The matching form of ``text`` (stable: lexicons, models and near-duplicate checks rely on it).

    NFKC/NFKD compatibility folding with marks removed (diacritics, hamza seats, madda),
    Arabic letter variants folded (alef forms, ya/alef maqsura and Persian ya to ي, Persian
    kaf to ك, ta marbuta to ه), ZWNJ/bidi marks/tatweel removed, digits of every script to
    ASCII, Latin look-alikes to Latin, casefold, elongation squeezed, "k.i.l.l" joined,
    whitespace collapsed.
    """
    return _run(text, None)[0]


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` and, per output character, the index in ``text`` it comes from.

    Indices refer to ``text`` after ``repair_surrogates`` (same length as ``text``).
    """
    normalized, offsets = _run(text, list(range(len(text))))
    assert offsets is not None
    return normalized, offsets
