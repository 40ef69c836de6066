"""Findings through the real store, on SQLite and (with HIMAYA_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from himaya.detectors.followers.analysis import analyze, known_attackers, on_platform, save
from himaya.detectors.followers.data import load_exports
from himaya.findings import load_findings, set_status
from himaya.store.db import Store
from himaya.store.importer import Importer
from himaya.store.read import iter_follows, scope_for


def test_findings_saved_refreshed_and_decisions_kept(store: Store, sim_files: dict[str, Any]) -> None:
    exports = [Path(p) for p in sim_files["exports"]]
    Importer(store, case="c1").run(exports[0])
    stored = list(iter_follows(store, scope_for(store, "c1"), platform="instagram"))
    assert len(stored) == sim_files["followers"]  # the store holds what the analysis read
    a = analyze(load_exports(exports))
    run = save(store, "c1", a, {"target": "t", "platform": "instagram", "followers": 1, "timed_followers": 1,
                                "status": "ok", "bands": {}, "threshold": 0.97, "waves": []})
    flagged = int((a.scored.band > 0).sum())
    assert run.written == len(a.waves.waves) + flagged
    accounts = load_findings(store, "c1", kind="inauthentic_follower")
    top = accounts[0]
    assert top.finding.subject_key.startswith("instagram|h:") and top.finding.band == "remove"
    assert top.finding.evidence["wave"] in (1, 2) and top.finding.reasons[0].startswith("followed during wave")
    set_status(store, top.id, "confirmed", "analyst")
    # the decision survives a re-run, and the confirmed handle becomes evidence in other cases
    save(store, "c1", a, {"target": "t", "platform": "instagram", "followers": 1, "timed_followers": 1,
                          "status": "ok", "bands": {}, "threshold": 0.97, "waves": []})
    again = {f.finding.subject_key: f.status for f in load_findings(store, "c1", kind="inauthentic_follower")}
    assert again[top.finding.subject_key] == "confirmed" and len(again) == flagged
    known = known_attackers(store)
    assert known == {("instagram", top.finding.evidence["handle"]): "c1"}
    assert on_platform(known, "instagram") == {top.finding.evidence["handle"]: "c1"} and on_platform(known, "x") == {}
