"""Arabizi → Arabic script and Finglish → Persian script, for matching and model features.

Chat alphabets are lossy (short vowels are written or not, 9 is ق in the Levant and ص in the
Gulf), so the result is an approximation in the matching form's spelling, never shown as a reading.
Each output character keeps the index of the Latin character it came from, so a match in the
transliteration can be highlighted in the original.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Longest rule first at each position. Vowels: written long vowels become letters, a word-final
# "a"/"e" becomes ه (the matching form of ة), other short vowels are dropped.
_ARABIZI_RULES: tuple[tuple[str, str], ...] = (
    ("3'", "غ"), ("7'", "خ"), ("9'", "ض"), ("6'", "ظ"),
    ("sh", "ش"), ("ch", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("dh", "ذ"),
    ("ou", "و"), ("oo", "و"), ("ee", "ي"), ("ei", "ي"), ("ai", "ي"), ("aa", "ا"),
    ("2", "ا"), ("3", "ع"), ("5", "خ"), ("6", "ط"), ("7", "ح"), ("8", "غ"), ("9", "ق"),
    ("b", "ب"), ("p", "ب"), ("t", "ت"), ("j", "ج"), ("g", "ج"), ("d", "د"), ("r", "ر"), ("z", "ز"), ("s", "س"),
    ("f", "ف"), ("v", "ف"), ("q", "ق"), ("k", "ك"), ("l", "ل"), ("m", "م"), ("n", "ن"), ("h", "ه"), ("w", "و"),
    ("y", "ي"), ("i", "ي"), ("u", "و"), ("o", "و"), ("x", "كس"),
)
_FINGLISH_RULES: tuple[tuple[str, str], ...] = (
    ("kh", "خ"), ("gh", "ق"), ("sh", "ش"), ("ch", "چ"), ("zh", "ژ"), ("aa", "ا"), ("oo", "و"), ("ou", "و"),
    ("ee", "ي"), ("ei", "ي"), ("ey", "ي"),
    ("b", "ب"), ("p", "پ"), ("t", "ت"), ("j", "ج"), ("d", "د"), ("r", "ر"), ("z", "ز"), ("s", "س"), ("f", "ف"),
    ("v", "و"), ("q", "ق"), ("k", "ك"), ("g", "گ"), ("l", "ل"), ("m", "م"), ("n", "ن"), ("h", "ه"), ("w", "و"),
    ("y", "ي"), ("i", "ي"), ("u", "و"), ("a", "ا"), ("x", "كس"),
)
_WORD = re.compile(r"[A-Za-z0-9']+")


@lru_cache(maxsize=65536)
def _word_cached(word: str, rules: tuple[tuple[str, str], ...], drop: str, final: tuple[tuple[str, str], ...]) -> tuple[str, tuple[int, ...]]:
    """One word's transliteration and, per output character, its source index in the word (cached: words repeat)."""
    out: list[str] = []
    offsets: list[int] = []
    _word(word, 0, rules, drop, dict(final), out, offsets)
    return "".join(out), tuple(offsets)


def _word(word: str, start: int, rules: tuple[tuple[str, str], ...], drop: str, final: dict[str, str],
          out: list[str], offsets: list[int]) -> None:
    low = word.lower()
    if low.isdigit():  # numbers stay numbers
        out.append(low)
        offsets.extend(range(start, start + len(low)))
        return
    i = 0
    while i < len(low):
        ch = low[i]
        if ch in final and i == len(low) - 1 and i > 1:
            out.append(final[ch])
            offsets.append(start + i)
            i += 1
            continue
        if i == 0 and ch in "aeiou":  # a written initial vowel carries an alef
            out.append("ا")
            offsets.append(start)
        for src, dst in rules:
            if low.startswith(src, i):
                if not (i == 0 and ch in "aeiou" and len(src) == 1):
                    out.append(dst)
                    offsets.extend([start + i] * len(dst))
                i += len(src)
                break
        else:
            if ch not in drop and ch != "'":
                out.append(ch)
                offsets.append(start + i)
            i += 1


def _transliterate(text: str, rules: tuple[tuple[str, str], ...], drop: str, final: dict[str, str]) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    final_rules = tuple(sorted(final.items()))
    for m in _WORD.finditer(text):
        gap = text[last : m.start()]
        out.append(gap)
        offsets.extend(range(last, m.start()))
        piece, rel = _word_cached(m.group(0), rules, drop, final_rules)
        out.append(piece)
        offsets.extend(m.start() + r for r in rel)
        last = m.end()
    out.append(text[last:])
    offsets.extend(range(last, len(text)))
    return "".join(out), offsets


def arabizi_to_arabic(text: str) -> str:
    """'ya 3amila, ra7 nfda7ek' → 'ي عميله، رح نفدحك' (approximate; see the module docstring)."""
    return arabizi_with_offsets(text)[0]


def arabizi_with_offsets(text: str) -> tuple[str, list[int]]:
    return _transliterate(text, _ARABIZI_RULES, drop="aeo", final={"a": "ه", "e": "ه"})


def finglish_to_persian(text: str) -> str:
    """'hame bayad report konim' → 'هامه باياد رپرت كنيم' (approximate; see the module docstring)."""
    return finglish_with_offsets(text)[0]


def finglish_with_offsets(text: str) -> tuple[str, list[int]]:
    return _transliterate(text, _FINGLISH_RULES, drop="eo", final={"e": "ه", "o": "و"})
