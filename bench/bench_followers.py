"""Follower-wave benchmarks (issue 3; figures go to docs/benchmarks.md).

  1. Scoring on in-memory data: a simulated follower history of N followers (default 100k, 1M,
     5M) is generated in a child process, then timed: wave detection, handle features, the score
     and the reasons of every follower, and the ranking. Target for 1M: ≤ 20 s, peak RSS ≤ 2 GB,
     linear growth. Peak RSS is the child's whole high-water mark (simulated data included).
  2. End to end: `himaya followers analyze EXPORT --out DIR --json` on a 1M-follower Instagram
     export written by `himaya simulate followers` (parsing, scoring, followers.csv, report.html),
     and optionally the same with `--case` (the export is also ingested into the store).

Run: .venv/bin/python bench/bench_followers.py [--sizes 100000 1000000 5000000] [--e2e 1000000]
     [--with-case] [--profiles] [--json]
Inputs go under bench/out (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import hwm_kib, run_child

OUT = Path(__file__).resolve().parent / "out"


def child(n: int, profiles: bool) -> dict[str, Any]:
    """Runs inside a fresh process: generate, then time the scoring of n followers."""
    from himaya.detectors.followers.analysis import analyze
    from himaya.detectors.followers.data import from_arrays
    from himaya.detectors.followers.evaluate import profiles_of
    from himaya.detectors.followers.report import ranking
    from himaya.detectors.followers.simulate import simulate

    t = time.perf_counter()
    sc = simulate(1, n_followers=n, profiles=profiles)
    generate_s = time.perf_counter() - t
    rss_data = hwm_kib("self")
    t = time.perf_counter()
    fs = from_arrays(sc.handles, sc.times, target=sc.target)
    a = analyze(fs, profiles=profiles_of(sc) if profiles else None)
    order = ranking(a.scored)
    with_reasons = sum(1 for r in a.scored.reasons if r)
    score_s = time.perf_counter() - t
    return {"followers": len(fs), "attackers": int(sc.attacker.sum()), "generate_s": round(generate_s, 2),
            "score_s": round(score_s, 2), "per_million_s": round(score_s / len(fs) * 1e6, 2),
            "peak_rss_mb": round(hwm_kib("self") / 1024, 1), "rss_after_generation_mb": round(rss_data / 1024, 1),
            "waves_true": len(sc.waves), "waves_found": len(a.waves.waves), "bands": a.scored.counts(),
            "with_reasons": with_reasons, "ranked": int(order.size), "profiles": profiles}


def end_to_end(n: int, with_case: bool) -> dict[str, Any]:
    src = OUT / f"followers_{n}"
    if not any(src.glob("*.zip")):
        subprocess.run([sys.executable, "-m", "himaya", "simulate", "followers", "--out", str(src), "--seed", "5",
                        "--followers", str(n), "--no-profiles", "--json"], check=True, capture_output=True)
    export = next(src.glob("*.zip"))
    results: dict[str, Any] = {"export": export.name, "export_mb": round(export.stat().st_size / 1e6, 1)}
    runs = [("analyze", [])] + ([("analyze_with_case", ["--case", "bench"])] if with_case else [])
    for name, extra in runs:
        home = OUT / f"home_followers_{n}"
        subprocess.run(["rm", "-rf", str(home), str(OUT / f"analysis_{n}")], check=True)
        env = {**os.environ, "HIMAYA_HOME": str(home)}
        env.pop("HIMAYA_DATABASE_URL", None)
        r = run_child([sys.executable, "-m", "himaya", "followers", "analyze", str(export), "--out",
                       str(OUT / f"analysis_{n}"), "--json", *extra], env)
        info = json.loads(r.pop("stdout"))
        r.update(followers=info["followers"], waves=len(info["waves"]), bands=info["bands"])
        results[name] = r
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 5_000_000])
    ap.add_argument("--e2e", type=int, default=1_000_000, help="followers in the end-to-end export (0: skip)")
    ap.add_argument("--with-case", action="store_true", help="also time analyze --case (ingest + findings)")
    ap.add_argument("--profiles", action="store_true", help="simulate and score profile fields too")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.profiles)))
        return 0
    OUT.mkdir(exist_ok=True)
    report: dict[str, Any] = {"machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
                              "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "scoring": []}
    for n in args.sizes:
        r = run_child([sys.executable, __file__, "--child", str(n), *(["--profiles"] if args.profiles else [])])
        row = json.loads(r["stdout"])
        report["scoring"].append(row)
        print(f"{n:>10,}: scored in {row['score_s']:.2f} s ({row['per_million_s']:.2f} s per million), "
              f"peak RSS {row['peak_rss_mb']:.0f} MB", file=sys.stderr)
    if args.e2e:
        report["end_to_end"] = end_to_end(args.e2e, args.with_case)
        print(f"end to end: {report['end_to_end']}", file=sys.stderr)
    (OUT / "followers.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
