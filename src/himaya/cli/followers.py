"""`himaya followers analyze`, `himaya simulate followers`, `himaya eval followers`.

Exit codes of `analyze`: 0 done; 3 done, but some input records or profile rows were bad (listed);
2 the input cannot be used (unreadable export or profiles file, no followers, unknown case).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from himaya.errors import HimayaError

if TYPE_CHECKING:
    from himaya.cli.main import Groups

EXIT_PROBLEMS = 3
followers_app = typer.Typer(no_args_is_help=True, help="Inauthentic follower waves: find them, explain them, list them for removal.")


def register(groups: Groups) -> None:
    followers_app.command("analyze")(analyze)
    groups.app.add_typer(followers_app, name="followers")
    groups.simulate.command("followers")(simulate_followers)
    groups.eval.command("followers")(eval_followers)


def _progress(as_json: bool) -> Any:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True, disable=as_json)


def analyze(
    exports: Annotated[list[Path], typer.Argument(metavar="EXPORT", help="Exports of the same account (Instagram, X archive, generic CSV/JSONL follow rows); several = successive snapshots.")],
    profiles: Annotated[Path | None, typer.Option("--profiles", help="CSV: handle, full_name, posts, followers, following, has_profile_pic, is_private, account_created, bio (any may be blank).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for followers.csv and report.html.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Also ingest the exports into this case and store the findings there.")] = None,
    threshold: Annotated[float, typer.Option("--threshold", min=0.5, max=1.0, help="Score from which a follower is in the remove band.")] = 0.97,
    target: Annotated[str | None, typer.Option("--target", help="Whose followers, when an export lists several accounts' followers.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary (stable keys, see docs/detectors/followers.md).")] = False,
) -> None:
    """Find follow waves and score every follower; write the ranked removal list and an HTML report."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.followers.analysis import analyze as run_analysis
    from himaya.detectors.followers.analysis import known_attackers, on_platform, save, write_outputs
    from himaya.detectors.followers.data import load_exports
    from himaya.detectors.followers.profiles import check_profiles_file, read_profiles
    from himaya.detectors.followers.report import summary

    background = None
    try:
        s = settings()
        with _progress(as_json) as bar:
            task = bar.add_task("reading exports", total=None)
            store, known = None, None
            if profiles:
                check_profiles_file(profiles)  # before the import starts: a bad file stores nothing
            if case:
                from himaya.detectors.followers.analysis import BackgroundIngest
                from himaya.store.db import open_store

                store = open_store(s)
                known = known_attackers(store)
                background = BackgroundIngest(exports, case)
            fs = load_exports(exports, target=target, limits=s.archive,
                              progress=lambda n: bar.update(task, description=f"reading exports: {n:,} followers"))
            prof = read_profiles(profiles, fs.handles) if profiles else None
            bar.update(task, description=f"scoring {len(fs):,} followers")
            a = run_analysis(fs, profiles=prof, known_attackers=on_platform(known, fs.platform), threshold=threshold)
            if out is not None:
                bar.update(task, description="writing followers.csv and report.html")
                info = write_outputs(a, out, case=case)
            else:
                info = summary(a)
            info["case"] = None
            if case and store is not None and background is not None:
                bar.update(task, description=f"ingesting into case {case} (second process)")
                done = background.result()
                background = None
                if "error" in done:
                    raise IngestFailed(done["error"], done["exit_code"])
                bar.update(task, description="saving findings")
                run = save(store, case, a, info)
                info["case"] = {"name": case, "import_ids": done["import_ids"], "run_id": run.run_id,
                                "findings_written": run.written, "findings_removed": run.removed}
    except HimayaError as exc:
        raise fail(exc) from None
    finally:
        if background is not None:
            background.stop()
    code = EXIT_PROBLEMS if any(p["severity"] != "warning" for p in info["problems"]) else 0
    info["exit_code"] = code
    if as_json:
        emit_json(info)
    else:
        _print_summary(info)
    raise typer.Exit(code)


