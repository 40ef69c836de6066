"""Which writing systems a message uses: Arabic script, Latin, others; none at all for emoji-only text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=4096)
def script_of(char: str) -> str:
    """"arab", "latn" or "other" for a letter; "" for anything that is not a letter."""
    if not char.isalpha():
        return ""
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF or 0xFB50 <= code <= 0xFDFF \
            or 0xFE70 <= code <= 0xFEFF:
        return "arab"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A:
        return "latn"
    name = unicodedata.name(char, "")
    return "latn" if name.startswith("LATIN") else "other"


@dataclass(frozen=True)
class ScriptProfile:
    arab: int
    latn: int
    other: int

    @property
    def letters(self) -> int:
        return self.arab + self.latn + self.other

    @property
    def dominant(self) -> str:
        """"arab", "latn", "other", or "none" when the text has no letters (emoji, digits, punctuation)."""
        arab, latn, other = self.arab, self.latn, self.other
        if not arab + latn + other:
            return "none"
        if arab >= latn and arab >= other:  # a tie goes to the script named first
            return "arab"
        return "latn" if latn >= other else "other"

    @property
    def mixed(self) -> bool:
        """More than one script with a real share of the letters (a lone foreign word does not count)."""
        real = max(3, self.letters * 0.2)
        return (self.arab >= real) + (self.latn >= real) + (self.other >= real) > 1

    @property
    def scripts(self) -> list[str]:
        return [name for name, n in (("arab", self.arab), ("latn", self.latn), ("other", self.other)) if n]


# Runs, not single characters: summing the lengths of a few runs is cheaper than listing every letter.
_LETTERS = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]+")


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def profile(text: str) -> ScriptProfile:
    """Letter counts per script (regex counts in C: this runs on every message)."""
    letters = _count(_LETTERS, text)
    if not letters:
        return ScriptProfile(0, 0, 0)
    if text.isascii():  # ASCII letters are A-Z and a-z: all Latin
        return ScriptProfile(0, letters, 0)
    arab = _count(_ARABIC, text)
    latn = _count(_LATIN, text)
    # Arabic-block digits and punctuation are not letters; keep the counts consistent with `letters`.
    arab = min(arab, letters)
    return ScriptProfile(arab, min(latn, letters - arab), max(0, letters - arab - latn))
