"""Train the follower profile model on Cresci-2015 (fake followers vs verified humans) and ship it as JSON.

    .venv/bin/python scripts/train_profile_model.py [--data ../shared/data/cresci2015_fake_followers_twitter]
        [--seed 13] [--out src/himaya/detectors/followers/data/profile_model.json] [--json]

Only fields that also exist on an Instagram profile are used (posts, followers, following, bio
length, handle length and digits); Twitter-only fields (favourites, lists, default theme, lang) are
left out on purpose. Profile picture and private flag are not learnt: the Cresci data has almost
no default pictures and no protected accounts, so it cannot teach their weight. Reports
stratified 5-fold cross-validated figures (the model is refit on all rows afterwards; there is no
separate test split to leak into).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from himaya.detectors.followers.profile_model import FEATURES, feature_matrix  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cresci2015_fake_followers_twitter"
DEFAULT_OUT = ROOT / "src" / "himaya" / "detectors" / "followers" / "data" / "profile_model.json"


def load(data: Path) -> tuple[np.ndarray, np.ndarray]:
    rows: list[tuple[dict[str, str], int]] = []
    for name, label in (("fusers.csv", 1), ("users.csv", 0)):
        with (data / "data" / name).open(encoding="utf-8", newline="") as fh:
            rows.extend((r, label) for r in csv.DictReader(fh))

    def col(key: str) -> np.ndarray:
        return np.array([float(r[key] or 0) for r, _ in rows])

    handles = [r["screen_name"] for r, _ in rows]
    x = feature_matrix(col("statuses_count"), col("followers_count"), col("friends_count"),
                       np.array([float(len(r["description"] or "")) for r, _ in rows]),
                       np.array([float(len(h)) for h in handles]),
                       np.array([float(sum(c.isdigit() for c in h)) for h in handles]))
    return x, np.array([y for _, y in rows])


def cross_validate(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, float]:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    pred = np.zeros(y.size)
    for train, test in folds.split(x, y):
        mean, scale = x[train].mean(0), x[train].std(0) + 1e-9
        m = LogisticRegression(C=1.0, max_iter=1000).fit((x[train] - mean) / scale, y[train])
        pred[test] = m.predict_proba((x[test] - mean) / scale)[:, 1]
    hard = pred >= 0.5
    return {"f1": float(f1_score(y, hard)), "precision": float(precision_score(y, hard)),
            "recall": float(recall_score(y, hard)), "roc_auc": float(roc_auc_score(y, pred)),
            "accuracy": float(np.mean(hard == y))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not (args.data / "data" / "fusers.csv").exists():
        print(f"error: Cresci data not found under {args.data}", file=sys.stderr)
        return 2
    x, y = load(args.data)
    cv = cross_validate(x, y, args.seed)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    out = {"version": f"cresci2015-logreg-seed{args.seed}", "features": list(FEATURES),
           "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
           "coef": model.coef_[0].round(6).tolist(), "intercept": round(float(model.intercept_[0]), 6),
           "impute": np.median(x, axis=0).round(6).tolist(), "prior_fake": round(float(y.mean()), 6),
           "meta": {"data": "cresci2015_fake_followers_twitter (fusers.csv = fake INT, users.csv = genuine E13)",
                    "rows": int(y.size), "fake": int(y.sum()), "seed": args.seed, "cv_5fold": cv}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps({"cv_5fold": cv, "rows": int(y.size), "out": str(args.out)}, indent=2))
    else:
        print(f"{y.size} accounts ({int(y.sum())} fake); 5-fold CV: " + ", ".join(f"{k} {v:.3f}" for k, v in cv.items()))
        print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
