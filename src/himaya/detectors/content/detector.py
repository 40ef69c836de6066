"""``ContentDetector``: one interface over the three layers (lexicon, shipped model, optional transformer)
and the personal-data finder, giving each message one calibrated score per label and the spans behind it.

Combination per label: the model's logit and the lexicon score go through the label's calibration
(a logistic fit on validation data), and the lexicon score is a floor under the result: a curated
death threat is never argued down by a model that has seen few threats. A transformer, when given,
replaces the shipped model for the labels its config names. Counter-speech markers damp the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.content.evidence import Evidence, Span, collect
from himaya.detectors.content.features import featurize, model_form
from himaya.detectors.content.lexicon import Lexicon, load_lexicon
from himaya.detectors.content.model import LinearModel, load_model
from himaya.detectors.content.taxonomy import LABELS, SEVERITY, THREAT_LABELS
from himaya.nlp.langid import LanguageGuess, identify
from himaya.nlp.normalize import normalize, repair_surrogates

# Every score shares one operating point: the model's is aligned to it, lexicon weights are written for it.
# Threat labels sit a little lower, for recall.
DEFAULT_THRESHOLD = 0.5
THREAT_THRESHOLD = 0.45


@dataclass
class ContentResult:
    id: str
    language: LanguageGuess
    labels: dict[str, float]
    flagged: list[str]
    spans: list[Span]
    reasons: list[str]
    model_version: str
    note: str | None = None
    layers: dict[str, dict[str, float]] = field(default_factory=dict)  # raw per-layer scores, kept for audit

    @property
    def score(self) -> float:
        return max((self.labels[label] for label in self.flagged), default=0.0)

    def to_json(self) -> dict[str, Any]:
        """The stable `himaya classify --json` object."""
        return {"id": self.id, "language": self.language.language,
                "labels": {k: round(v, 4) for k, v in self.labels.items()}, "flagged": self.flagged,
                "spans": [s.to_json() for s in self.spans]}


class ContentDetector:
    """Harmful content in Arabic (script and Arabizi), Persian (script and Finglish) and English."""

    name = "content"

    def __init__(self, lexicon: Lexicon | None = None, model: LinearModel | None = None,
                 transformer: Any | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.model = model or load_model()
        self.transformer = transformer
        self.spec: DetectorSpec | None = None  # set by load_detector; lets `detect content --workers` rebuild it

    @property
    def version(self) -> str:
        parts = ["content-1", self.lexicon.version, self.model.version]
        if self.transformer is not None:
            parts.append(self.transformer.version)
        return "+".join(parts)

    def threshold(self, label: str) -> float:
        """Model scores are aligned so each label's chosen operating point is 0.5 (see LinearModel.aligned)."""
        return THREAT_THRESHOLD if label in THREAT_LABELS else DEFAULT_THRESHOLD

    def classify(self, texts: Sequence[str], ids: Sequence[str] | None = None, *, with_spans: bool = True) -> list[ContentResult]:
        texts = [repair_surrogates(t) for t in texts]
        ids = list(ids) if ids is not None else [str(i + 1) for i in range(len(texts))]
        guesses = [identify(t) for t in texts]
        forms = [normalize(t) for t in texts]  # once per message: the lexicon and the model share it
        evidence = [collect(self.lexicon, t, g, with_spans=with_spans, form=f)
                    for t, g, f in zip(texts, guesses, forms, strict=True)]
        supported = [i for i, g in enumerate(guesses) if g.supported]
        model_scores = self._model_scores([texts[i] for i in supported], [forms[i] for i in supported],
                                          [guesses[i] for i in supported], [evidence[i] for i in supported])
        results = []
        row_of = {i: r for r, i in enumerate(supported)}
        columns = {k: v.tolist() for k, v in model_scores.items()}  # Python floats, the same values as float(v[row])
        version = self.version
        for i, (text_id, guess, ev) in enumerate(zip(ids, guesses, evidence, strict=True)):
            row = row_of.get(i)
            results.append(self._result(text_id, guess, ev, None if row is None else {k: v[row] for k, v in columns.items()},
                                        version))
        return results

    def _model_scores(self, texts: list[str], forms: list[str], guesses: list[LanguageGuess],
                      evidence: list[Evidence]) -> dict[str, np.ndarray]:
        if not texts:
            return {}
        scores: dict[str, np.ndarray] = {}
        logits = self.model.logits(featurize([model_form(f, g.language) for f, g in zip(forms, guesses, strict=True)]))
        for j, label in enumerate(self.model.heads):
            lex = np.array([ev.lexicon.get(label, 0.0) for ev in evidence], dtype=np.float64)
            cal = self.model.calibration.get(label)
            raw = logits[:, j].astype(np.float64)
            probability = cal.apply(raw, lex) if cal else 1.0 / (1.0 + np.exp(-raw))
            scores[label] = self.model.aligned(label, probability)
        if self.transformer is not None:
            probs = self.transformer.predict(texts)
            for j, label in enumerate(self.transformer.labels):
                scores[label] = probs[:, j].astype(np.float64)
        return scores

    def _result(self, text_id: str, guess: LanguageGuess, ev: Evidence, model: dict[str, float] | None,
                version: str) -> ContentResult:
        labels: dict[str, float] = {}
        lexicon, damping, model_score = ev.lexicon.get, ev.damping.get, (model or {}).get
        for label in LABELS:
            score = max(lexicon(label, 0.0), model_score(label, 0.0) * damping(label, 1.0))
            if label == "doxing":
                score = max(score, ev.doxing)
            labels[label] = float(min(1.0, max(0.0, score)))
        note = None
        if not guess.supported:
            note = "unsupported language" if guess.language == "unsupported" else "no text to judge"
            labels = {"doxing": labels["doxing"]} if ev.doxing else {}
        flagged = sorted((lab for lab, s in labels.items() if s >= self.threshold(lab)),
                         key=lambda lab: (-SEVERITY[lab], -labels[lab]))
        reasons = list(ev.reasons)
        if model:
            reasons.extend(f"{lab}: model {model[lab]:.2f}" for lab in flagged if lab in model)
        spans = sorted((s for s in ev.spans if s.label in flagged or s.source == "doxing"), key=lambda s: (s.start, s.end))
        return ContentResult(text_id, guess, labels, flagged, spans, reasons, version, note,
                             {"lexicon": dict(ev.lexicon), "model": dict(model or {}), "doxing": {"doxing": ev.doxing}})


@dataclass(frozen=True)
class DetectorSpec:
    """What to load: enough to build the same detector again in a worker process."""

    lexicon_dirs: tuple[Path, ...] = ()
    model_dir: Path | None = None
    model_name: str | None = None
    transformer_dir: Path | None = None


def load_detector(lexicon_dirs: Sequence[Path] = (), model_dir: Path | None = None, model_name: str | None = None,
                  transformer_dir: Path | None = None) -> ContentDetector:
    """The shipped detector, with an organisation's lexicon directories, model or transformer when given."""
    lexicon = load_lexicon(lexicon_dirs)
    model = load_model(model_dir, model_name) if model_dir is not None and model_name else load_model()
    transformer = None
    if transformer_dir is not None:
        from himaya.detectors.content.transformer import TransformerBackend

        transformer = TransformerBackend(transformer_dir)
    detector = ContentDetector(lexicon, model, transformer)
    detector.spec = DetectorSpec(tuple(lexicon_dirs), model_dir, model_name, transformer_dir)
    return detector
