"""Through the store and the real CLI: simulate → ingest → detect → campaigns → explain."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from himaya.detectors.coordination.simulate import SimConfig, simulate, write_jsonl
from himaya.detectors.coordination.store import run_case, stored_campaigns
from himaya.findings import load_findings
from himaya.store.db import Store
from himaya.store.importer import Importer
from tests.cli.helpers import invoke


def small_sim(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    sim = simulate(SimConfig(seed=11, organic_accounts=150, networks=2, network_size=(20, 40), days=6))
    out = tmp_path / "sim.jsonl"
    truth = json.loads(write_jsonl(sim, out).read_text(encoding="utf-8"))
    return out, truth


def test_store_run_keeps_findings_and_reruns_replace_them(store: Store, tmp_path: Path) -> None:
    path, truth = small_sim(tmp_path)
    Importer(store, case="c1").run(path)
    _, run = run_case(store, "c1")
    assert run is not None and run.written > 0
    flagged = {f.finding.subject_key for f in load_findings(store, "c1", kind="coordinated_account")}
    assert flagged == set(truth["accounts"])                       # exactly the simulated networks
    campaigns = stored_campaigns(store, "c1")
    assert len(campaigns) == 2 and sorted(c["size"] for c in campaigns) == sorted(
        len(n["members"]) for n in truth["networks"])
    media = sum(c["evidence"]["co_media"] for c in campaigns)
    assert media > 0                                               # PDQ from the export's media rows
    _, again = run_case(store, "c1")
    assert again is not None and again.removed == 0
    assert len(load_findings(store, "c1", kind="campaign")) == 2   # a rerun refreshes, never duplicates


def test_other_cases_and_organisations_are_not_read(store: Store, tmp_path: Path) -> None:
    path, _ = small_sim(tmp_path)
    Importer(store, case="c1").run(path)
    from himaya.cases.registry import CaseNotFound

    with pytest.raises(CaseNotFound):
        run_case(store, "other")


def test_cli_end_to_end(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "sim.jsonl"
    code, stdout, _ = invoke("simulate", "campaign", "--out", str(out), "--seed", "4", "--organic", "150",
                             "--networks", "1", "--min-size", "20", "--max-size", "30", "--days", "6", "--json")
    assert code == 0
    sim = json.loads(stdout)
    assert sim["posts"] > 0 and Path(sim["truth"]).is_file() and len(sim["networks"]) == 1
    assert invoke("ingest", str(out), "--case", "c1", "--json")[0] == 0

    code, stdout, _ = invoke("detect", "coordination", "--case", "c1", "--window", "1m", "--json")
    assert code == 0
    det = json.loads(stdout)
    assert {"posts", "posts_without_time", "accounts", "campaigns", "coordinated_accounts", "window_s",
            "campaign_list", "surges", "findings_written", "run_id"} <= set(det)
    assert det["window_s"] == 60 and det["campaigns"] == 1

    code, stdout, _ = invoke("campaigns", "--case", "c1", "--json", "--out", str(tmp_path / "rep"))
    assert code == 0
    data = json.loads(stdout)
    c = data["campaigns"][0]
    members = c["members"]
    assert {"platform", "author_id", "handle", "role"} <= set(members[0])
    assert {m["role"] for m in members} <= {"core", "peripheral"}
    assert {"coactions", "pairs", "co_text", "co_url", "co_media", "co_hashtags", "co_reply", "co_share"} <= set(c["evidence"])
    truth = json.loads(Path(sim["truth"]).read_text(encoding="utf-8"))
    assert {m["account"] for m in members} == set(truth["accounts"])
    html = (tmp_path / "rep" / "campaigns.html").read_text(encoding="utf-8")
    assert "<script" not in html and html.count("data:image/svg+xml;base64,") >= 2
    assert re.search(r"Content-Security-Policy\" content=\"default-src (&#39;|')none", html)

    code, stdout, _ = invoke("campaigns", "explain", members[0]["account"], members[1]["account"], "--case", "c1",
                             "--json")
    assert code == 0
    ex = json.loads(stdout)
    assert ex["shared_items"] > 0 and ex["summary"] and all(i["gap_s"] <= 60 for i in ex["items"])

    code, stdout, _ = invoke("campaigns", "explain", members[0]["handle"], "@" + members[1]["handle"], "--case", "c1")
    assert code == 0 and "within" in stdout


def test_cli_errors(home: Path, tmp_path: Path) -> None:
    code, _, err = invoke("detect", "coordination", "--window", "soon")
    assert code == 2 and "--window" in err
    code, _, err = invoke("detect", "coordination", "--window", "3d")
    assert code == 2
    out, _ = small_sim(tmp_path)
    invoke("ingest", str(out), "--case", "c1")
    code, _, err = invoke("detect", "coordination", "--case", "nope")
    assert code == 2 and "nope" in err
    code, _, err = invoke("campaigns", "--case", "c1")
    assert code == 2 and "detect coordination" in err            # nothing stored yet
    code, _, err = invoke("campaigns", "explain", "x|id:1", "x|id:2", "--case", "c1")
    assert code == 2 and "no posts" in err


def test_detect_without_case_stores_nothing(home: Path, tmp_path: Path) -> None:
    out, _ = small_sim(tmp_path)
    invoke("ingest", str(out), "--case", "c1")
    code, stdout, _ = invoke("detect", "coordination", "--json")
    assert code == 0
    data = json.loads(stdout)
    assert data["campaigns"] == 2 and data["run_id"] is None and data["findings_written"] == 0


def test_eval_json(home: Path) -> None:
    code, stdout, _ = invoke("eval", "coordination", "--seeds", "1", "--max-size", "40", "--json")
    assert code == 0
    r = json.loads(stdout)
    assert r["himaya"]["precision"] >= 0.95 and r["himaya"]["recall"] >= 0.9
