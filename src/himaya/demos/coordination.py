"""Demo step: a simulated smear campaign, ingested like any export, found, reported and explained."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from himaya.demos import DemoContext

TITLE = "Coordinated campaigns: simulate, ingest, detect, report, explain"


def _campaigns_json(ctx: DemoContext) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "himaya", "campaigns", "--case", ctx.case, "--json"],  # noqa: S603
                          env=ctx.env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        ctx.console.print(done.stderr, markup=False)
        return {}
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def run(ctx: DemoContext) -> int:
    out = ctx.out / "coordination"
    out.mkdir(parents=True, exist_ok=True)
    sim = out / "campaign.jsonl"
    failures = 0
    failures += ctx.himaya("simulate", "campaign", "--out", str(sim), "--seed", "7", "--organic", "400",
                           "--networks", "2", "--min-size", "30", "--max-size", "80") != 0
    failures += ctx.himaya("ingest", str(sim), "--case", ctx.case) not in (0, 3)
    failures += ctx.himaya("detect", "coordination", "--case", ctx.case, "--window", "60s") != 0
    failures += ctx.himaya("campaigns", "--case", ctx.case, "--out", str(out)) != 0
    data = _campaigns_json(ctx)
    campaigns = data.get("campaigns")
    if not isinstance(campaigns, list) or not campaigns:
        ctx.console.print("no campaign found: that is a failure of the demo", markup=False)
        return failures + 1
    first = campaigns[0]
    members = [m for m in first["members"] if m["role"] == "core"][:2] or first["members"][:2]
    ctx.console.print(f"{first['id']}: {first['size']} accounts, platforms "
                      f"{' → '.join(p['platform'] for p in first['platforms'])}, evidence {first['evidence']}",
                      markup=False)
    if len(members) == 2:
        failures += ctx.himaya("campaigns", "explain", members[0]["account"], members[1]["account"],
                               "--case", ctx.case) != 0
    ctx.console.print(f"report: {out / 'campaigns.html'}; ground truth beside the simulated data: {sim}.truth.json",
                      markup=False)
    return failures
