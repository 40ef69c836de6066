"""Training the shipped model's heads, calibrating them against the lexicon, choosing thresholds.

Deterministic: liblinear with a fixed seed on a fixed row order, weights rounded to float16 before
calibration so the stored model is exactly the one that was calibrated and evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from himaya.detectors.content.datasets import Example
from himaya.detectors.content.evidence import collect
from himaya.detectors.content.features import N_FEATURES, featurize, model_form
from himaya.detectors.content.lexicon import Lexicon
from himaya.detectors.content.model import Calibration, LinearModel
from himaya.detectors.content.taxonomy import THREAT_LABELS
from himaya.nlp.langid import identify
from himaya.nlp.normalize import normalize

HEADS: tuple[str, ...] = ("insult", "misogyny", "threat_of_violence", "sexual_harassment", "incitement", "anti_lgbtqi_hate")
SEED = 20261205
THREAT_RECALL = 0.9
MAX_THREAT_FLAG_RATE = 0.05


@dataclass(frozen=True)
class TrainConfig:
    seed: int = SEED
    heads: tuple[str, ...] = HEADS
    c: dict[str, float] = field(default_factory=lambda: {"insult": 4.0})
    default_c: float = 2.0


@dataclass
class Prepared:
    """Examples with their features, language guesses and lexicon scores computed once."""

    examples: list[Example]
    features: Any
    lexicon: list[dict[str, float]]


def prepare(examples: Sequence[Example], lexicon: Lexicon, progress: Callable[[int], None] | None = None) -> Prepared:
    forms, lex = [], []
    for i, ex in enumerate(examples):
        guess = identify(ex.text)
        language = guess.language if guess.supported else ex.language
        form = normalize(ex.text)
        forms.append(model_form(form, language))
        lex.append(collect(lexicon, ex.text, guess, with_spans=False, form=form).lexicon if guess.supported else {})
        if progress is not None and i % 2000 == 0:
            progress(i)
    return Prepared(list(examples), featurize(forms), lex)


def _rows(prep: Prepared, split: str, label: str) -> tuple[np.ndarray, np.ndarray]:
    idx = [i for i, ex in enumerate(prep.examples) if ex.split == split and label in ex.labels]
    y = np.array([prep.examples[i].labels[label] for i in idx], dtype=np.int64)
    return np.array(idx, dtype=np.int64), y


def _fit_head(prep: Prepared, label: str, config: TrainConfig, sample_weight: np.ndarray | None) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    idx, y = _rows(prep, "train", label)
    if len(idx) == 0 or y.min() == y.max():
        raise ValueError(f"no training data with both classes for {label}")
    balanced = y.mean() < 0.15
    clf = LogisticRegression(C=config.c.get(label, config.default_c), solver="liblinear", random_state=config.seed,
                             class_weight="balanced" if balanced else None, max_iter=200)
    clf.fit(prep.features[idx], y, sample_weight=None if sample_weight is None else sample_weight[idx])
    return clf.coef_[0], float(clf.intercept_[0])


def _calibrate(logit: np.ndarray, lex: np.ndarray, y: np.ndarray, seed: int) -> Calibration:
    from sklearn.linear_model import LogisticRegression

    if len(y) < 10 or y.min() == y.max():
        return Calibration(1.0, 2.0, 0.0)
    fit = LogisticRegression(C=10.0, solver="lbfgs", random_state=seed).fit(np.column_stack([logit, lex]), y)
    return Calibration(float(fit.coef_[0][0]), float(fit.coef_[0][1]), float(fit.intercept_[0]))


def choose_threshold(scores: np.ndarray, y: np.ndarray, label: str) -> float:
    """Threat labels: the highest threshold that keeps recall at 0.9, unless that would flag more than
    MAX_THREAT_FLAG_RATE of all messages; then the threshold that flags exactly that share (a detector
    that flags most messages as threats is not favouring recall, it is useless). Others: best F1."""
    if len(y) == 0 or y.sum() == 0:
        return 0.45 if label in THREAT_LABELS else 0.5
    if label in THREAT_LABELS:
        for t in sorted(np.unique(np.round(scores, 4)), reverse=True):
            pred = scores >= t
            if float((pred & (y == 1)).sum()) / y.sum() >= THREAT_RECALL:
                return float(max(t, np.quantile(scores, 1 - MAX_THREAT_FLAG_RATE)))
        return float(np.quantile(scores, 1 - MAX_THREAT_FLAG_RATE))
    best_t, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(scores, 3)):
        pred = scores >= t
        tp = float((pred & (y == 1)).sum())
        recall = tp / y.sum()
        precision = tp / max(1.0, float(pred.sum()))
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return float(min(0.9, max(0.001, best_t)))


def train(prep: Prepared, config: TrainConfig = TrainConfig(), meta: dict[str, Any] | None = None,
          sample_weight: np.ndarray | None = None, log: Callable[[str], None] = lambda _m: None) -> LinearModel:
    heads = tuple(h for h in config.heads if len(set(_rows(prep, "train", h)[1].tolist())) == 2)
    coef = np.zeros((N_FEATURES, len(heads)), dtype=np.float32)
    intercept = np.zeros(len(heads), dtype=np.float32)
    for j, label in enumerate(heads):
        w, b = _fit_head(prep, label, config, sample_weight)
        coef[:, j] = w.astype(np.float16).astype(np.float32)  # exactly what the npz will hold
        intercept[j] = b
        log(f"trained {label}: {int(_rows(prep, 'train', label)[1].sum())} positives")
    model = LinearModel(heads, coef, intercept, {}, {}, dict(meta or {}))
    all_logits = model.logits(prep.features)
    for j, label in enumerate(heads):
        idx, y = _rows(prep, "val", label)
        lex = np.array([prep.lexicon[i].get(label, 0.0) for i in idx])
        cal = _calibrate(all_logits[idx, j].astype(np.float64), lex, y, config.seed)
        model.calibration[label] = cal
        logit = all_logits[idx, j].astype(np.float64)
        if label in THREAT_LABELS:
            # A few dozen validation threats make a recall target noisy: add out-of-fold scores of the
            # training threats, so the threshold is set on every threat we have without scoring any
            # example with a model that saw it.
            oof_idx, oof_y, oof_logit = _out_of_fold(prep, label, config)
            lex = np.concatenate([lex, [prep.lexicon[i].get(label, 0.0) for i in oof_idx]])
            logit, y = np.concatenate([logit, oof_logit]), np.concatenate([y, oof_y])
        model.thresholds[label] = round(choose_threshold(cal.apply(logit, lex), y, label), 4)
    return model


def _out_of_fold(prep: Prepared, label: str, config: TrainConfig, folds: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    idx, y = _rows(prep, "train", label)
    logits = np.zeros(len(idx))
    folds = min(folds, int(y.sum()), int(len(y) - y.sum()))
    if folds < 2:
        return idx[:0], y[:0], logits[:0]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for fit_rows, score_rows in splitter.split(idx, y):
        clf = LogisticRegression(C=config.c.get(label, config.default_c), solver="liblinear", random_state=config.seed,
                                 class_weight="balanced", max_iter=200)
        clf.fit(prep.features[idx[fit_rows]], y[fit_rows])
        logits[score_rows] = clf.decision_function(prep.features[idx[score_rows]])
    return idx, y, logits
