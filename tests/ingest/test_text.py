"""Text rules (formats README §0.3, §1.4; SECURITY.md T30): mojibake repair, normalisation, hostile names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from himaya.ingest.text import (
    BIDI_CONTROLS,
    extract_hashtags,
    extract_mentions,
    for_display,
    normalise,
    repair_mojibake,
    unsafe_flags,
)

ZWNJ, ZWJ = "\u200c", "\u200d"
ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + [chr(c) for c in range(0x064B, 0x0653)] + list("٠١٢٣٤٥٦٧٨٩،؛؟")
PERSIAN = list("پچژگکیۀ") + [chr(c) for c in range(0x06F0, 0x06FA)] + [ZWNJ]
LATIN_LETTERS = list("abcxyzABCXYZ0129 .,;:!?'\"-_/()@#\n") + [chr(c) for c in range(0xC0, 0x100)] + list("őłşžřŒœ")
LATIN_SYMBOLS = [chr(c) for c in range(0xA0, 0xC0)]  # ° « » © ¿ …: the UTF-8 continuation-byte range as Latin-1
EMOJI = ["😀", "👩", "🏽", "⚖", "\ufe0f", "❤", "🇮", "🇷", "✊", ZWJ]

arabic_persian = st.text(alphabet=st.sampled_from(ARABIC + PERSIAN + [" ", ZWJ]), min_size=1)
latin = st.text(alphabet=st.sampled_from(LATIN_LETTERS + LATIN_SYMBOLS), min_size=1)
latin_letters = st.text(alphabet=st.sampled_from(LATIN_LETTERS), min_size=1)
emoji = st.text(alphabet=st.sampled_from(EMOJI + list("ab ")), min_size=1)
mixed = st.text(alphabet=st.sampled_from(ARABIC + PERSIAN + LATIN_LETTERS + LATIN_SYMBOLS + EMOJI), min_size=1)
# Strings no single decoding step can shorten: anything with a character above U+00FF, or Latin-1
# letters without the U+0080–U+00BF range that UTF-8 continuation bytes fall on.
realistic = st.one_of(arabic_persian, latin_letters, emoji,
                      st.text(alphabet=st.sampled_from(ARABIC + PERSIAN + LATIN_LETTERS + EMOJI), min_size=1))


def mangle(s: str) -> str:
    """What Meta's exports do to text: UTF-8 bytes written out as if each were a Latin-1 character."""
    return s.encode("utf-8").decode("latin-1")


# ---------------------------------------------------------------------------------------------
# repair_mojibake
# ---------------------------------------------------------------------------------------------

@settings(max_examples=2000, deadline=None, database=None)
@given(s=st.one_of(arabic_persian, latin, emoji, mixed))
@example(s="می\u200cدانیم")
@example(s="👩🏽\u200d⚖\ufe0f")
@example(s="Évelyne « CITÉ »")
@example(s="#فضح_ريحانة")
def test_repair_undoes_meta_mangling(s: str) -> None:
    assert repair_mojibake(mangle(s)) == (s, True)


@settings(max_examples=2000, deadline=None, database=None)
@given(s=realistic, mangled=st.booleans())
@example(s="ريحانة", mangled=True)
@example(s="Ø", mangled=False)
def test_repair_is_idempotent(s: str, mangled: bool) -> None:
    x = mangle(s) if mangled else s
    once = repair_mojibake(x)[0]
    assert repair_mojibake(once)[0] == once


def test_idempotence_limit_is_the_known_ambiguity() -> None:
    """Latin-1-only text that happens to be valid UTF-8 bytes is indistinguishable from mojibake:
    'CITÉ»' is both French and the mangled form of 'CITɻ'. One step is undone, as documented."""
    assert repair_mojibake(mangle("CITÉ»")) == ("CITÉ»", True)
    assert repair_mojibake("CITÉ»") == ("CITɻ", True)


@pytest.mark.parametrize("s", ["سلام", "گزارش", "café", "👩🏽\u200d⚖\ufe0f"])
def test_lone_lead_byte_returns_input_and_not_ok(s: str) -> None:
    broken = mangle(s)[:-1]  # the last character's final byte is lost
    assert repair_mojibake(broken) == (broken, False)
    cut_then_text = mangle(s) + "Ø"  # a lead byte with nothing after it
    assert repair_mojibake(cut_then_text) == (cut_then_text, False)


def test_repair_leaves_correct_and_ascii_text_alone() -> None:
    for s in ("", "plain ascii", "ريحانة", "می\u200cدانیم", "👍", "naïve ☕"):
        assert repair_mojibake(s) == (s, True)
    assert repair_mojibake("Ø") == ("Ø", False)  # Latin-1 that is not UTF-8: flagged, never lost


# ---------------------------------------------------------------------------------------------
# normalise / unsafe_flags / for_display
# ---------------------------------------------------------------------------------------------

STRIPPED = [*sorted(BIDI_CONTROLS), "\x00"]


