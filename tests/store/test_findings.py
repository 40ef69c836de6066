"""Cases, findings and the detectors' read API, on real SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from himaya.cases.registry import CaseNotFound
from himaya.findings import Finding, FindingError, load_findings, save_findings, set_status
from himaya.store import schema
from himaya.store.db import Store, open_store
from himaya.store.importer import Importer
from himaya.store.read import count_posts, iter_accounts, iter_follows, iter_posts, scope_for
from tests.store.helpers import generic_row, write_jsonl


def _finding(key: str, score: float, kind: str = "inauthentic_follower", **over: object) -> Finding:
    base: dict[str, object] = {"detector": "followers", "kind": kind, "subject_type": "account",
                               "subject_key": key, "platform": "instagram", "score": score, "band": "review",
                               "reasons": (f"reason for {key}",), "evidence": {"wave": 1}, "model_version": "t1"}
    base.update(over)
    return Finding(**base)  # type: ignore[arg-type]


def test_findings_round_trip_rerun_and_analyst_decisions(store: Store) -> None:
    run = save_findings(store, "case-a", "followers", "1.0",
                        [_finding("instagram|h:a", 0.9), _finding("instagram|h:b", 0.5), _finding("instagram|h:c", 0.7)],
                        params={"threshold": 0.8}, summary={"waves": 1})
    assert run.written == 3 and run.removed == 0
    rows = load_findings(store, "case-a")
    assert [r.finding.subject_key for r in rows] == ["instagram|h:a", "instagram|h:c", "instagram|h:b"]
    assert rows[0].finding.reasons == ("reason for instagram|h:a",) and rows[0].finding.evidence == {"wave": 1}
    confirmed = next(r.id for r in rows if r.finding.subject_key == "instagram|h:b")
    rejected = next(r.id for r in rows if r.finding.subject_key == "instagram|h:c")
    set_status(store, confirmed, "confirmed", "analyst-1")
    set_status(store, rejected, "rejected", "analyst-1")

    # The re-run finds a again (refreshed), d anew; b and c are not found but keep the analyst's decision.
    rerun = save_findings(store, "case-a", "followers", "1.1", [_finding("instagram|h:a", 0.95), _finding("instagram|h:d", 0.6)])
    assert rerun.removed == 0
    by_key = {r.finding.subject_key: r for r in load_findings(store, "case-a")}
    assert set(by_key) == {"instagram|h:a", "instagram|h:b", "instagram|h:c", "instagram|h:d"}
    assert by_key["instagram|h:a"].finding.score == 0.95 and by_key["instagram|h:a"].run_id == rerun.run_id
    assert by_key["instagram|h:b"].status == "confirmed" and by_key["instagram|h:c"].status == "rejected"

    # A third run that finds only d drops a (open) as superseded.
    third = save_findings(store, "case-a", "followers", "1.1", [_finding("instagram|h:d", 0.6)])
    assert third.removed == 1
    assert {r.finding.subject_key for r in load_findings(store, "case-a", status="open")} == {"instagram|h:d"}


def test_findings_are_isolated_by_case_and_organisation(store: Store, store_settings) -> None:  # type: ignore[no-untyped-def]
    save_findings(store, "case-a", "followers", "1", [_finding("instagram|h:a", 0.9)])
    save_findings(store, "case-b", "followers", "1", [_finding("instagram|h:z", 0.9)])
    assert [r.finding.subject_key for r in load_findings(store, "case-b")] == ["instagram|h:z"]
    other = open_store(store_settings, org_id=store.org_id + "-other")
    try:
        assert load_findings(other) == []
        assert load_findings(other, "case-a") == []
        victim = load_findings(store, "case-a")[0].id
        with pytest.raises(FindingError):
            set_status(other, victim, "rejected", "intruder")
    finally:
        other.close()
    assert load_findings(store, "case-a")[0].status == "open"


def test_bad_runs_are_refused_and_leave_nothing(store: Store) -> None:
    with pytest.raises(FindingError, match="twice"):
        save_findings(store, "case-a", "followers", "1", [_finding("instagram|h:a", 0.9), _finding("instagram|h:a", 0.8)])
    with pytest.raises(FindingError, match="detector"):
        save_findings(store, "case-a", "followers", "1", [_finding("x", 0.5, detector="media")])
    with pytest.raises(ValueError):
        _finding("x", 1.5)
    with store.engine.connect() as conn:
        for t in (schema.findings, schema.detector_runs, schema.cases):
            assert conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.org_id == store.org_id)).scalar_one() == 0


def test_finding_detail_is_encrypted_at_rest(store: Store) -> None:
    save_findings(store, "case-a", "content", "1", [Finding(
        detector="content", kind="harmful_content", subject_type="post", subject_key="x|1", score=0.99,
        labels={"threat_of_violence": 0.99}, reasons=("سنقتلك يا رحاب",), evidence={"spans": [[0, 5]]})])
    with store.engine.connect() as conn:
        raw = conn.execute(sa.select(schema.findings.c.detail).where(schema.findings.c.org_id == store.org_id)).scalar_one()
    assert "سنقتلك".encode() not in bytes(raw) and b"threat_of_violence" not in bytes(raw)


def test_read_api_scopes_posts_and_follows_by_case(store: Store, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [generic_row(i) for i in range(5)])
    b = write_jsonl(tmp_path / "b.jsonl", [generic_row(i) for i in range(3, 8)])
    Importer(store, case="case-a").run(a)
    Importer(store, case="case-b").run(b)
    ids_a = sorted(p.post_id for p in iter_posts(store, scope_for(store, "case-a")))
    ids_b = sorted(p.post_id for p in iter_posts(store, scope_for(store, "case-b")))
    assert ids_a == [str(1000 + i) for i in range(5)]
    # 1003 and 1004 were first stored from a.jsonl: case-b still sees them, through its sightings
    assert ids_b == [str(1000 + i) for i in range(3, 8)]
    post = next(iter_posts(store, scope_for(store, "case-a")))
    assert post.text.startswith("reply number") and post.author_handle and post.created_at is not None
    assert post.hashtags and post.author == f"x|{post.author_key}"
    assert len(list(iter_posts(store))) == 8
    assert count_posts(store) == 8
    assert count_posts(store, scope_for(store, "case-a")) == 5 and count_posts(store, scope_for(store, "case-b")) == 5
    with pytest.raises(CaseNotFound):
        scope_for(store, "no-such-case")
    assert list(iter_follows(store, scope_for(store, "case-a"))) == []
    assert {acc.handle for acc in iter_accounts(store, platform="x")} >= {"attacker_sample0"}
