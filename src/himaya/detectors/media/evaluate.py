"""`himaya eval media`: recall under the transform suite, false matches against unrelated pictures.

`originals` procedural pictures are put on a known list (with their crop/turn variants); every
one is then altered by every transform in `transforms.TRANSFORMS` and matched. `background`
further pictures, drawn from other seeds, are matched too: any match of theirs is a false match.

Recall is measured three times to show what each part adds: PDQ of the whole picture alone; plus
the content box (borders, status bars, caption bands cut); plus the crop/turn variants (the
second matcher). False-match rates are given per picture (share of background pictures matched
to anything) and per pair (false pairs over background × originals).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from himaya.detectors.media import pdq
from himaya.detectors.media.matcher import CROP_DISTANCE, LOW_QUALITY, Known, KnownMatcher
from himaya.detectors.media.signals import MediaSignals, hash_bytes
from himaya.detectors.media.transforms import TRANSFORMS, altered, encode, picture

BACKGROUND_SEED = 1_000_000
STAGES = ("pdq", "pdq+content", "pdq+content+crops")
T = TypeVar("T")
R = TypeVar("R")


def _reference(seed: int) -> MediaSignals:
    return hash_bytes(encode(picture(seed)), f"original-{seed}", reference=True)


def _altered(job: tuple[int, str]) -> MediaSignals:
    seed, name = job
    return hash_bytes(altered(picture(seed), name, seed * 31 + len(name)), f"{name}-{seed}")


def _background(seed: int) -> MediaSignals:
    return hash_bytes(encode(picture(seed), "JPEG", 85), f"background-{seed}")


def _map(fn: Callable[[T], R], items: Iterable[T], workers: int, tick: Callable[[], None] | None) -> list[R]:
    items = list(items)
    out: list[R] = []
    if workers > 1 and len(items) > 8:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for r in pool.map(fn, items, chunksize=16):
                out.append(r)
                if tick:
                    tick()
        return out
    for it in items:
        out.append(fn(it))
        if tick:
            tick()
    return out


def run_eval(originals: int = 200, background: int = 10_000, *, workers: int | None = None,
             tick: Callable[[], None] | None = None) -> dict[str, Any]:
    """The eval's figures as a dict (the keys `himaya eval media --json` prints)."""
    started = time.perf_counter()
    n_workers = workers or min(os.cpu_count() or 1, 4)
    refs = _map(_reference, range(originals), n_workers, tick)
    jobs = [(seed, name) for seed in range(originals) for name in TRANSFORMS]
    queries = _map(_altered, jobs, n_workers, tick)
    bg = _map(_background, range(BACKGROUND_SEED, BACKGROUND_SEED + background), n_workers, tick)
    known = [Known(i, s) for i, s in enumerate(refs)]
    matchers = {
        "pdq": KnownMatcher(known, crop_distance=-1, use_content=False),
        "pdq+content": KnownMatcher(known, crop_distance=-1),
        "pdq+content+crops": KnownMatcher(known),
    }
    per_transform: dict[str, dict[str, Any]] = {name: {"n": 0, **{s: 0 for s in STAGES}} for name in TRANSFORMS}
    wrong = {s: 0 for s in STAGES}
    for (seed, name), q in zip(jobs, queries, strict=True):
        row = per_transform[name]
        row["n"] += 1
        for stage, m in matchers.items():
            hits = {h.known_id for h in m.match(q)}
            row[stage] += seed in hits
            wrong[stage] += len(hits - {seed})
    false_images = {s: 0 for s in STAGES}
    false_pairs = {s: 0 for s in STAGES}
    nearest = 256
    ref_words = pdq.as_words([h for r in refs for h in (r.pdq, r.mirror, *r.windows) if h is not None])
    for q in bg:
        for stage, m in matchers.items():
            found = m.match(q)
            false_images[stage] += bool(found)
            false_pairs[stage] += len(found)
        for h in (q.pdq, q.content):
            if h is not None and len(ref_words):
                nearest = min(nearest, int(pdq.distances(ref_words, h).min()))
    n_pos = len(jobs)
    recall = {s: sum(r[s] for r in per_transform.values()) / max(n_pos, 1) for s in STAGES}
    return {
        "originals": originals, "background": background, "queries": n_pos,
        "thresholds": {"pdq": pdq.DISTANCE, "pdq_crop": CROP_DISTANCE, "min_quality": LOW_QUALITY},
        "recall": recall[STAGES[-1]],
        "recall_by_stage": recall,
        "transforms": {name: {"n": r["n"], **{s: r[s] / max(r["n"], 1) for s in STAGES}}
                       for name, r in per_transform.items()},
        "false_match_rate_images": false_images[STAGES[-1]] / max(background, 1),
        "false_match_rate_pairs": false_pairs[STAGES[-1]] / max(background * originals, 1),
        "false_matches_by_stage": false_images,
        "wrong_original_matches_by_stage": wrong,
        "nearest_background_distance": nearest,
        "seconds": round(time.perf_counter() - started, 1),
        "workers": n_workers,
    }
