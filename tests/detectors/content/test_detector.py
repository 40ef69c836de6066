"""The detector as one interface: labels, scores, spans, model version; bad input handled."""

from __future__ import annotations

import tomllib

import pytest

from himaya.detectors.content.detector import ContentDetector
from himaya.detectors.content.evaluation import CURATED, curated
from himaya.detectors.content.taxonomy import LABELS


def test_result_shape(detector: ContentDetector) -> None:
    (r,) = detector.classify(["هقتلك يا بنت الكلب"], ["m1"])
    data = r.to_json()
    assert list(data) == ["id", "language", "labels", "flagged", "spans"]
    assert data["id"] == "m1" and data["language"] == "ar"
    assert set(data["labels"]) == set(LABELS) and all(0.0 <= v <= 1.0 for v in data["labels"].values())
    assert "threat_of_violence" in data["flagged"]
    assert r.model_version == detector.version and "model-" in detector.version and "lex-" in detector.version
    threat = [s for s in r.spans if s.label == "threat_of_violence"]
    assert threat and threat[0].text == "هقتلك"


def test_spans_point_into_the_original_through_normalisation(detector: ContentDetector) -> None:
    text = "يا ناس… هـــقـتـلـهـا والله"
    (r,) = detector.classify([text])
    span = next(s for s in r.spans if s.label == "threat_of_violence")
    assert text[span.start:span.end] == span.text and "ق" in span.text


def test_arabizi_span_maps_back_to_latin(detector: ContentDetector) -> None:
    text = "ya 3amila, ra7 nfda7ek 3al kel el mawa9e3"
    (r,) = detector.classify([text])
    assert r.language.language == "ar-Latn" and "threat_of_violence" in r.flagged
    assert all(text[s.start:s.end] == s.text for s in r.spans)


def test_curated_sentences_all_pass(detector: ContentDetector) -> None:
    result = curated(detector)
    assert result["failures"] == [], result["failures"]
    assert result["cases"] == len(tomllib.loads(CURATED.read_text(encoding="utf-8"))["case"])


def test_counter_speech_damps(detector: ContentDetector) -> None:
    abuse, rebuttal = detector.classify(["شو يعني جندر؟ يعني شذوذ", "الجندر يعني المساواة في الحقوق، وليس يعني شذوذ"])
    assert abuse.labels["defamation_narrative"] > rebuttal.labels["defamation_narrative"]


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "🤬"])
def test_empty_and_emoji_only(detector: ContentDetector, text: str) -> None:
    (r,) = detector.classify([text])
    assert r.language.language == "und" and r.flagged == [] and r.labels == {}


def test_unsupported_language_is_said(detector: ContentDetector) -> None:
    (r,) = detector.classify(["Je vais te tuer, sale traîtresse"])
    assert r.language.language == "unsupported" and r.note == "unsupported language" and r.labels == {}


def test_unsupported_language_still_checks_personal_data(detector: ContentDetector) -> None:
    (r,) = detector.classify(["Voici son numéro: +964 770 000 0123 et son adresse mail: rim@example.org"])
    assert r.flagged == ["doxing"] and r.language.language == "unsupported"


def test_a_lone_number_is_shown_not_flagged(detector: ContentDetector) -> None:
    (r,) = detector.classify(["\u202a+964 780 000 0272\u202c left"])  # a WhatsApp system line
    assert "doxing" not in r.flagged and r.labels.get("doxing", 0) > 0


def test_huge_message_mixed_scripts_and_surrogates(detector: ContentDetector) -> None:
    huge = ("كلام عادي جدا " * 7_000)[:99_000] + " هقتلك "
    mixed = "هذه عميلة foreign agent paid by the embassy, هقتلها"
    broken = "kill you \ud800 now"
    r_huge, r_mixed, r_broken = detector.classify([huge, mixed, broken])
    assert "threat_of_violence" in r_huge.flagged  # the lexicon reads all of it
    assert next(s for s in r_huge.spans if s.label == "threat_of_violence").start > 98_000
    assert r_mixed.language.mixed and {"threat_of_violence", "defamation_narrative"} <= set(r_mixed.flagged)
    assert "threat_of_violence" in r_broken.flagged


def test_batch_keeps_input_order(detector: ContentDetector) -> None:
    texts = ["hello there friend", "هقتلك", "", "Bonjour à tous"]
    results = detector.classify(texts, ["a", "b", "c", "d"])
    assert [r.id for r in results] == ["a", "b", "c", "d"]
    assert [r.language.language for r in results] == ["en", "ar", "und", "unsupported"]