class IngestFailed(HimayaError):
    """The exports could not be ingested into the case: nothing of this run was stored."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(f"ingest into the case failed: {message}")
        self.exit_code = code


def _print_summary(info: dict[str, Any]) -> None:
    from himaya.ingest.text import for_display

    c = Console(highlight=False)
    b = info["bands"]
    c.print(f"[bold]{for_display(info['target'])}[/] ({info['platform']}): {info['followers']:,} followers, "
            f"{info['timed_followers']:,} with a follow time")
    if info["status"] != "ok":
        c.print(f"note: {info['message']}", markup=False)
    for note in info["notes"]:
        c.print(f"note: {for_display(note)}", markup=False)
    if info["waves"]:
        year = info["waves"][0]["start"][:4]
        t = Table(title=f"{len(info['waves'])} wave(s), times UTC ({year})")
        for col in ("wave", "start", "end", "follows", "usual/h", "remove", "review"):
            t.add_column(col, justify="left" if col in ("start", "end") else "right", no_wrap=True)
        for w in info["waves"]:
            start, end = w["start"][5:16].replace("T", " "), w["end"][5:16].replace("T", " ")
            t.add_row(str(w["number"]), start, end[6:] if end[:5] == start[:5] else end, f"{w['follows']:,}",
                      f"{w['usual_per_hour']:.1f}", f"{w['remove']:,}", f"{w['review']:,}")
        c.print(t)
    elif info["status"] == "ok":
        c.print("no wave: the follows fit the usual rate")
    for f in info["families"][:10]:
        c.print(f"  wave {f['wave']}: handle pattern {f['pattern']} × {f['members']:,} "
                f"(e.g. {', '.join(for_display(e) for e in f['examples'])})", markup=False)
    for blk in info["order_blocks"][:10]:
        c.print(f"  listing positions {blk['first_position']:,}–{blk['last_position']:,}: {blk['matching']:,} handles "
                f"like {blk['pattern']}", markup=False)
    c.print(f"remove {b['remove']:,} · review {b['review']:,} · keep {b['keep']:,} (remove from score {info['threshold']})")
    if len(info["snapshots"]) > 1:
        for s in info["snapshots"][1:]:
            c.print(f"  {for_display(s['name'])}: {s['appeared']:,} appeared, {s['disappeared']:,} disappeared "
                    "since the previous export", markup=False)
    if info["problems"]:
        c.print(f"{len(info['problems'])} problem(s) in the input, first: {for_display(info['problems'][0]['path'])} "
                f"{info['problems'][0]['position']}: {for_display(info['problems'][0]['message'])}", markup=False)
    if info["outputs"]["csv"]:
        c.print(f"ranked list: {info['outputs']['csv']}\nreport: {info['outputs']['report']}", markup=False)
    if info.get("case"):
        k = info["case"]
        c.print(f"case {for_display(k['name'])}: {k['findings_written']:,} findings stored (run {k['run_id']})", markup=False)


def simulate_followers(
    out: Annotated[Path, typer.Option("--out", help="Folder for the export ZIP(s), profiles.csv and truth.json.")],
    seed: Annotated[int, typer.Option("--seed", help="Scenario seed (same seed, same files).")] = 0,
    days: Annotated[float, typer.Option("--days", min=4, help="Length of the follow history.")] = 60.0,
    followers: Annotated[int | None, typer.Option("--followers", min=100, help="About this many followers in all (default: from the organic rate).")] = None,
    waves: Annotated[int | None, typer.Option("--waves", min=0, max=5, help="Number of attack waves (default: 1–5 at random).")] = None,
    snapshots: Annotated[int, typer.Option("--snapshots", min=1, max=2, help="2: an earlier export too (unfollows and removals between them).")] = 1,
    skew_hours: Annotated[float, typer.Option("--skew-hours", help="Clock skew added to the second snapshot's times.")] = 0.0,
    no_times: Annotated[bool, typer.Option("--no-times", help="Leave follow times out, as older exports do.")] = False,
    no_profiles: Annotated[bool, typer.Option("--no-profiles", help="Do not write profiles.csv.")] = False,
    target: Annotated[str, typer.Option("--target", help="Handle of the simulated account.")] = "banafsha.collective",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Simulate a follower history with attack waves and ground truth, written as an Instagram export."""
    from himaya.cli.main import emit_json
    from himaya.detectors.followers.exports import write_scenario
    from himaya.detectors.followers.simulate import simulate

    sc = simulate(seed, days=days, n_followers=followers, waves=waves, target=target)
    written = write_scenario(sc, out, snapshots=snapshots, skew_h=skew_hours, profiles=not no_profiles,
                             with_times=not no_times)
    written["waves"] = [{"start": w.start, "end": w.end, "size": w.size, "style": w.style} for w in sc.waves]
    if as_json:
        emit_json(written)
        return
    typer.echo(f"{written['followers']:,} followers, {written['attackers']:,} of them in {len(sc.waves)} wave(s), "
               f"{len(sc.spikes)} viral spike(s)")
    for p in written["exports"]:
        typer.echo(f"export: {p}")
    if written["profiles"]:
        typer.echo(f"profiles: {written['profiles']}")
    typer.echo(f"truth: {written['truth']}")


def eval_followers(
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of simulated scenarios.")] = 20,
    first_seed: Annotated[int, typer.Option("--first-seed", help="First seed (defaults were tuned on seeds ≥ 1000).")] = 0,
    threshold: Annotated[float, typer.Option("--threshold", min=0.5, max=1.0, help="Remove-band threshold to evaluate.")] = 0.97,
    days: Annotated[float, typer.Option("--days", min=4, help="History length of each scenario.")] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (stable keys).")] = False,
) -> None:
    """Precision, recall and wave timing of the follower detector on simulated scenarios."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from himaya.cli.main import emit_json
    from himaya.detectors.followers.evaluate import evaluate, too_little_data_check

    with Progress(TextColumn("scenarios"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("eval", total=seeds)
        result = evaluate(seeds, first_seed=first_seed, threshold=threshold, days=days,
                          progress=lambda k: bar.update(task, completed=k))
    result["too_little_data"] = too_little_data_check()
    if as_json:
        emit_json(result)
        return
    c = Console(highlight=False)
    t = Table(title=f"followers: {seeds} scenarios (seeds {first_seed}–{first_seed + seeds - 1}), "
                    f"{result['followers']:,} followers, remove from {threshold}")
    t.add_column("figure")
    for m in result["modes"]:
        t.add_column(m.replace("_", " "), justify="right")
    for key in ("remove_precision", "remove_recall", "member_recall", "flagged_precision", "flagged_f1",
                "genuine_removed", "genuine_in_review", "worst_seed_remove_precision", "worst_seed_member_recall"):
        vals = [result["modes"][m][key] for m in result["modes"]]
        t.add_row(key.replace("_", " "), *[f"{v:,}" if isinstance(v, int) else f"{v:.4f}" for v in vals])
    c.print(t)
    w = result["waves"]
    c.print(f"waves: {w['matched_within_15_min']}/{w['true']} found with start and end within 15 min "
            f"(recall {w['recall']:.3f}); {w['found']} reported (precision {w['precision']:.3f}); boundary error "
            f"median {w['boundary_error_median_s']:.0f} s, 95th percentile {w['boundary_error_p95_s']:.0f} s, "
            f"max {w['boundary_error_max_s']:.0f} s")
    tl = result["too_little_data"]
    c.print(f"12 followers: status {tl['status']}, {tl['waves']} wave(s)")
