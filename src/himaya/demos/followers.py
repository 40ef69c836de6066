"""Demo step: a simulated follower history with attack waves, analysed end to end into the demo case."""

from __future__ import annotations

from himaya.demos import DemoContext

TITLE = "Follower waves: find them, explain them, hand over a safe removal list"


def run(ctx: DemoContext) -> int:
    base = ctx.out / "followers"
    scenario, report = base / "scenario", base / "report"
    failures = 0
    # Two successive Instagram exports of the collective, the later one with its clock 2 h ahead.
    failures += ctx.himaya("simulate", "followers", "--out", str(scenario), "--seed", "7", "--days", "45",
                           "--snapshots", "2", "--skew-hours", "2") != 0
    exports = sorted(str(p) for p in scenario.glob("*.zip"))
    if not exports:
        return failures + 1
    # Its own case, so the other demo steps see the collective's exports exactly as before.
    case = f"{ctx.case}-followers"
    failures += ctx.himaya("followers", "analyze", *exports, "--profiles", str(scenario / "profiles.csv"),
                           "--case", case, "--out", str(report)) != 0
    failures += ctx.himaya("findings", "list", "--case", case, "--kind", "follower_wave", "--limit", "3") != 0
    instagram = ctx.exports.get("instagram")
    if instagram is not None:
        # The demo collective's own export: a real-looking export, but few followers. Expect honesty.
        failures += ctx.himaya("followers", "analyze", str(instagram), "--out", str(base / "own-export")) != 0
    ctx.console.print(f"Removal list: {report / 'followers.csv'}\nReport (open in a browser, runs no script): "
                      f"{report / 'report.html'}\nGround truth of the simulation: {scenario / 'truth.json'}")
    return failures
