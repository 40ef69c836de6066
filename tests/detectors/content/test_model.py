"""The shipped model: loaded without pickle, small, matched to its metadata; damaged files are named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from himaya.detectors.content.model import MODEL_DIR, MODEL_NAME, ModelError, load_model


def test_shipped_model_is_small_and_loads_without_pickle() -> None:
    npz = MODEL_DIR / f"{MODEL_NAME}.npz"
    assert npz.stat().st_size < 8 * 1024 * 1024
    with np.load(npz, allow_pickle=False) as arrays:
        assert arrays["coef"].dtype == np.float16
    model = load_model()
    assert "insult" in model.heads and model.version.startswith("model-")
    assert set(model.thresholds) == set(model.heads) == set(model.calibration)


def test_save_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    model = load_model()
    model.save(tmp_path / "a")
    model.save(tmp_path / "b")
    for suffix in (".npz", ".json"):
        assert (tmp_path / "a" / f"{MODEL_NAME}{suffix}").read_bytes() == (tmp_path / "b" / f"{MODEL_NAME}{suffix}").read_bytes()
    assert load_model(tmp_path / "a").version == model.version


def test_aligned_scores_put_the_threshold_at_one_half() -> None:
    model = load_model()
    for label in model.heads:
        t = model.thresholds[label]
        assert model.aligned(label, np.array([t]))[0] == pytest.approx(0.5)
        assert model.aligned(label, np.array([0.0]))[0] == 0.0 and model.aligned(label, np.array([1.0]))[0] == 1.0


def test_damaged_or_mismatched_files(tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    meta_path = tmp_path / "m" / f"{MODEL_NAME}.json"
    meta = json.loads(meta_path.read_text())
    meta["heads"] = meta["heads"][:-1]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="do not match"):
        load_model(tmp_path / "m")
    (tmp_path / "m" / f"{MODEL_NAME}.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="cannot read"):
        load_model(tmp_path / "m")
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nowhere")
