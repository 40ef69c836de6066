"""The matching form: variants meet, offsets point back into the original."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from himaya.nlp.normalize import normalize, normalize_with_offsets, repair_surrogates


def test_arabic_letter_variants_meet() -> None:
    assert normalize("أحمد إبراهيم آمنة ٱلله") == "احمد ابراهيم امنه الله"
    assert normalize("على") == normalize("علي")
    assert normalize("مدرسة") == normalize("مدرسه")
    assert normalize("مؤمن") == "مومن" and normalize("سئل") == "سيل"


def test_persian_kaf_ya_and_zwnj() -> None:
    assert normalize("می‌خواهم کی") == normalize("ميخواهم كي")
    assert "\u200c" not in normalize("می‌خواهم")


def test_diacritics_tatweel_elongation() -> None:
    assert normalize("مـــــدرسةٌ") == "مدرسه"
    assert normalize("قتلللللك") == "قتلك"
    assert normalize("Kiiiiill YOU") == "kiill you"


def test_obfuscation_split_letters_and_homoglyphs() -> None:
    assert normalize("k.i.l.l you") == "kill you"
    assert normalize("ق ت ل") == "قتل"
    assert normalize("ѕех") == "sex"  # Cyrillic look-alikes
    assert normalize("U.S.A is big") == "usa is big"


def test_digits_of_every_script_become_ascii() -> None:
    assert normalize("٠٩١٢ ۳۴۵") == "0912 345"


def test_bad_input() -> None:
    assert normalize("") == ""
    assert normalize("😀😀") == "😀😀"
    assert normalize("a\ud800b") == "a\ufffdb"
    assert repair_surrogates("\ud83d\ude00") == "😀"  # a valid pair is joined, not replaced
    long = "ا" * 100_000
    assert normalize(long) == "ا"


@given(st.text(max_size=200))
def test_offsets_version_gives_the_same_form_and_valid_indices(text: str) -> None:
    form, offsets = normalize_with_offsets(text)
    assert form == normalize(text)
    assert len(offsets) == len(form)
    assert all(0 <= o < len(text) for o in offsets)
    assert offsets == sorted(offsets)


@given(st.text(alphabet="اأإآىيیكکةهـًٌٍَُِّْ‌ abcKILL.3 ", max_size=60))
def test_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once



@given(st.text(alphabet="اأإآىيیكکةهـًٌٍَُِّْ‌\u200f abcKILL3ﻻﷺßﬁ", max_size=60))
def test_offsets_point_at_the_character_each_output_comes_from(text: str) -> None:
    # Characters that fold to nothing (diacritics, tatweel, ZWNJ) take the fast path; ligatures and
    # ß, which fold to several characters, the per-character one: both point at their source.
    form, offsets = normalize_with_offsets(text)
    for char, source in zip(form, offsets, strict=True):
        assert char == " " or char in normalize(text[source])


def test_offsets_skip_deleted_marks_and_repeat_for_ligatures() -> None:
    assert normalize_with_offsets("قَتَل") == ("قتل", [0, 2, 4])
    assert normalize_with_offsets("ﻻ ب") == ("لا ب", [0, 0, 1, 2])
