"""Analyst decisions as training labels, and the organisation model built from them.

A confirmed finding makes its flagged labels positives for that message; a rejected one makes them
negatives. These labels belong to the organisation: they train its own model (stored under
HIMAYA_HOME, never in the package) and are never mixed into `himaya eval content`, which measures
on the public test splits only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.content.datasets import Example
from himaya.detectors.content.features import featurize, model_form
from himaya.detectors.content.model import LinearModel
from himaya.findings import load_findings
from himaya.nlp.langid import identify
from himaya.nlp.normalize import normalize
from himaya.store.db import Store

ORG_MODEL_NAME = "content_model"


@dataclass(frozen=True)
class ConfirmedLabel:
    finding_id: int
    text: str
    labels: dict[str, int]


def confirmed_labels(store: Store) -> list[ConfirmedLabel]:
    """Every content finding an analyst decided on, in this organisation, as labelled text."""
    out: list[ConfirmedLabel] = []
    for status, value in (("confirmed", 1), ("rejected", 0)):
        for row in load_findings(store, detector="content", status=status):
            text = str(row.finding.evidence.get("text", ""))
            if text.strip() and row.finding.labels:
                out.append(ConfirmedLabel(row.id, text, {label: value for label in row.finding.labels}))
    return sorted(out, key=lambda c: c.finding_id)


def as_examples(labels: list[ConfirmedLabel]) -> list[Example]:
    return [Example(c.text, identify(c.text).base, "org", "train", c.labels) for c in labels]


def org_model_dir(home: Path, org: str) -> Path:
    return home / "models" / "content" / org


def fine_tune(base: LinearModel, examples: list[Example], l2: float = 1.0, steps: int = 200) -> LinearModel:
    """Shift the shipped heads toward the organisation's labels: minimise log-loss of
    base logit + x·delta with an L2 penalty on delta, so a handful of decisions nudges, never rewrites,
    what the public data taught. Used when the public training data is not on this machine."""
    from scipy.optimize import minimize

    coef = base.coef.copy()
    intercept = base.intercept.copy()
    features = featurize([model_form(normalize(ex.text), identify(ex.text).language) for ex in examples])
    base_logits = base.logits(features)
    for j, label in enumerate(base.heads):
        rows = [i for i, ex in enumerate(examples) if label in ex.labels]
        if not rows:
            continue
        x = features[rows]
        y = np.array([examples[i].labels[label] for i in rows], dtype=np.float64)
        offset = base_logits[rows, j].astype(np.float64)
        cols = np.unique(x.indices)
        xs = x[:, cols]

        def loss(params: np.ndarray, xs: Any = xs, y: np.ndarray = y, offset: np.ndarray = offset) -> tuple[float, np.ndarray]:
            delta, bias = params[:-1], params[-1]
            z = offset + xs @ delta + bias
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
            value = float(np.sum(np.logaddexp(0, z) - y * z) + l2 * (delta @ delta + bias * bias))
            grad_z = p - y
            grad = np.concatenate([xs.T @ grad_z + 2 * l2 * delta, [grad_z.sum() + 2 * l2 * bias]])
            return value, grad

        result = minimize(loss, np.zeros(len(cols) + 1), jac=True, method="L-BFGS-B", options={"maxiter": steps})
        coef[cols, j] += result.x[:-1].astype(np.float16).astype(np.float32)
        intercept[j] += np.float32(result.x[-1])
    meta = {**base.meta, "base_model": base.version, "org_examples": len(examples), "method": "fine_tune"}
    return LinearModel(base.heads, coef, intercept, dict(base.calibration), dict(base.thresholds), meta)
