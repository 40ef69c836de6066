"""One analysis end to end, without the command line: follower set in, `Analysis` out, then its outputs."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from himaya.detectors.followers import DETECTOR, VERSION
from himaya.detectors.followers.data import FollowerSet
from himaya.detectors.followers.handles import handle_features
from himaya.detectors.followers.order import order_blocks
from himaya.detectors.followers.profiles import Profiles
from himaya.detectors.followers.report import (
    Analysis,
    findings,
    summary,
    write_changes,
    write_csv,
    write_html,
)
from himaya.detectors.followers.scoring import DEFAULT_THRESHOLD, score_followers
from himaya.detectors.followers.waves import detect_waves
from himaya.findings import SavedRun, load_findings, save_findings
from himaya.store.db import Store


def analyze(fs: FollowerSet, *, profiles: Profiles | None = None, known_attackers: dict[str, str] | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> Analysis:
    wr = detect_waves(fs.times)
    feat = handle_features(fs.handles)
    scored = score_followers(fs, wr, profiles=profiles, known_attackers=known_attackers, threshold=threshold,
                             features=feat)
    a = Analysis(fs, wr, scored, profiles)
    if wr.status == "no_times":
        a.blocks = order_blocks(fs, scored, feat)
    problems = [*fs.problems, *(profiles.problems if profiles else [])]
    a.problems = [{"path": p.path, "position": p.position, "severity": p.severity, "message": p.message}
                  for p in problems]
    return a


def known_attackers(store: Store) -> dict[tuple[str, str], str]:
    """(platform, handle) of followers an analyst confirmed as attackers in any case of the organisation → that case."""
    out: dict[tuple[str, str], str] = {}
    for sf in load_findings(store, None, detector=DETECTOR, kind="inauthentic_follower", status="confirmed"):
        handle = sf.finding.evidence.get("handle")
        if sf.finding.platform and isinstance(handle, str):
            out.setdefault((sf.finding.platform, handle), sf.case)
    return out


def on_platform(known: dict[tuple[str, str], str] | None, platform: str) -> dict[str, str] | None:
    return None if known is None else {h: c for (p, h), c in known.items() if p == platform}


def write_outputs(a: Analysis, out: Path, *, case: str | None) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    csv_path, html_path = out / "followers.csv", out / "report.html"
    write_csv(csv_path, a)
    if len(a.followers.snapshots) > 1:
        write_changes(out / "changes.csv", a.followers)
    info = summary(a, csv_path=csv_path, report_path=html_path)
    write_html(html_path, a, info, case=case)
    return info


def save(store: Store, case: str, a: Analysis, info: dict[str, Any]) -> SavedRun:
    keep = {k: info[k] for k in ("target", "platform", "followers", "timed_followers", "status", "bands", "threshold")}
    keep["waves"] = [{k: w[k] for k in ("number", "start", "end", "follows", "expected", "log10_p")} for w in info["waves"]]
    return save_findings(store, case, DETECTOR, VERSION, findings(a),
                         params={"threshold": a.scored.threshold, "target": a.followers.target},
                         summary=keep, kinds=("follower_wave", "inauthentic_follower"))


class BackgroundIngest:
    """`--case`: the exports are ingested by a second process while this one parses and scores them.

    The import is the foundation's own (one transaction per export, as `himaya ingest`); running it
    beside the analysis uses the second core and saves the time of one full parse at a million
    followers. If the analysis fails, the import process is stopped before it commits: its open
    transaction is discarded by the database, as after any interrupted import (`himaya fsck` lists
    any blob it left).
    """

    def __init__(self, paths: list[Path], case: str) -> None:
        # spawn, not fork: no inherited database connections or threads. The child re-imports the
        # entry point, which is safe for `python -m himaya` and the guarded `himaya` script.
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc: BaseProcess = ctx.Process(target=_ingest_child, args=([str(p) for p in paths], case, send),
                                              daemon=True)
        self._proc.start()
        send.close()

    def result(self) -> dict[str, Any]:
        """{"import_ids": [...]} or {"error": message, "exit_code": n}."""
        try:
            out: dict[str, Any] = self._recv.recv()
        except EOFError:
            out = {"error": f"the import process ended without a result (exit code {self._proc.exitcode})",
                   "exit_code": 1}
        self._proc.join()
        return out

    def stop(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()


def _ingest_child(paths: list[str], case: str, send: Connection) -> None:
    from himaya.config import Settings
    from himaya.errors import HimayaError
    from himaya.store.db import open_store
    from himaya.store.importer import Importer

    try:
        store = open_store(Settings())
        send.send({"import_ids": [Importer(store, case=case).run(Path(p)).import_id for p in paths]})
    except HimayaError as exc:
        send.send({"error": exc.message, "exit_code": exc.exit_code})
    finally:
        send.close()
