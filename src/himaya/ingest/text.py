"""Text rules shared by every parser (formats README §0.3 and §1.4).

The original string is kept as evidence; `normalise` gives the copy detectors read.
"""

from __future__ import annotations

import re
import unicodedata

# Directional formatting characters and BOM: dropped from the normalised copy only.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff")
# Overrides and embeddings can reorder what a reader sees; in a handle or name they are a spoofing trick.
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202d\u202e")
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff")
_STRIP_FOR_NORMAL = BIDI_CONTROLS | frozenset("\x00")
_NORMAL_TABLE = {ord(c): None for c in _STRIP_FOR_NORMAL}
_HANDLE_RE = re.compile(r"[a-z0-9._]{1,30}")


def repair_mojibake(s: str) -> tuple[str, bool]:
    """Undo Meta's UTF-8-escaped-as-Latin-1 encoding.

    Returns (text, ok). `ok` is False when the string looked like mojibake but did not decode
    (a lone lead byte, or Latin-1 text that is not UTF-8): the input is then returned unchanged
    so that nothing is lost, and the caller flags it. Already-correct text (any character above
    U+00FF) is returned unchanged with ok=True, which also makes the repair idempotent.
    """
    if s.isascii():
        return s, True
    try:
        raw = s.encode("latin-1")
    except UnicodeEncodeError:
        return s, True
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return s, False


def normalise(s: str) -> str:
    """NFC with bidi controls, BOMs and NUL removed; ZWNJ and ZWJ are part of the text and stay."""
    return unicodedata.normalize("NFC", s.translate(_NORMAL_TABLE))


def unsafe_flags(s: str | None) -> tuple[str, ...]:
    """Flags for a name or handle that could mislead a reader."""
    if not s:
        return ()
    flags: list[str] = []
    chars = set(s)
    if chars & BIDI_OVERRIDES:
        flags.append("bidi_override")
    elif chars & BIDI_CONTROLS:
        flags.append("bidi_control")
    if chars & ZERO_WIDTH:
        flags.append("zero_width")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in s):
        flags.append("control_char")
    return tuple(flags)


def clean_handle(raw: str) -> str:
    """A handle as platforms write it: no @, no surrounding space, lower case."""
    return raw.strip().lstrip("@").lower()


def valid_instagram_handle(handle: str) -> bool:
    return _HANDLE_RE.fullmatch(handle) is not None


def for_display(s: str) -> str:
    """A one-line, visibly escaped form of hostile text for terminals and logs.

    Control and format characters are shown as <U+XXXX> so that a bidi override or a
    terminal escape in an attacker's name cannot reorder or restyle what the analyst sees.
    ZWNJ/ZWJ are kept: they are legitimate in Persian and in emoji sequences.
    """
    out: list[str] = []
    for c in s:
        cat = unicodedata.category(c)
        if c in "\u200c\u200d":
            out.append(c)
        elif cat in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co") or c in BIDI_CONTROLS:
            out.append(f"<U+{ord(c):04X}>")
        else:
            out.append(c)
    return "".join(out)


# Unicode-aware: letters, marks, digits, underscore and ZWNJ, so `#فضح_ريحانة` and `#گزارش_کنید`
# stay whole (4CAT's regex stops at `_`). A hashtag cannot start right after a word character.
_HASHTAG_RE = re.compile(r"(?<![\w&])[#＃]((?:[^\W]|[\u064b-\u065f\u0670\u06d6-\u06ed\u200c])+)")
_MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.]{1,30})(?<!\.)")


def extract_hashtags(text: str) -> tuple[str, ...]:
    """Hashtags in order of first appearance, without '#', duplicates removed."""
    seen: dict[str, None] = {}
    for m in _HASHTAG_RE.finditer(text or ""):
        tag = m.group(1).strip("\u200c")
        if tag and not tag.isdigit():
            seen.setdefault(tag, None)
    return tuple(seen)


def extract_mentions(text: str) -> tuple[str, ...]:
    """@handles in order of first appearance, lower-cased, without '@'."""
    seen: dict[str, None] = {}
    for m in _MENTION_RE.finditer(text or ""):
        seen.setdefault(m.group(1).lower(), None)
    return tuple(seen)
