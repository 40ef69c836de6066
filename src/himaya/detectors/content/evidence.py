"""The lexicon layer and the personal-data layer for one message: scores per label, and the spans
in the original text that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field

from himaya.detectors.content.doxing import doxing_score, find_personal_data
from himaya.detectors.content.lexicon import Hit, Lexicon, Token, tokenize
from himaya.nlp.langid import LanguageGuess
from himaya.nlp.normalize import normalize, normalize_with_offsets, repair_surrogates
from himaya.nlp.translit import arabizi_with_offsets, finglish_with_offsets


@dataclass(frozen=True)
class Span:
    label: str
    start: int       # indices into the message as given (code points), end exclusive
    end: int
    text: str
    source: str      # "lexicon", "doxing"
    detail: str      # the term and its file, or the kind of personal data

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text, "source": self.source,
                "detail": self.detail}


@dataclass
class Evidence:
    lexicon: dict[str, float] = field(default_factory=dict)   # label → noisy-or of hit weights, damped
    damping: dict[str, float] = field(default_factory=dict)   # label → counter-speech factor (1.0 when none)
    doxing: float = 0.0
    spans: list[Span] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _lexicon_languages(guess: LanguageGuess) -> list[str]:
    langs = [guess.base]
    # Arabizi and Finglish writers mix in English, and quote abuse in English sentences ("they keep writing …").
    if ((guess.mixed and "latn" in guess.scripts) or guess.script == "latn") and guess.base != "en":
        langs.append("en")
    if guess.mixed and "arab" in guess.scripts and guess.base == "en":
        langs.extend(["ar", "fa"])
    return langs


def _hits(lexicon: Lexicon, form: str, tokens: list[Token], guess: LanguageGuess) -> list[tuple[Hit, list[int] | None]]:
    """Hits in the matching form; for chat alphabets also in its transliteration (with offsets back to the form)."""
    found: list[tuple[Hit, list[int] | None]] = []
    for lang in _lexicon_languages(guess):
        terms = lexicon.terms.get(lang)
        if terms is not None:
            found.extend((h, None) for h in terms.find(form, tokens))
    if guess.language in ("ar-Latn", "fa-Latn"):
        translit, offsets = (arabizi_with_offsets if guess.language == "ar-Latn" else finglish_with_offsets)(form)
        terms = lexicon.terms.get(guess.base)
        if terms is not None:
            found.extend((h, offsets) for h in terms.find(translit))
    return found


def collect(lexicon: Lexicon, text: str, guess: LanguageGuess, *, with_spans: bool = True,
            form: str | None = None) -> Evidence:
    """Lexicon and personal-data evidence; ``form`` is ``normalize(text)`` when the caller has it."""
    text = repair_surrogates(text)
    ev = Evidence()
    personal = find_personal_data(text)
    if guess.supported:
        form = normalize(text) if form is None else form
        tokens = tokenize(form)
        hits = _hits(lexicon, form, tokens, guess)
        allow_hits: list[Hit] = []
        for lang in _lexicon_languages(guess):
            allow_set = lexicon.allow_sets.get(lang)
            if allow_set is not None:
                allow_hits.extend(allow_set.find(form, tokens))
        if hits:
            _score_hits(lexicon, text, form, hits, allow_hits, guess, ev, with_spans)
    cue = ev.lexicon.get("doxing", 0.0)
    ev.doxing = doxing_score(text, personal, cue)
    if personal:
        ev.reasons.extend(f"personal data: {p.detail}" for p in personal[:5])
        if with_spans:
            ev.spans.extend(Span("doxing", p.start, p.end, text[p.start:p.end], "doxing", p.detail) for p in personal)
    return ev


def _allow_entry(lexicon: Lexicon, guess: LanguageGuess, hit: Hit) -> tuple[str, float, frozenset[str]]:
    for lang in _lexicon_languages(guess):
        for a in lexicon.allow.get(lang, ()):
            if a.tokens == hit.entry.tokens and a.kind == hit.entry.label:
                return a.kind, a.factor, a.labels
    return hit.entry.label, hit.entry.weight, frozenset()


def _score_hits(lexicon: Lexicon, text: str, form: str, hits: list[tuple[Hit, list[int] | None]],
                allow_hits: list[Hit], guess: LanguageGuess, ev: Evidence, with_spans: bool) -> None:
    reclaimed: list[tuple[int, int, frozenset[str]]] = []
    for ah in allow_hits:
        kind, factor, labels = _allow_entry(lexicon, guess, ah)
        if kind == "reclaimed":
            reclaimed.append((ah.start, ah.end, labels))
            for label in labels:  # the model learnt the word as a slur: it must not flag the reclaimed use either
                ev.damping[label] = min(ev.damping.get(label, 1.0), 0.3)
            ev.reasons.append(f"reclaimed use {ah.entry.term!r}: not counted as abuse")
        else:
            for label in labels:
                ev.damping[label] = min(ev.damping.get(label, 1.0), factor)
            ev.reasons.append(f"counter-speech marker {ah.entry.term!r}: lexicon scores x{factor}")
    offsets: list[int] | None = None
    seen: set[tuple[str, str]] = set()
    remaining: dict[str, float] = {}
    for hit, translit_offsets in hits:
        start, end = hit.start, hit.end
        if translit_offsets is not None:
            start, end = translit_offsets[start], translit_offsets[end - 1] + 1
        label = hit.entry.label
        if any(s <= start < e and label in labels for s, e, labels in reclaimed):
            continue
        key = (label, hit.entry.term)
        if key not in seen:
            seen.add(key)
            remaining[label] = remaining.get(label, 1.0) * (1.0 - hit.entry.weight)
            ev.reasons.append(f"{label}: {hit.entry.term!r} ({hit.entry.source}{': ' + hit.entry.note if hit.entry.note else ''})")
        if with_spans:
            if offsets is None:
                offsets = normalize_with_offsets(text)[1]
            o_start, o_end = offsets[start], offsets[end - 1] + 1
            ev.spans.append(Span(label, o_start, o_end, text[o_start:o_end], "lexicon",
                                 f"{hit.entry.term} ({hit.entry.source})"))
    for label, rest in remaining.items():
        ev.lexicon[label] = (1.0 - rest) * ev.damping.get(label, 1.0)
