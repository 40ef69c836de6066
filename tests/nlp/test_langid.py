from __future__ import annotations

import pytest

from himaya.nlp.langid import identify
from himaya.nlp.script import profile


@pytest.mark.parametrize(("text", "language"), [
    ("شو يعني جندر؟ يعني شذوذ، وبدكن تخربوا ولادنا", "ar"),
    ("شكو عدچ ويه السفارة كل يوم؟ ترا نعرف بيتچ وين", "ar"),  # Iraqi, with Persian-looking چ
    ("جنسیت یعنی همجنس‌گرایی؛ می‌خواهند بچه‌های ما را منحرف کنند.", "fa"),
    ("We have your photos. Delete the page or everyone sees them.", "en"),
    ("ya 3amila, ra7 nfda7ek 3al kel el mawa9e3", "ar-Latn"),
    ("in safhe jasoose kharejie, hame bayad report konim!!", "fa-Latn"),
    ("they keep writing \"3amila\" in Arabizi so filters miss it", "en"),
])
def test_supported(text: str, language: str) -> None:
    assert identify(text).language == language


@pytest.mark.parametrize("text", ["Bonjour tout le monde, comment ça va", "Привет, как дела у тебя сегодня",
                                  "یہ ایک اردو جملہ ہے اور یہ پاکستان میں بولی جاتی ہے", "Ich bin ein Berliner und das ist gut"])
def test_unsupported_is_said_not_guessed(text: str) -> None:
    guess = identify(text)
    assert guess.language == "unsupported" and not guess.supported


@pytest.mark.parametrize("text", ["", "😀😀😀", "123 456", "!!!"])
def test_nothing_to_judge(text: str) -> None:
    assert identify(text).language == "und"


def test_mixed_scripts_reported() -> None:
    guess = identify("هذه الناشطة عميلة foreign agent paid by the embassy")
    assert guess.mixed and set(guess.scripts) == {"arab", "latn"}
    assert profile("abc شسي").arab == 3


def test_long_message_is_fast_enough() -> None:
    assert identify("هذا الكلام ليس صحيحا ولكنه جميل جدا " * 3_000).language == "ar"


@pytest.mark.parametrize(("text", "language"), [
    ("respectez les musiques zebi", "ar-Latn"),     # Maghrebi code-switching with French
    ("Tu es une 9a7ba", "ar-Latn"),
    ("la réunion est demain à 10h, merci", "unsupported"),
    ("Hola amigos, la fiesta es mañana", "unsupported"),  # "ma"+"ana" inside mañana is not Arabizi
])
def test_code_switching(text: str, language: str) -> None:
    assert identify(text).language == language


def test_links_and_handles_do_not_outvote_the_sentence() -> None:
    text = "@haqiqa_sample این عکس ساختگی است؛ لطفاً بازنشر نکنید. منبع: https://example.org/a/very/long/path/to/a/page"
    assert identify(text).language == "fa"


def test_script_profile_ties_and_mixing() -> None:
    assert profile("abc شسي").dominant == "arab"  # a tie goes to the script named first
    assert profile("abcd شسي").dominant == "latn"
    assert profile("abc شسي").mixed and not profile("abcdefghijklmnop ش").mixed
    assert profile("12 !!").dominant == "none"
    ascii_only = profile("Hello, world 42")
    assert (ascii_only.arab, ascii_only.latn, ascii_only.other) == (0, 10, 0)
