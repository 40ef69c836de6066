"""The shipped profile model: a logistic regression on profile fields that Instagram and X both have.

Trained by `scripts/train_profile_model.py` on the Cresci-2015 fake-follower data and stored as
JSON (`data/profile_model.json`: means, scales, weights), so loading it runs no code. Its output
enters the follower score as a log-likelihood ratio against its training prior, damped, because
the data is Twitter from 2013 and Instagram accounts differ (see docs/detectors/followers.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

FEATURES = ("log_posts", "log_followers", "log_following", "follower_following_balance", "log_bio_length",
            "handle_length", "handle_digits")
MODEL_FILE = "profile_model.json"
DAMPING = 0.6        # Twitter 2013 → Instagram today: trust the model's odds only partly
MAX_LLR_FOR = 1.5    # it may push a follower towards removal only a little…
MAX_LLR_AGAINST = 3.0  # …and protect one that looks genuine more: removing a supporter is the costly error


def feature_matrix(posts: NDArray[np.float64], followers: NDArray[np.float64], following: NDArray[np.float64],
                   bio_length: NDArray[np.float64], handle_length: NDArray[np.float64],
                   handle_digits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Model inputs, one row per account; NaN where a field is unknown (imputed by `ProfileModel`)."""
    lp, lf, lg = np.log1p(posts), np.log1p(followers), np.log1p(following)
    return np.column_stack([lp, lf, lg, lf - lg, np.log1p(bio_length), handle_length, handle_digits])


@dataclass(frozen=True)
class ProfileModel:
    version: str
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    coef: NDArray[np.float64]
    intercept: float
    impute: NDArray[np.float64]
    prior_fake: float
    meta: dict[str, Any]

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        x = np.where(np.isnan(x), self.impute[None, :], x)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def llr(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Evidence for 'inauthentic' in log-odds, relative to the training prior, damped and bounded."""
        p = np.clip(self.probability(x), 1e-6, 1 - 1e-6)
        prior = np.log(self.prior_fake / (1 - self.prior_fake))
        return np.asarray(np.clip(DAMPING * (np.log(p / (1 - p)) - prior), -MAX_LLR_AGAINST, MAX_LLR_FOR))


def from_json(data: dict[str, Any]) -> ProfileModel:
    if tuple(data.get("features", ())) != FEATURES:
        raise ValueError(f"profile model features {data.get('features')} do not match {FEATURES}")
    arr = {k: np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef", "impute")}
    if any(a.shape != (len(FEATURES),) for a in arr.values()):
        raise ValueError("profile model arrays have the wrong length")
    return ProfileModel(str(data["version"]), arr["mean"], arr["scale"], arr["coef"], float(data["intercept"]),
                        arr["impute"], float(data["prior_fake"]), dict(data.get("meta", {})))


@cache
def load_model() -> ProfileModel:
    text = resources.files("himaya.detectors.followers").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return from_json(json.loads(text))
