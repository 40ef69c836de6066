"""Steps of `make demo` beyond ingest, one module per detector (`run(ctx) -> failures`)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

STEPS: tuple[str, ...] = ("followers", "content", "coordination", "media")


@dataclass
class DemoContext:
    out: Path             # demo-output/: everything the demo writes goes under it
    env: dict[str, str]   # environment for the CLI: HIMAYA_HOME is the demo's own store
    console: Console
    case: str             # the case the demo exports were ingested into
    exports: dict[str, Path]  # format name → generated export (see himaya.synth.generate_all)

    def himaya(self, *args: str) -> int:
        """Run the real CLI in a subprocess, showing the command as a newcomer would type it."""
        self.console.print(f"[bold cyan]$ himaya {' '.join(args)}[/]")
        return subprocess.call([sys.executable, "-m", "himaya", *args], env=self.env)  # noqa: S603 - our own CLI
