"""The curated lexicon: files load, terms match their variants, the allow-list works, bad files are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from himaya.detectors.content.lexicon import LexiconError, load_lexicon
from himaya.detectors.content.taxonomy import LABELS
from himaya.nlp.normalize import normalize


def _labels(lexicon, lang: str, text: str) -> set[str]:
    return {h.entry.label for h in lexicon.terms[lang].find(normalize(text))}


def test_every_shipped_file_loads_with_a_version() -> None:
    lexicon = load_lexicon()
    assert lexicon.version.startswith("lex-")
    for lang in ("ar", "fa", "en"):
        assert {e.label for e in lexicon.terms[lang].entries} == set(LABELS)
    assert all(0 < e.weight <= 1 for t in lexicon.terms.values() for e in t.entries)


def test_variants_wildcards_and_clitics() -> None:
    lexicon = load_lexicon()
    assert "threat_of_violence" in _labels(lexicon, "ar", "هـقتلها")          # wildcard, tatweel
    assert "threat_of_violence" in _labels(lexicon, "ar", "وهقتلك")           # proclitic و
    assert "incitement" in _labels(lexicon, "ar", "يجب سحب جنسيتك")
    assert "threat_of_violence" in _labels(lexicon, "fa", "می کشیمت")          # preverb written apart
    assert "threat_of_violence" in _labels(lexicon, "fa", "می‌کشیمت")          # with ZWNJ
    assert "threat_of_violence" in _labels(lexicon, "en", "I will KIIIILL you")
    assert "threat_of_violence" in _labels(lexicon, "en", "k i l l you")


def test_no_match_inside_other_words() -> None:
    lexicon = load_lexicon()
    assert _labels(lexicon, "en", "skills you need") == set()
    assert "sexual_harassment" not in _labels(lexicon, "ar", "كسر الزجاج")     # كس inside كسر


def test_organisation_files_extend_the_lexicon(tmp_path: Path) -> None:
    (tmp_path / "ar").mkdir()
    (tmp_path / "ar" / "insult.toml").write_text(
        'version = "org-1"\n[[group]]\nweight = 0.8\nnote = "local slur"\nterms = ["زعطوط*"]\n', encoding="utf-8")
    lexicon = load_lexicon([tmp_path])
    assert lexicon.version != load_lexicon().version
    assert "insult" in _labels(lexicon, "ar", "يا زعطوطه")


@pytest.mark.parametrize(("name", "body", "message"), [
    ("insult.toml", "[[group]]\nweight = 3\nterms = ['x']\n", "outside 0..1"),
    ("insult.toml", "[[group]]\nterms = ['x']\n", "needs 'weight'"),
    ("insult.toml", "[[group\n", "cannot read lexicon file"),
    ("slurs.toml", "", "file name must be a label"),
    ("insult.toml", "[[group]]\nweight = 0.5\nterms = ['!!!']\n", "no letters"),
    ("allow.toml", "[[counter_speech]]\nlabels = ['nope']\nterms = ['x']\n", "unknown labels"),
])
def test_bad_files_are_named(tmp_path: Path, name: str, body: str, message: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / name).write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        load_lexicon([tmp_path])
    assert name in str(exc.value) and message in str(exc.value)


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="does not exist"):
        load_lexicon([tmp_path / "nope"])
