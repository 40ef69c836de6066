from __future__ import annotations

from himaya.nlp.translit import arabizi_to_arabic, arabizi_with_offsets, finglish_to_persian


def test_arabizi_digits_become_letters() -> None:
    out = arabizi_to_arabic("3amila ra7 mawa9e3")
    assert out.split() == ["عميله", "رح", "موقع"]


def test_finglish_digraphs() -> None:
    out = finglish_to_persian("khoda shoma")
    assert out.startswith("خ") and "ش" in out


def test_offsets_point_to_source_letters() -> None:
    text = "ya 3amila"
    out, offsets = arabizi_with_offsets(text)
    assert len(out) == len(offsets)
    i = out.index("ع")
    assert text[offsets[i]] == "3"


def test_numbers_stay_numbers() -> None:
    assert "2019" in arabizi_to_arabic("sana 2019")
