"""`himaya classify`, `detect content`, `eval content`, `model train --org` as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

from himaya.config import Settings
from himaya.findings import load_findings, set_status
from himaya.store.db import open_store
from tests.cli.helpers import invoke
from tests.store.helpers import generic_row, write_jsonl


def test_classify_json_one_object_per_message_in_order(home: Path) -> None:
    code, out, _ = invoke("classify", "هقتلك", "hello friend, see you at the meeting", "Bonjour à toutes", "😀", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert all(list(r) == ["id", "language", "labels", "flagged", "spans"] for r in rows)
    assert rows[0]["flagged"][0] == "threat_of_violence" and rows[0]["spans"][0]["text"] == "هقتلك"
    assert rows[1]["flagged"] == [] and rows[2]["language"] == "unsupported" and rows[3]["language"] == "und"


def test_classify_jsonl_file_with_ids_and_a_bad_line(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "m.jsonl"
    src.write_text('{"id": "x1", "text": "We know where you live"}\nnot json\n{"text": "نعرف بيتك"}\n{"id": 3}\n',
                   encoding="utf-8")
    code, out, err = invoke("classify", "--file", str(src), "--json")
    assert code == 1  # bad lines reported, good ones classified
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["x1", "3"]
    assert "m.jsonl:2: not JSON" in err and "m.jsonl:4: a JSON object with a string 'text'" in err


def test_classify_stdin_plain_lines_and_invalid_utf8(home: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("classify", "--file", "-", "--json", stdin="kill you\n\nشكرا لكم\n")
    assert code == 0 and [json.loads(x)["id"] for x in out.splitlines()] == ["1", "3"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n\xff\xfe broken\n")
    code, out, err = invoke("classify", "--file", str(bad), "--json")
    assert code == 1 and len(out.splitlines()) == 1 and "bad.txt:2: not valid UTF-8" in err


def test_classify_usage_errors(home: Path, tmp_path: Path) -> None:
    assert invoke("classify")[0] == 2
    code, _, err = invoke("classify", "--file", str(tmp_path / "missing.txt"))
    assert code == 2 and "missing.txt: cannot read" in err


def test_classify_human_output_names_language_and_labels(home: Path) -> None:
    code, out, _ = invoke("classify", "Je vais te tuer", "هقتلك")
    assert code == 0 and "unsupported language" in out and "threat_of_violence" in out


def _posts(tmp_path: Path) -> Path:
    texts = ["هقتلك يا بنت الكلب", "Our lawyer is reviewing the threats", "هذا رقمها: +964 770 000 0123 اتصلوا بها",
             "Everyone report her now, foreign agent", "صباح الخير", ""]
    rows = [{**generic_row(i), "text": t} for i, t in enumerate(texts)]
    return write_jsonl(tmp_path / "posts.jsonl", rows)


def test_detect_content_writes_findings_and_model_train_org_uses_decisions(home: Path, tmp_path: Path) -> None:
    assert invoke("ingest", str(_posts(tmp_path)), "--case", "c1", "--json")[0] == 0
    code, out, _ = invoke("detect", "content", "--case", "c1", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"posts", "flagged", "per_label", "per_language", "unsupported_language", "case", "model_version",
                         "run_id", "findings_written", "findings_removed"}
    assert data["posts"] == 5 and data["flagged"] == data["findings_written"] == 3
    store = open_store(Settings(home=home))
    found = load_findings(store, "c1", detector="content")
    by_text = {f.finding.evidence["text"]: f for f in found}
    threat = by_text["هقتلك يا بنت الكلب"]
    assert threat.finding.band == "urgent" and "threat_of_violence" in threat.finding.labels
    assert threat.finding.evidence["spans"][0]["text"] == "هقتلك"
    assert by_text["هذا رقمها: +964 770 000 0123 اتصلوا بها"].finding.labels.get("doxing", 0) >= 0.5

    # a re-run keeps the analyst's decisions
    set_status(store, threat.id, "confirmed", "analyst-1")
    set_status(store, by_text["Everyone report her now, foreign agent"].id, "rejected", "analyst-1")
    assert invoke("detect", "content", "--case", "c1")[0] == 0
    assert {f.id: f.status for f in load_findings(store, "c1", detector="content")}[threat.id] == "confirmed"

    code, out, _ = invoke("model", "train", "--org", "default", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["decisions"] == 2 and summary["method"] == "fine_tune"
    assert (Path(summary["path"]) / "content_model.npz").is_file()
    code, out, _ = invoke("classify", "هقتلك", "--json")  # the organisation model is now in use
    assert code == 0 and json.loads(out)["flagged"][0] == "threat_of_violence"


def test_model_train_without_decisions_is_a_clear_error(home: Path) -> None:
    code, _, err = invoke("model", "train", "--org", "nobody")
    assert code == 2 and "no confirmed or rejected content findings" in err


def test_detect_content_without_case_stores_nothing_and_workers_agree(home: Path, tmp_path: Path) -> None:
    invoke("ingest", str(_posts(tmp_path)), "--json")
    code, out, _ = invoke("detect", "content", "--json")
    assert code == 0 and json.loads(out)["run_id"] is None
    code, parallel, _ = invoke("detect", "content", "--json", "--workers", "2")
    assert code == 0
    one, two = json.loads(out), json.loads(parallel)
    assert (one["posts"], one["flagged"], one["per_label"]) == (two["posts"], two["flagged"], two["per_label"])


def test_eval_content_json_keys(home: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("eval", "content", "--data", str(tmp_path / "no-data"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["test"] is None and data["curated"]["passed"] == data["curated"]["cases"]


def test_classify_lone_surrogates_and_huge_line(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "odd.jsonl"
    huge = "كلام عادي " * 10_000 + "هقتلك"
    src.write_text(json.dumps({"id": "s", "text": "kill you \ud800 now"}) + "\n" + json.dumps({"id": "h", "text": huge}) + "\n",
                   encoding="utf-8")
    code, out, _ = invoke("classify", "--file", str(src), "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["flagged"][0] == "threat_of_violence"
    assert "threat_of_violence" in rows[1]["flagged"] and rows[1]["spans"][-1]["start"] > 99_000
    code, out, _ = invoke("classify", "--file", str(src))  # the terminal view escapes the lone surrogate
    assert code == 0 and "<U+D800>" in out