@settings(max_examples=2000, deadline=None, database=None)
@given(parts=st.lists(st.one_of(mixed, st.sampled_from([*STRIPPED, ZWNJ, ZWJ])), max_size=12))
@example(parts=["می", ZWNJ, "دانیم", "\u202e", "\ufeff", "\x00"])
def test_normalise_drops_bidi_bom_nul_and_keeps_joiners(parts: list[str]) -> None:
    s = "".join(parts)
    out = normalise(s)
    assert not set(out) & set(STRIPPED)
    assert out.count(ZWNJ) == s.count(ZWNJ) and out.count(ZWJ) == s.count(ZWJ)
    assert out == unicodedata.normalize("NFC", "".join(c for c in s if c not in STRIPPED))
    assert normalise(out) == out


def test_normalise_examples() -> None:
    assert normalise("\ufeffمی\u200cدانیم") == "می\u200cدانیم"
    assert normalise("👩🏽\u200d⚖\ufe0f") == "👩🏽\u200d⚖\ufe0f"
    assert normalise("\u202erayhana\u202c") == "rayhana"
    assert normalise("a\x00b\u2066c\u2069\u200e") == "abc"
    assert normalise("cafe\u0301") == "caf\u00e9"


@pytest.mark.parametrize(("name", "flag"), [
    ("\u202eanahyar", "bidi_override"),
    ("rayhana\u202d", "bidi_override"),
    ("\u2066rayhana\u2069", "bidi_control"),
    ("ray\u2067hana", "bidi_control"),
    ("ray\u2068hana", "bidi_control"),
    ("rayhana\u2069", "bidi_control"),
    ("\u200erayhana", "bidi_control"),
    ("ray\u200bhana", "zero_width"),
    ("\ufeffrayhana", "zero_width"),
    ("ray\u2060hana", "zero_width"),
    ("ray\x1bhana", "control_char"),
])
def test_unsafe_flags_detect_spoofing_characters(name: str, flag: str) -> None:
    assert flag in unsafe_flags(name)


@pytest.mark.parametrize("name", [None, "", "rayhana.collective.sample", "ريحانة", "می\u200cدانیم",
                                  "👩🏽\u200d⚖\ufe0f", "Dana Example\n"])
def test_unsafe_flags_leave_ordinary_names_alone(name: str | None) -> None:
    assert unsafe_flags(name) == ()


@settings(max_examples=2000, deadline=None, database=None)
@given(s=st.text())
@example(s="\x1b[31mred\u202e\u2066\u0000\u200b\u2028\n")
def test_for_display_shows_no_raw_control_or_format_characters(s: str) -> None:
    out = for_display(s)
    for c in out:
        assert c in (ZWNJ, ZWJ) or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co"), repr(c)
    assert out.count(ZWNJ) == s.count(ZWNJ) and out.count(ZWJ) == s.count(ZWJ)


def test_for_display_examples() -> None:
    assert for_display("\u202eevil") == "<U+202E>evil"
    assert for_display("a\nb\x1b") == "a<U+000A>b<U+001B>"
    assert for_display("می\u200cدانیم") == "می\u200cدانیم"
    assert for_display("plain") == "plain"


# ---------------------------------------------------------------------------------------------
# hashtags and mentions
# ---------------------------------------------------------------------------------------------

def test_campaign_hashtags_stay_whole() -> None:
    text = "ابلغوا عن الحساب #فضح_ريحانة، #گزارش_کنید! همه #می\u200cدانیم #فضح_ريحانة"
    assert extract_hashtags(text) == ("فضح_ريحانة", "گزارش_کنید", "می\u200cدانیم")


@pytest.mark.parametrize(("text", "tags"), [
    ("#فضح_ريحانة", ("فضح_ريحانة",)),
    ("#گزارش_کنید.", ("گزارش_کنید",)),
    ("(#گزارش_کنید)", ("گزارش_کنید",)),
    ("#ريحَانة", ("ريحَانة",)),  # a harakat (combining mark) inside the tag
    ("＃فضح_ريحانة", ("فضح_ريحانة",)),
    ("a#b c#d", ()),
    ("#123 #2025", ()),
    ("&#1234;", ()),
    ("#Rayhana #rayhana", ("Rayhana", "rayhana")),
    ("", ()),
])
def test_hashtag_examples(text: str, tags: tuple[str, ...]) -> None:
    assert extract_hashtags(text) == tags


TAG_CHARS = [c for c in ARABIC + PERSIAN if c.isalpha()] + ["_"]


@settings(max_examples=500, deadline=None, database=None)
@given(tag=st.text(alphabet=st.sampled_from(TAG_CHARS), min_size=1, max_size=20).filter(lambda t: t.strip("_")),
       before=st.sampled_from(["", " ", "\n", "، ", "ابلغوا "]), after=st.sampled_from(["", " ", "،", "!", ".", "\n"]))
def test_any_arabic_or_persian_tag_is_kept_whole(tag: str, before: str, after: str) -> None:
    assert extract_hashtags(f"{before}#{tag}{after}") == (tag,)


def test_mentions() -> None:
    text = "@Rayhana.Collective.sample و @dana_example. راسلوا email@example.com @layla @layla"
    assert extract_mentions(text) == ("rayhana.collective.sample", "dana_example", "layla")
    assert extract_mentions("") == ()
