"""Train the shipped content model from ../shared/data only (never from a test split).

    python scripts/train_content_model.py [--data ../shared/data] [--out src/himaya/detectors/content/data/model]

Same data, same seed → the same model files, bit for bit (their SHA-256 is printed; see
docs/detectors/content.md). Runs in a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from himaya.detectors.content.datasets import READERS, default_data_root, load_examples
from himaya.detectors.content.lexicon import load_lexicon
from himaya.detectors.content.model import MODEL_DIR, MODEL_NAME
from himaya.detectors.content.training import SEED, TrainConfig, prepare, train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data_root(), help="the shared datasets folder")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write content_model.npz/.json")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, default=0, help="at most this many examples per dataset (smoke tests)")
    parser.add_argument("--datasets", default="", help="comma-separated subset of: " + ", ".join(READERS))
    args = parser.parse_args(argv)
    if not (args.data / "SOURCES.md").is_file():
        print(f"error: {args.data}: not the shared data folder (no SOURCES.md)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    chosen = tuple(d for d in args.datasets.split(",") if d) or None
    unknown = set(chosen or ()) - set(READERS)
    if unknown:
        print(f"error: unknown datasets {sorted(unknown)}; known: {', '.join(READERS)}", file=sys.stderr)
        return 2
    examples = load_examples(args.data, chosen)
    if args.limit:
        counts: dict[str, int] = {}
        kept = []
        for ex in examples:
            counts[ex.dataset] = counts.get(ex.dataset, 0) + 1
            if counts[ex.dataset] <= args.limit:
                kept.append(ex)
        examples = kept
    training = [ex for ex in examples if ex.split != "test"]  # the test splits never reach the trainer
    print(f"{len(training)} training/validation examples from {len(READERS)} datasets", file=sys.stderr)
    lexicon = load_lexicon()
    prep = prepare(training, lexicon)
    print(f"features ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    meta = {"trained_on": sorted({ex.dataset for ex in training}), "seed": args.seed, "lexicon_version": lexicon.version,
            "examples": {"train": sum(ex.split == "train" for ex in training), "val": sum(ex.split == "val" for ex in training)},
            "org_examples": 0}
    model = train(prep, TrainConfig(seed=args.seed), meta, log=lambda m: print(m, file=sys.stderr))
    version = model.save(args.out)
    digest = hashlib.sha256((args.out / f"{MODEL_NAME}.npz").read_bytes()).hexdigest()
    size = (args.out / f"{MODEL_NAME}.npz").stat().st_size
    print(json.dumps({"version": version, "sha256": digest, "bytes": size, "heads": list(model.heads),
                      "thresholds": model.thresholds, "seconds": round(time.perf_counter() - started, 1)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
