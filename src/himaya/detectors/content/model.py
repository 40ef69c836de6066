"""The shipped statistical model: one linear head per label that has training data, on hashed n-grams.

Stored as ``data/model/content_model.npz`` (weights, float16, read with ``allow_pickle=False``) and
``content_model.json`` (heads, calibration, thresholds, what it was trained on). Nothing is
unpickled, so a replaced model file can carry numbers but never code.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.content.features import N_FEATURES
from himaya.detectors.content.taxonomy import LABELS
from himaya.errors import HimayaError

MODEL_DIR = Path(__file__).parent / "data" / "model"
MODEL_NAME = "content_model"
FORMAT = 1


class ModelError(HimayaError):
    exit_code = 2


@dataclass(frozen=True)
class Calibration:
    """p = sigmoid(a * model_logit + b * lexicon_score + c), fitted on validation splits."""

    a: float
    b: float
    c: float

    def apply(self, logit: np.ndarray, lexicon: np.ndarray) -> np.ndarray:
        z = self.a * logit + self.b * lexicon + self.c
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out


@dataclass
class LinearModel:
    heads: tuple[str, ...]
    coef: np.ndarray            # float32, (n_features, heads), ready for X @ coef
    intercept: np.ndarray       # float32, (heads,)
    calibration: dict[str, Calibration]
    thresholds: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    def aligned(self, label: str, probability: np.ndarray) -> np.ndarray:
        """Probabilities mapped monotonically so the label's threshold lands on 0.5, the operating point
        every label (and every lexicon weight) shares."""
        t = self.thresholds.get(label, 0.5)
        low = probability / (2 * t)
        high = 0.5 + (probability - t) / (2 * (1 - t))
        out: np.ndarray = np.clip(np.where(probability < t, low, high), 0.0, 1.0)
        return out

    def logits(self, features: Any) -> np.ndarray:
        """(messages, heads) raw scores for a CSR feature matrix."""
        out: np.ndarray = np.asarray(features @ self.coef) + self.intercept
        return out

    def to_bytes(self) -> tuple[bytes, bytes]:
        """(npz, json): deterministic, so the same training run gives the same files bit for bit."""
        buf = io.BytesIO()
        np.savez_compressed(buf, coef=self.coef.T.astype(np.float16), intercept=self.intercept.astype(np.float32))
        meta = {"format": FORMAT, "heads": list(self.heads), "n_features": N_FEATURES,
                "calibration": {k: [v.a, v.b, v.c] for k, v in sorted(self.calibration.items())},
                "thresholds": dict(sorted(self.thresholds.items())), **self.meta}
        return _stable_npz(buf.getvalue()), (json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()

    def save(self, directory: Path, name: str = MODEL_NAME) -> str:
        npz, meta = self.to_bytes()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{name}.npz").write_bytes(npz)
        (directory / f"{name}.json").write_bytes(meta)
        return model_version(npz, meta)


def _stable_npz(data: bytes) -> bytes:
    """Zip members carry a timestamp: rewrite them with a fixed one so equal weights give equal bytes."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def model_version(npz: bytes, meta: bytes) -> str:
    """Weights and calibration together: new thresholds are a new model even with the same weights."""
    digest = hashlib.sha256(npz + b"\0" + meta).hexdigest()
    return f"model-{digest[:12]}"


def load_model(directory: Path = MODEL_DIR, name: str = MODEL_NAME) -> LinearModel:
    npz_path, json_path = directory / f"{name}.npz", directory / f"{name}.json"
    try:
        raw = npz_path.read_bytes()
        meta_bytes = json_path.read_bytes()
        meta = json.loads(meta_bytes.decode("utf-8"))
        with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
            coef = np.ascontiguousarray(arrays["coef"].astype(np.float32).T)
            intercept = arrays["intercept"].astype(np.float32)
    except FileNotFoundError as exc:
        raise ModelError(f"{exc.filename}: content model not found (train it: python scripts/train_content_model.py)") from None
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise ModelError(f"{npz_path}: cannot read content model: {exc}") from None
    if meta.get("format") != FORMAT or meta.get("n_features") != N_FEATURES:
        raise ModelError(f"{json_path}: model format {meta.get('format')} / {meta.get('n_features')} features is not "
                         f"the {FORMAT} / {N_FEATURES} this version of Himaya reads")
    heads = tuple(meta["heads"])
    unknown = set(heads) - set(LABELS)
    if unknown or coef.shape != (N_FEATURES, len(heads)) or intercept.shape != (len(heads),):
        raise ModelError(f"{npz_path}: weights do not match the heads {heads} named in {json_path.name}")
    calibration = {k: Calibration(*map(float, v)) for k, v in meta.get("calibration", {}).items()}
    thresholds = {k: float(v) for k, v in meta.get("thresholds", {}).items()}
    extra = {k: v for k, v in meta.items() if k not in ("format", "heads", "n_features", "calibration", "thresholds")}
    return LinearModel(heads, coef, intercept, calibration, thresholds, extra, model_version(raw, meta_bytes))
