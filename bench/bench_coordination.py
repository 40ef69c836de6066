"""Coordination benchmark (issue 5): end-to-end time and peak RSS at 100k / 1M / 10M posts, beside QUT's toolkit.

Data: the campaign simulator (`himaya.detectors.coordination.simulate`) in chunks of up to 1M posts,
each chunk its own population (organic users, fans, news bots, critics, heavy posters) with 5
coordinated networks of 20-500 accounts, about 20,000 posts per simulated day; chunks follow each
other in time (10M posts = about 500 days). Chunks are generated and fed one after another, so the
benchmark never holds more than one chunk of post objects.

Timed, in one child process per size: features (normalisation, MinHash LSH, URL/media/hashtag
items) + co-action + significance + Leiden + campaign summaries + surges. Generation is not timed.
Quality against the ground truth is reported for every size. The toolkit (co-tweet + co-similar
text + co-link at the same Δt, min edge weight 3, 2 threads) runs on the same posts for sizes up to
`--toolkit-max`.

Density: by default a long case at about 20,000 posts a simulated day (1M posts = 50 days);
`--posts-per-day 150000 --min-days 1` packs 1M posts into a week, like a national hashtag campaign,
where many more posts fall within Δt of each other (the toolkit's pairwise text comparison grows
with that; our capped join does not).

Run: .venv/bin/python bench/bench_coordination.py 100000 1000000 [--toolkit-max 1000000]
     [--posts-per-day N --min-days D] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from measure import hwm_mib

CHUNK = 1_000_000
# Measured on the simulator: posts per organic account = 9.0 + 0.4 per simulated day (fans' shares grow with days).
POSTS_PER_ORGANIC_BASE = 9.0
POSTS_PER_ORGANIC_DAY = 0.4
POSTS_PER_DAY = 20_000
NETWORK_POSTS = 30_000  # about what 5 networks of 20-500 accounts post


def _chunks(size: int, seed: int, posts_per_day: int = POSTS_PER_DAY, min_days: int = 14) -> Iterator[Any]:
    from himaya.detectors.coordination.simulate import SimConfig, simulate

    done = k = 0
    while done < size:
        n = min(CHUNK, size - done)
        days = max(min_days, n // posts_per_day)
        organic = max(200, int((n - NETWORK_POSTS) / (POSTS_PER_ORGANIC_BASE + POSTS_PER_ORGANIC_DAY * days)))
        # Chunks follow each other in time: a long case at a steady 20,000 posts a day.
        cfg = SimConfig(seed=seed + k, organic_accounts=organic, networks=5, network_size=(20, 500), days=days,
                        account_offset=k * 100_000_000, start_day=k * days)
        yield simulate(cfg)
        done += n
        k += 1


def run_one(size: int, seed: int, toolkit_max: int, posts_per_day: int, min_days: int) -> dict[str, Any]:
    from himaya.detectors.coordination.detect import CoordinationConfig, detect_actions
    from himaya.detectors.coordination.evaluate import score
    from himaya.detectors.coordination.features import _Builder
    from himaya.detectors.coordination.simulate import Simulation

    config = CoordinationConfig()
    builder = _Builder()
    truth: dict[str, str] = {}
    roles: dict[str, str] = {}
    posts = 0
    gen_s = feat_s = feat_cpu = 0.0
    kept = []
    chunks = _chunks(size, seed, posts_per_day, min_days)
    for k in itertools.count():
        t = time.perf_counter()
        sim = next(chunks, None)
        gen_s += time.perf_counter() - t
        if sim is None:
            break
        t = time.perf_counter()
        cpu = time.process_time()
        builder.add_all(sim.posts)
        feat_s += time.perf_counter() - t
        feat_cpu += time.process_time() - cpu
        posts += len(sim.posts)
        truth.update({key: f"chunk{k}:{net}" for key, net in sim.truth.items()})
        roles.update(sim.roles)
        if size <= toolkit_max:
            kept.append(sim)
        del sim
    t = time.perf_counter()
    cpu = time.process_time()
    actions = builder.finish(config.min_words, config.text_threshold)
    feat_s += time.perf_counter() - t
    feat_cpu += time.process_time() - cpu
    del builder
    t = time.perf_counter()
    cpu = time.process_time()
    result = detect_actions(actions, config)
    detect_s = time.perf_counter() - t
    detect_cpu = time.process_time() - cpu
    whole = Simulation([], [], [], truth, roles)
    labels = {m.key: i for i, c in enumerate(result.campaigns) for m in c.members}
    out: dict[str, Any] = {
        "posts": posts, "accounts": result.counts["accounts"], "networks": len(set(truth.values())),
        "coordinated_accounts": len(truth), "features_s": round(feat_s, 2), "detect_s": round(detect_s, 2),
        "end_to_end_s": round(feat_s + detect_s, 2), "end_to_end_cpu_s": round(feat_cpu + detect_cpu, 2),
        "load_average": round(os.getloadavg()[0], 1), "stages_s": {k: round(v, 2) for k, v in result.seconds.items()},
        "candidate_pairs": result.counts["candidate_pairs"], "edges": result.counts["edges"],
        "campaigns": len(result.campaigns), "peak_rss_mb": round(hwm_mib(), 1), "quality": score(labels, whole),
        "generation_s": round(gen_s, 2), "posts_per_day": posts_per_day,
    }
    del actions, result
    if kept:
        from himaya.detectors.coordination.baseline import run_toolkit

        all_posts = [p for sim in kept for p in sim.posts]
        found, tk_s = run_toolkit(all_posts, window=config.window, min_weight=config.edges.min_coactions)
        out["toolkit"] = {"seconds": round(tk_s, 2), "quality": score(found, whole)}
        out["speedup"] = round(tk_s / max(out["end_to_end_s"], 1e-9), 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--toolkit-max", type=int, default=1_000_000, help="run the toolkit up to this size (0: never)")
    ap.add_argument("--posts-per-day", type=int, default=POSTS_PER_DAY,
                    help="density: simulated posts a day (a national hashtag: 150000)")
    ap.add_argument("--min-days", type=int, default=14, help="shortest simulated period of a chunk")
    ap.add_argument("--json", action="store_true", help="print only the JSON summary")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.seed, args.toolkit_max, args.posts_per_day, args.min_days)))
        return 0
    runs = []
    for size in args.sizes:
        # One process per size: peak RSS is that size's own, not the largest so far.
        cmd = [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed), "--toolkit-max",
               str(args.toolkit_max), "--posts-per-day", str(args.posts_per_day), "--min-days", str(args.min_days)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ})
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.json:
            r = runs[-1]
            tk = f", toolkit {r['toolkit']['seconds']} s (x{r['speedup']})" if "toolkit" in r else ""
            print(f"{r['posts']:>10,} posts: {r['end_to_end_s']} s end to end, peak {r['peak_rss_mb']} MB, "
                  f"P {r['quality']['precision']} R {r['quality']['recall']} ARI {r['quality']['ari']}{tk}",
                  file=sys.stderr)
    summary = {"benchmark": "coordination", "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": f"{platform.machine()}, {os.cpu_count()} vCPU", "python": platform.python_version(),
               "runs": runs}
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
