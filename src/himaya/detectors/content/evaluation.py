"""`himaya eval content`: quality on the held-back test splits of the public datasets, per language
and label; cross-dataset (dialect) transfer; and the curated sentences for labels no dataset covers."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.content.datasets import Example, load_examples
from himaya.detectors.content.detector import ContentDetector
from himaya.detectors.content.lexicon import load_lexicon
from himaya.detectors.content.taxonomy import LABELS

CURATED = Path(__file__).parent / "data" / "curated.toml"

# Published results on the same test sets, for orientation (different models, often macro-F1).
BASELINES: dict[str, str] = {
    "osact2020": "OSACT4 subtask A best macro-F1 0.905 (Mubarak et al. 2020, official test set; ours is the public dev set)",
    "osact2022": "OSACT5 subtask A best macro-F1 0.85 (Mubarak et al. 2022, official test set; ours is the public dev set)",
    "olid": "OffensEval 2019 subtask A best macro-F1 0.829 (Zampieri et al. 2019); BiLSTM 0.75, SVM 0.69",
    "edos": "EDOS task A best macro-F1 0.8746 (Kirk et al. 2023)",
    "pars_off": "Pars-OFF level A: ParsBERT F1 ~0.90 reported (Ataei et al. 2023)",
    "t_hsab": "T-HSAB: NB/SVM F1 ~0.83 on their own split (Haddad et al. 2019)",
    "davidson": "Davidson et al. 2017: LR weighted F1 0.90 (3 classes)",
    "omcd": "OMCD: fine-tuned DarijaBERT F1 ~0.83 (Essefar et al. 2023)",
    "parsoffensive": "ParsOffensive: no directly comparable published figure found",
    "mlma": "MLMA (Ousidhoum et al. 2019) reports multi-task macro-F1 per aspect, not our binary task",
}
CROSS_DATASET: tuple[tuple[str, str], ...] = (
    ("t_hsab", "Tunisian dialect, never seen in training"),
    ("omcd", "Moroccan Darija (part Arabizi), never seen in training"),
    ("pars_off", "Persian tweets, trained on Instagram comments (ParsOffensive) only"),
)


@dataclass(frozen=True)
class Metrics:
    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    roc_auc: float | None

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "positives": self.positives, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "roc_auc": None if self.roc_auc is None else round(self.roc_auc, 4)}


def metrics(y: np.ndarray, scores: np.ndarray, threshold: float) -> Metrics:
    from sklearn.metrics import roc_auc_score

    pred = scores >= threshold
    tp = float((pred & (y == 1)).sum())
    precision = tp / pred.sum() if pred.sum() else 0.0
    recall = tp / y.sum() if y.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auc = float(roc_auc_score(y, scores)) if 0 < y.sum() < len(y) else None
    return Metrics(len(y), int(y.sum()), float(precision), float(recall), float(f1), auc)


def _score(detector: ContentDetector, examples: list[Example], progress: Callable[[int], None] | None,
           layer: str | None = None) -> list[dict[str, float]]:
    """Final scores per example, or one layer's raw scores (`lexicon`, `model`)."""
    out: list[dict[str, float]] = []
    for start in range(0, len(examples), 2000):
        batch = examples[start : start + 2000]
        results = detector.classify([e.text for e in batch], with_spans=False)
        out.extend(r.labels if layer is None else r.layers.get(layer, {}) for r in results)
        if progress is not None:
            progress(len(batch))
    return out


def _table(detector: ContentDetector, examples: list[Example], scores: list[dict[str, float]],
           key: Callable[[Example], str]) -> dict[str, dict[str, Any]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        for label in ex.labels:
            groups.setdefault((key(ex), label), []).append(i)
    table: dict[str, dict[str, Any]] = {}
    for (group, label), idx in sorted(groups.items()):
        y = np.array([examples[i].labels[label] for i in idx])
        # An unsupported-language message gets no score: it counts as not flagged (a miss if it was abusive).
        s = np.array([scores[i].get(label, 0.0) for i in idx])
        table.setdefault(group, {})[label] = metrics(y, s, detector.threshold(label)).to_json()
    return table


def evaluate(detector: ContentDetector, data_root: Path, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    test = [ex for ex in load_examples(data_root) if ex.split == "test"]
    results = []
    for start in range(0, len(test), 2000):
        batch = test[start : start + 2000]
        results.extend(detector.classify([e.text for e in batch], with_spans=False))
        if progress is not None:
            progress(len(batch))
    final = [r.labels for r in results]
    lexicon_only = [r.layers.get("lexicon", {}) for r in results]
    return {"model_version": detector.version, "test_examples": len(test),
            "per_language": _table(detector, test, final, lambda e: e.language),
            "per_dataset": _table(detector, test, final, lambda e: e.dataset),
            # The curated lexicon alone, at its own 0.5 operating point: what it catches without the model.
            "lexicon_only_per_language": _table(detector, test, lexicon_only, lambda e: e.language),
            "baselines": BASELINES}


def cross_dataset(data_root: Path, log: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Train the insult head without one dataset, test on all of that dataset."""
    from himaya.detectors.content.training import TrainConfig, prepare, train

    lexicon = load_lexicon()
    every = load_examples(data_root)
    results: dict[str, Any] = {}
    for held_out, what in CROSS_DATASET:
        excluded = {held_out} | ({"pars_off"} if held_out == "pars_off" else set())
        training = [e for e in every if e.dataset not in excluded and e.split != "test" and "insult" in e.labels]
        log(f"cross-dataset: training without {held_out} ({len(training)} examples)")
        model = train(prepare(training, lexicon), TrainConfig(heads=("insult",)))
        detector = ContentDetector(lexicon, model)
        target = [e for e in every if e.dataset == held_out]
        scores = _score(detector, target, None)
        y = np.array([e.labels["insult"] for e in target])
        s = np.array([sc.get("insult", 0.0) for sc in scores])
        results[held_out] = {"setting": what, "insult": metrics(y, s, detector.threshold("insult")).to_json()}
    return results


def curated(detector: ContentDetector, path: Path = CURATED) -> dict[str, Any]:
    """Hand-written sentences per label and language: checks of the lexicon, not a measurement of the world."""
    cases = tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    results = detector.classify([c["text"] for c in cases], with_spans=False)
    per: dict[str, dict[str, int]] = {}
    failures = []
    for case, result in zip(cases, results, strict=True):
        expect = set(case.get("flag", []))
        forbid = set(case.get("not", []))
        ok = expect <= set(result.flagged) and not (forbid & set(result.flagged))
        key = f"{case['language']}:{','.join(sorted(expect)) or 'none'}"
        stats = per.setdefault(key, {"pass": 0, "fail": 0})
        stats["pass" if ok else "fail"] += 1
        if not ok:
            failures.append({"text": case["text"], "expected": sorted(expect), "not": sorted(forbid), "flagged": result.flagged})
    total = sum(v["pass"] + v["fail"] for v in per.values())
    passed = sum(v["pass"] for v in per.values())
    return {"cases": total, "passed": passed, "per_group": per, "failures": failures,
            "labels_without_data": [lab for lab in LABELS if lab in ("sexual_violence_threat", "doxing", "defamation_narrative")]}
