"""`python -m himaya.synth OUT [--seed N] [--followers N] [--messages N]`: write synthetic exports.

Without --followers/--messages: one small export per format (what `make demo` ingests). With them:
also the large benchmark inputs (an Instagram ZIP with N followers, a Telegram chat with N messages).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from himaya.synth import generate_all, write_instagram_followers, write_telegram_chat


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m himaya.synth", description=__doc__.split("\n")[0] if __doc__ else "")
    ap.add_argument("out", type=Path, help="folder to write into (created if needed)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--followers", type=int, default=0, help="also write an Instagram ZIP with this many followers")
    ap.add_argument("--messages", type=int, default=0, help="also write a Telegram chat with this many messages")
    args = ap.parse_args(argv)
    for key, g in generate_all(args.out, args.seed).items():
        opts = " ".join(g.cli_options)
        print(f"{key:20} {g.path}" + (f"   (ingest with {opts})" if opts else ""))
    if args.followers:
        t = time.perf_counter()
        p = write_instagram_followers(args.out / "large" / f"instagram_{args.followers}.zip", args.followers, args.seed)
        print(f"{'followers':20} {p}   ({time.perf_counter() - t:.1f} s)")
    if args.messages:
        t = time.perf_counter()
        p = write_telegram_chat(args.out / "large" / f"telegram_{args.messages}", args.messages, args.seed)
        print(f"{'telegram_large':20} {p}   ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
