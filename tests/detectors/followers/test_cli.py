"""`himaya followers analyze`, `himaya simulate followers`, `himaya eval followers` as a user meets them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from himaya.config import Settings
from himaya.findings import load_findings, set_status
from himaya.store import schema
from himaya.store.db import open_store
from tests.cli.helpers import invoke
from tests.detectors.followers.conftest import write_generic_follows

SUMMARY_KEYS = {"detector", "version", "platform", "target", "followers", "timed_followers", "status", "message",
                "time_basis", "usual_per_hour", "dispersion", "snapshots", "waves", "surges", "families",
                "near_identical_groups", "order_blocks", "bands", "threshold", "review_threshold", "duplicates",
                "profiles", "notes", "problems", "outputs", "case", "exit_code"}
WAVE_KEYS = {"number", "start", "end", "follows", "expected", "excess", "log10_p", "peak_per_hour", "usual_per_hour",
             "remove", "review", "description"}


def analyze_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("followers", "analyze", *args, "--json")
    assert out.strip(), err
    return code, json.loads(out)


def test_analyze_with_case_out_and_profiles(home: Path, tmp_path: Path, sim_files: dict[str, Any]) -> None:
    out = tmp_path / "out"
    code, data = analyze_json(*sim_files["exports"], "--profiles", sim_files["profiles"], "--out", str(out),
                              "--case", "c1")
    assert code == 0 and set(data) == SUMMARY_KEYS
    assert data["status"] == "ok" and data["time_basis"] == "follow_times" and len(data["waves"]) == 2
    assert set(data["waves"][0]) == WAVE_KEYS
    assert data["profiles"] == {"given": True, "matched": 3774, "unmatched": 0}
    assert any(f["pattern"] == "name.####" for f in data["families"])
    rows = list(csv.reader((out / "followers.csv").open(encoding="utf-8")))
    assert tuple(rows[0]) == ("handle", "score", "band", "wave", "reasons") and len(rows) == 3775
    scores = [float(r[1]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    assert rows[1][2] == "remove" and rows[1][3] in ("1", "2") and "followed during wave" in rows[1][4]
    assert data["bands"]["remove"] == sum(r[2] == "remove" for r in rows[1:])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and 'style="' not in html and "data:image/svg+xml;base64," in html
    assert "Handle families" in html and "Wave 1" in html
    # findings: two waves plus every follower in remove/review
    case = data["case"]
    assert case["name"] == "c1" and case["findings_written"] == 2 + data["bands"]["remove"] + data["bands"]["review"]
    store = open_store(Settings())
    waves = load_findings(store, "c1", detector="followers", kind="follower_wave")
    accounts = load_findings(store, "c1", detector="followers", kind="inauthentic_follower")
    assert len(waves) == 2 and accounts[0].finding.subject_key.startswith("instagram|h:")
    assert accounts[0].finding.band == "remove" and accounts[0].finding.reasons
    # a second run refreshes findings instead of duplicating them; the store holds the ingested follows
    code, again = analyze_json(*sim_files["exports"], "--case", "c1")
    assert code == 0 and len(load_findings(store, "c1", kind="follower_wave")) == 2
    assert again["case"]["import_ids"]


def test_confirmed_attacker_in_another_case_counts(home: Path, sim_files: dict[str, Any], tmp_path: Path) -> None:
    analyze_json(*sim_files["exports"], "--case", "first")
    store = open_store(Settings())
    review = load_findings(store, "first", kind="inauthentic_follower")
    target = review[-1]
    set_status(store, target.id, "confirmed", "analyst-1")
    handle = target.finding.evidence["handle"]
    out = tmp_path / "o2"
    rows = [(f"u{i}", f"2025-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z") for i in range(150)] + [(handle, "2025-01-05T10:00:00Z")]
    analyze_json(str(write_generic_follows(tmp_path / "g.csv", rows)), "--case", "second", "--out", str(out))
    got = {r[0]: r for r in csv.reader((out / "followers.csv").open(encoding="utf-8"))}
    assert got[handle][2] == "remove" and "confirmed as an attacker in case first" in got[handle][4]


def test_snapshots_and_skew(home: Path, tmp_path: Path, sim_snapshots: dict[str, Any]) -> None:
    code, data = analyze_json(*sim_snapshots["exports"])
    assert code == 0 and len(data["snapshots"]) == 2
    assert data["snapshots"][1]["skew_hours"] == 3.5 and data["snapshots"][1]["disappeared"] > 0
    assert data["outputs"] == {"csv": None, "report": None, "changes": None} and data["case"] is None
    code, data = analyze_json(*sim_snapshots["exports"], "--out", str(tmp_path / "o"))
    rows = list(csv.DictReader((tmp_path / "o" / "changes.csv").open(encoding="utf-8")))
    gone = [r for r in rows if r["change"] == "disappeared"]
    assert len(gone) == sim_snapshots["unfollowed"] == data["snapshots"][1]["disappeared"]
    assert sum(r["change"] == "appeared" for r in rows) == data["snapshots"][1]["appeared"]
    assert gone[0]["in_export"].endswith("sim2.zip") and gone[0]["after_export"].endswith("sim1.zip")
    assert "no longer listed in the latest export" in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")


def test_too_little_data(home: Path, tmp_path: Path) -> None:
    rows = [(f"fan{i}", f"2025-02-01T10:{i:02d}:00Z") for i in range(12)]
    code, data = analyze_json(str(write_generic_follows(tmp_path / "twelve.csv", rows)), "--out", str(tmp_path / "o"))
    assert code == 0 and data["status"] == "too_little_data" and data["waves"] == []
    assert data["bands"]["remove"] == 0 and "too little data" in data["message"]
    assert "too little data" in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")


def test_no_times_falls_back_to_order(home: Path, tmp_path: Path) -> None:
    code, _, err = invoke("simulate", "followers", "--out", str(tmp_path / "s"), "--seed", "3", "--no-times",
                            "--no-profiles")
    assert code == 0, err
    export = next((tmp_path / "s").glob("*.zip"))
    code, data = analyze_json(str(export), "--out", str(tmp_path / "o"))
    assert code == 0 and data["status"] == "no_times" and data["time_basis"] == "order_and_snapshots"
    assert data["bands"]["remove"] == 0 and data["order_blocks"]
    assert any(b["pattern"] == "name.####" for b in data["order_blocks"])
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "falls back to the listing order" in html


def test_csv_and_html_are_injection_safe(home: Path, tmp_path: Path) -> None:
    rows = [(f"u{i}", f"2025-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z") for i in range(200)]
    rows += [("=HYPERLINK(\"x\")", "2025-01-03T10:00:00Z"), ("<script>alert(1)</script>", "2025-01-03T10:01:00Z")]
    rows += [(f"bot_{i:04d}", f"2025-01-20T12:{i // 10:02d}:{i % 10:02d}Z") for i in range(150)]
    rows += [("\"><img src=x onerror=alert(1)>", "2025-01-20T12:15:30Z"), ("{{7*7}}", "2025-01-20T12:15:31Z")]
    out = tmp_path / "o"
    code, data = analyze_json(str(write_generic_follows(tmp_path / "g.csv", rows)), "--out", str(out))
    assert code == 0 and len(data["waves"]) == 1
    cells = [c for row in csv.reader((out / "followers.csv").open(encoding="utf-8")) for c in row]
    assert "'=hyperlink(\"x\")" in cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "{{7*7}}" in html  # shown, escaped, not evaluated


def test_bad_profile_rows_exit_3_with_lines(home: Path, tmp_path: Path, sim_files: dict[str, Any]) -> None:
    prof = tmp_path / "p.csv"
    prof.write_text("handle,posts\nsara,many\n", encoding="utf-8")
    code, data = analyze_json(*sim_files["exports"], "--profiles", str(prof))
    assert code == 3 and data["problems"][0]["position"] == "line 2, column posts"


def test_bad_profiles_file_with_case_stores_nothing(home: Path, tmp_path: Path, sim_files: dict[str, Any]) -> None:
    bad = tmp_path / "p.csv"
    bad.write_bytes(b"handle,posts\n\xff\xfe,1\n")
    code, _, err = invoke("followers", "analyze", *sim_files["exports"], "--profiles", str(bad), "--case", "c9")
    assert code == 2 and "not UTF-8" in err
    store = open_store(Settings())
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.imports)).scalar_one() == 0
    assert load_findings(store, "c9") == []


def test_case_import_failure_is_reported(home: Path, tmp_path: Path) -> None:
    rows = [(f"u{i}", f"2025-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z") for i in range(150)]
    good = write_generic_follows(tmp_path / "g.csv", rows)
    code, _, err = invoke("followers", "analyze", str(good), "--case", "c8", "--target", "nobody.here")
    assert code == 2 and "no followers" in err  # the analysis refuses; the import process is stopped
    assert load_findings(open_store(Settings()), "c8") == []


def test_unusable_input_exit_2(home: Path, tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("hello", encoding="utf-8")
    code, _, err = invoke("followers", "analyze", str(p))
    assert code != 0 and "error:" in err
    bad = tmp_path / "p.csv"
    bad.write_text("name\nx\n", encoding="utf-8")
    rows = [("a", "2025-01-01T00:00:00Z")]
    code, _, err = invoke("followers", "analyze", str(write_generic_follows(tmp_path / "g.csv", rows)), "--profiles", str(bad))
    assert code == 2 and "handle" in err


def test_simulate_and_eval_json(tmp_path: Path) -> None:
    code, out, _ = invoke("simulate", "followers", "--out", str(tmp_path / "s"), "--seed", "4", "--waves", "2", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["waves"]) == 2 and Path(data["truth"]).exists() and len(data["exports"]) == 1
    code, out, _ = invoke("eval", "followers", "--seeds", "2", "--json")
    ev = json.loads(out)
    assert code == 0 and set(ev) == {"seeds", "first_seed", "threshold", "days", "followers", "modes", "waves",
                                     "per_seed", "too_little_data"}
    assert set(ev["modes"]) == {"with_profiles", "times_and_handles"}
    assert ev["too_little_data"]["waves"] == 0 and ev["waves"]["recall"] >= 0.9


def test_human_output(home: Path, sim_files: dict[str, Any], tmp_path: Path) -> None:
    code, out, _ = invoke("followers", "analyze", *sim_files["exports"], "--out", str(tmp_path / "o"))
    assert code == 0 and re.search(r"remove [\d,]+ · review", out) and "report:" in out


def test_x_archive_ids_without_times(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "twitter-2025-03-14-abc" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text('window.YTD.account.part0 = [ {"account": {"accountId": "99", "username": "rayhana"}} ]')
    items = ", ".join(json.dumps({"follower": {"accountId": str(1000 + i)}}) for i in range(400))
    (data / "follower.js").write_text(f"window.YTD.follower.part0 = [ {items} ]")
    code, info = analyze_json(str(tmp_path / "twitter-2025-03-14-abc"), "--out", str(tmp_path / "o"))
    assert code == 0 and info["platform"] == "x" and info["status"] == "no_times"
    assert info["followers"] == 400 and info["waves"] == [] and info["order_blocks"] == []  # ids carry no pattern
    assert info["bands"] == {"remove": 0, "review": 0, "keep": 400}
    rows = list(csv.reader((tmp_path / "o" / "followers.csv").open(encoding="utf-8")))
    assert rows[1][0].startswith("id:")
