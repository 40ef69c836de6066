"""`himaya detect coordination`, `himaya campaigns [explain]`, `himaya simulate campaign`, `himaya eval coordination`.

Exit codes: 0 done; 1 nothing to analyse (no timed posts); 2 bad arguments, unknown case, or no
stored campaigns to show.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from himaya.errors import HimayaError

if TYPE_CHECKING:
    from himaya.cli.main import Groups

campaigns_app = typer.Typer(help="Coordinated campaigns found by `himaya detect coordination`: table, report, evidence.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (stable keys).")]
CaseOpt = Annotated[str | None, typer.Option("--case", help="Only this case (default: every case / the whole store).")]
_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h)?\s*$", re.IGNORECASE)


class UsageError(HimayaError):
    exit_code = 2


def register(groups: Groups) -> None:
    groups.detect.command("coordination")(detect_cmd)
    groups.app.add_typer(campaigns_app, name="campaigns")
    campaigns_app.callback(invoke_without_command=True)(campaigns_cmd)
    campaigns_app.command("explain")(explain_cmd)
    groups.simulate.command("campaign")(simulate_cmd)
    groups.eval.command("coordination")(eval_cmd)


def parse_window(text: str) -> int:
    """'60s', '2m', '1h' or a number of seconds."""
    m = _DURATION.match(text)
    if not m or int(m.group(1)) <= 0:
        raise UsageError(f"--window {text!r}: give a positive duration such as 60s, 2m or 1h")
    unit = (m.group(2) or "s").lower()[0]
    seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]
    if seconds > 86400:
        raise UsageError(f"--window {text!r}: more than a day is not co-action, it is a shared topic")
    return seconds


def _progress(as_json: bool) -> Any:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True, disable=as_json)


def detect_cmd(
    window: Annotated[str, typer.Option("--window", help="Δt: how close in time two actions must be (60s, 2m, …).")] = "60s",
    case: Annotated[str | None, typer.Option("--case", help="Analyse this case's posts and store the findings in it (without it: the whole store, nothing stored).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find coordinated accounts and campaigns (co-action within Δt, tested against chance)."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.coordination.detect import CoordinationConfig
    from himaya.detectors.coordination.store import run_case
    from himaya.store.db import open_store

    try:
        config = CoordinationConfig(window=parse_window(window))
        store = open_store(settings())
        with _progress(as_json) as bar:
            task = bar.add_task("coordination")
            result, run = run_case(store, case, config, step=lambda s: bar.update(task, description=s))
    except HimayaError as exc:
        raise fail(exc) from None
    data = {**result.summary(), "case": case, "run_id": run.run_id if run else None,
            "findings_written": run.written if run else 0, "findings_removed": run.removed if run else 0,
            "campaign_list": [{"id": c.id, "size": len(c.members), "core": sum(m.role == "core" for m in c.members),
                               "platforms": [p["platform"] for p in c.platforms], "first_activity": c.first_activity,
                               "last_activity": c.last_activity, "evidence": c.evidence} for c in result.campaigns],
            "surges": result.surges}
    if as_json:
        emit_json(data)
    else:
        _print_detect(data)
    if result.counts["posts_timed"] == 0:
        raise typer.Exit(1)


def _print_detect(data: dict[str, Any]) -> None:
    from himaya.ingest.text import for_display

    c = Console()
    c.print(f"{data['posts']:,} posts from {data['accounts']:,} accounts; {data['posts_without_time']:,} without a time "
            f"(left out of co-action); window {data['window_s']} s", markup=False)
    c.print(f"{data['candidate_pairs']:,} candidate pairs, {data['edges']:,} significant links, "
            f"{data['campaigns']} campaign(s), {data['coordinated_accounts']:,} coordinated account(s)", markup=False)
    table = Table(title="Campaigns")
    for col in ("campaign", "accounts", "core", "platforms", "first", "last", "co-actions"):
        table.add_column(col)
    for k in data["campaign_list"]:
        table.add_row(k["id"], str(k["size"]), str(k["core"]), " → ".join(k["platforms"]), k["first_activity"],
                      k["last_activity"], str(k["evidence"]["coactions"]))
    c.print(table)
    for kind in ("hashtag", "keyword"):
        for s in [s for s in data["surges"] if s.get("kind", "hashtag") == kind][:5]:
            c.print(f"{kind} surge {for_display(s['term'])}: score {s['score']} at {s['peak']}, {s['posts']:,} posts, "
                    f"{100 * s['coordinated_share']:.0f} % from coordinated accounts", markup=False)
    if data["case"]:
        c.print(f"case {for_display(data['case'])}: {data['findings_written']:,} findings stored (run {data['run_id']})",
                markup=False)
    else:
        c.print("no --case: nothing stored", markup=False)


def campaigns_cmd(
    ctx: typer.Context,
    case: CaseOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the HTML report (campaigns.html) into this folder.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Campaigns stored by the last `himaya detect coordination`: table, `--out` HTML report, `--json`."""
    if ctx.invoked_subcommand is not None:
        return
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.coordination.store import stored_campaigns, stored_surges
    from himaya.store.db import open_store

    try:
        store = open_store(settings())
        campaigns = stored_campaigns(store, case)
        surges = stored_surges(store, case)
        if not campaigns and not surges:
            raise UsageError(f"no campaigns stored{' in case ' + repr(case) if case else ''}: "
                             "run `himaya detect coordination --case …` first")
        report = None
        if out is not None:
            from himaya.detectors.coordination.report import write_campaigns_report

            report = write_campaigns_report(out / "campaigns.html", campaigns, surges, case=case)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"case": case, "report": str(report) if report else None,
                   "campaigns": [{k: v for k, v in c.items() if k != "edges"} for c in campaigns], "surges": surges})
        return
    _print_campaigns(campaigns, report)


