from __future__ import annotations

import pytest

from himaya.detectors.content.doxing import doxing_score, find_personal_data, iran_national_code_valid


@pytest.mark.parametrize(("text", "region"), [
    ("رقمها +964 770 000 0123", "IQ"), ("شماره‌اش ۰۹۱۲۳۴۵۶۷۸۹", "IR"), ("call 0020 100 123 4567", "EG"),
    ("رقمها 0791234567", "JO"), ("رقمها 0501234567", "SA"), ("her number +971 50 123 4567", "AE"),
    ("رقمها +965 5012 3456", "KW"), ("رقمها +974 3312 3456", "QA"), ("رقمها +961 3 123 456", "LB"),
    ("رقمها +963 944 123 456", "SY"), ("رقمها +973 3600 1234", "BH"), ("رقمها +968 9212 3456", "OM"),
])
def test_phone_numbers_of_the_region(text: str, region: str) -> None:
    found = [p for p in find_personal_data(text) if p.kind == "phone"]
    assert len(found) == 1 and region in found[0].detail


def test_iran_national_code_checksum() -> None:
    assert iran_national_code_valid("0013542419")
    assert not iran_national_code_valid("0013542418")
    assert not iran_national_code_valid("1111111111")
    kinds = {p.kind for p in find_personal_data("کد ملی ۰۰۱۳۵۴۲۴۱۹")}
    assert "national_id" in kinds
    assert "national_id" not in {p.kind for p in find_personal_data("کد ملی ۰۰۱۳۵۴۲۴۱۸")}


def test_email_coordinates_plates_addresses() -> None:
    text = "mail a.b@example.org at 35.6892, 51.3890 plate ۱۲ ب ۳۴۵ ۶۷ خیابان آزادی کوچه ۵, near the mosque al-noor"
    kinds = {p.kind for p in find_personal_data(text)}
    assert {"email", "coordinates", "car_plate", "address", "landmark"} <= kinds


def test_spans_index_the_original_text() -> None:
    text = "اتصلوا بها: +964 770 000 0123"
    (phone,) = find_personal_data(text)
    assert text[phone.start:phone.end] == "+964 770 000 0123"


def test_not_personal_data() -> None:
    assert find_personal_data("we had 1234567 views and met on 2024-01-15 at 12:30") == []
    assert doxing_score("x", [], 0.0) == 0.0


def test_score_rises_when_tied_to_her() -> None:
    bare = "+964 770 000 0123"
    tied = "هذا رقمها +964 770 000 0123"
    assert doxing_score(tied, find_personal_data(tied), 0.7) > doxing_score(bare, find_personal_data(bare), 0.0)
