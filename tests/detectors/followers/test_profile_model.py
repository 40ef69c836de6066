from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from himaya.detectors.followers.profile_model import FEATURES, feature_matrix, from_json, load_model
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[3]
CRESCI = SHARED / "data" / "cresci2015_fake_followers_twitter"


def test_shipped_model_is_json_and_small() -> None:
    f = resources.files("himaya.detectors.followers").joinpath("data", "profile_model.json")
    data = json.loads(f.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and len(f.read_bytes()) < 100_000
    assert data["meta"]["cv_5fold"]["f1"] > 0.9


def test_model_orders_profiles_sensibly() -> None:
    m = load_model()
    x = feature_matrix(np.array([2.0, 900.0]), np.array([10.0, 800.0]), np.array([1500.0, 300.0]),
                       np.array([0.0, 80.0]), np.array([12.0, 9.0]), np.array([4.0, 0.0]))
    p = m.probability(x)
    assert p[0] > 0.8 > 0.2 > p[1]
    llr = m.llr(x)
    assert 0 < llr[0] <= 1.5 and -3.0 <= llr[1] < 0  # accuses little, protects more


def test_missing_fields_are_imputed() -> None:
    m = load_model()
    x = np.full((1, len(FEATURES)), np.nan)
    assert 0.0 < float(m.probability(x)[0]) < 1.0


def test_wrong_features_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        from_json({"features": ["a"], "version": "x"})


@pytest.mark.skipif(not CRESCI.is_dir(), reason=f"Cresci data not found at {CRESCI} (set HIMAYA_SHARED)")
def test_training_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "train_profile_model.py"), "--data", str(CRESCI),
                    "--out", str(out)], check=True, capture_output=True)
    shipped = json.loads(resources.files("himaya.detectors.followers").joinpath("data", "profile_model.json")
                         .read_text(encoding="utf-8"))
    assert json.loads(out.read_text(encoding="utf-8")) == shipped