def _print_campaigns(campaigns: list[dict[str, Any]], report: Path | None) -> None:
    from himaya.ingest.text import for_display

    c = Console()
    table = Table(title=f"{len(campaigns)} campaign(s)")
    for col in ("campaign", "case", "accounts", "core", "platforms (order hit)", "first", "last", "posts", "co-actions",
                "status"):
        table.add_column(col, overflow="fold")
    for k in campaigns:
        table.add_row(k["id"], for_display(k["case"]), str(k["size"]), str(k["core"]),
                      " → ".join(p["platform"] for p in k["platforms"]), k["first_activity"], k["last_activity"],
                      str(k["posts"]), str(k["evidence"]["coactions"]), k["status"])
    c.print(table)
    for k in campaigns[:3]:
        c.print(f"{k['id']}: top narrative: ", end="", markup=False)
        c.print(for_display(k["narratives"][0]["text"])[:160] if k["narratives"] else "(none)", markup=False)
    if report:
        c.print(f"report: {report}", markup=False)


def explain_cmd(
    account_a: Annotated[str, typer.Argument(help="An account as 'platform|account_key' (see the findings) or a handle.")],
    account_b: Annotated[str, typer.Argument(help="The other account.")],
    case: CaseOpt = None,
    window: Annotated[str, typer.Option("--window", help="Δt, as for detect.")] = "60s",
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many shared items in --json.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """Why two accounts are linked: every item both shared within Δt, with both timestamps."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.coordination.explain import sentences
    from himaya.detectors.coordination.store import explain
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    try:
        items, handles = explain(open_store(settings()), case, account_a, account_b, window=parse_window(window))
    except HimayaError as exc:
        raise fail(exc) from None
    keys = list(handles)
    name = {k: "@" + h if not h.startswith(k.split("|")[0] + "|") else h for k, h in handles.items()}
    a_name = name.get(keys[0], account_a) if keys else account_a
    b_name = name.get(keys[1], account_b) if len(keys) > 1 else account_b
    lines = sentences(items, a_name, b_name)
    if as_json:
        emit_json({"accounts": handles, "window_s": parse_window(window), "shared_items": len(items),
                   "summary": lines, "items": [i.as_json() for i in items[:limit]]})
        return
    c = Console()
    if not lines:
        c.print("no shared items within the window", markup=False)
    for line in lines:
        c.print(for_display(line), markup=False)


def simulate_cmd(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write (generic format); ground truth goes to <out>.truth.json.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")] = 0,
    organic: Annotated[int, typer.Option("--organic", min=10, help="Organic accounts.")] = 1500,
    networks: Annotated[int | None, typer.Option("--networks", min=0, max=5, help="Coordinated networks (default: 1-5, from the seed).")] = None,
    min_size: Annotated[int, typer.Option("--min-size", min=2, help="Smallest network.")] = 20,
    max_size: Annotated[int, typer.Option("--max-size", min=2, help="Largest network.")] = 200,
    days: Annotated[int, typer.Option("--days", min=5, help="Days simulated.")] = 14,
    as_json: JsonOpt = False,
) -> None:
    """Simulate organic users, hard negatives and coordinated networks, with ground truth."""
    from himaya.cli.main import emit_json, fail
    from himaya.detectors.coordination.simulate import SimConfig, simulate, write_jsonl

    try:
        if max_size < min_size:
            raise UsageError("--max-size must be at least --min-size")
        sim = simulate(SimConfig(seed=seed, organic_accounts=organic, networks=networks,
                                 network_size=(min_size, max_size), days=days))
        truth = write_jsonl(sim, out)
    except OSError as exc:
        raise fail(UsageError(f"{out}: cannot write ({exc.strerror or exc})")) from None
    except HimayaError as exc:
        raise fail(exc) from None
    data: dict[str, Any] = {"out": str(out), "truth": str(truth), "posts": len(sim.posts), "accounts": len(sim.roles),
            "networks": [{"id": n.id, "language": n.language, "platforms": n.platforms, "members": len(n.members),
                          "dormant": len(n.dormant)} for n in sim.networks]}
    if as_json:
        emit_json(data)
    else:
        Console().print(f"{data['posts']:,} posts by {data['accounts']:,} accounts → {out}; ground truth → {truth}",
                        markup=False)
        for n in data["networks"]:
            Console().print(f"  {n['id']}: {n['members']} accounts ({n['dormant']} dormant), {n['language']}, "
                            f"{' → '.join(n['platforms'])}", markup=False)


def eval_cmd(
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of simulated data sets.")] = 10,
    first_seed: Annotated[int, typer.Option("--first-seed", help="Seed of the first data set.")] = 0,
    max_size: Annotated[int, typer.Option("--max-size", min=20, help="Largest simulated network.")] = 200,
    toolkit: Annotated[bool, typer.Option("--toolkit", help="Also run QUT's coordination-network-toolkit (pip extra 'bench').")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Precision, recall, F1 and campaign ARI on simulated campaigns (optionally beside the QUT toolkit)."""
    from himaya.cli.main import emit_json, fail
    from himaya.detectors.coordination.baseline import toolkit_available
    from himaya.detectors.coordination.evaluate import evaluate
    from himaya.detectors.coordination.simulate import SimConfig

    if toolkit and not toolkit_available():
        raise fail(UsageError("--toolkit needs coordination-network-toolkit: pip install 'himaya[bench]'"))
    with _progress(as_json) as bar:
        task = bar.add_task(f"0/{seeds} seeds")
        result = evaluate(seeds, first_seed=first_seed, sim=SimConfig(network_size=(20, max_size)), toolkit=toolkit,
                          progress=lambda s: bar.update(task, description=f"{s - first_seed + 1}/{seeds} seeds"))
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Coordination on {seeds} simulated data sets (Δt {result['window_s']} s)")
    for col in ("system", "precision", "recall", "F1", "campaign ARI", "seconds / data set"):
        table.add_column(col)
    for name in ("himaya", "toolkit"):
        if name in result:
            r = result[name]
            table.add_row(name, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", f"{r['ari']:.3f}",
                          f"{r['seconds']:.2f}")
    Console().print(table)
    h = result["himaya"]
    Console().print(f"worst seed: precision {h['min_precision']:.3f}, recall {h['min_recall']:.3f}, ARI {h['min_ari']:.3f}")
