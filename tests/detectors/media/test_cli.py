"""`himaya media …` as an analyst uses it: exit codes, one-line errors, stable --json keys, audit log."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from himaya.synth import build_scenario
from himaya.synth.media import copies, write_facebook, write_telegram
from tests.cli.helpers import invoke
from tests.detectors.media.helpers import image_bytes


def test_hash_json_keys_and_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    good.write_bytes(image_bytes(1, "PNG"))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    code, out, _ = invoke("media", "hash", str(good), str(empty), str(tmp_path / "missing.jpg"), "--json")
    doc = json.loads(out)
    assert code == 3
    f = doc["files"][0]
    assert {"file", "sha256", "kind", "format", "pdq", "quality", "frames", "content_pdq", "error"} <= set(f)
    assert f["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest() and len(f["pdq"]) == 64
    assert [e["code"] for e in doc["errors"]] == ["empty", "unreadable"]
    code, _, err = invoke("media", "hash", str(empty))
    assert code == 1 and "empty.jpg: empty file" in err


def test_match_against_a_folder_without_a_store(tmp_path: Path) -> None:
    known = tmp_path / "known"
    known.mkdir()
    for name, data in copies().items():
        if name == "original":
            (known / "picture.jpg").write_bytes(data)
    (known / "unrelated.png").write_bytes(image_bytes(5, "PNG"))
    queries = []
    for name in ("resized", "cropped", "captioned", "screenshot"):
        q = tmp_path / f"{name}.jpg"
        q.write_bytes(copies()[name])
        queries.append(str(q))
    other = tmp_path / "other.png"
    other.write_bytes(image_bytes(6, "PNG"))
    code, out, _ = invoke("media", "match", "--against", str(known), *queries, str(other), "--json")
    assert code == 0
    matches = json.loads(out)["matches"]
    assert all(set(m) >= {"query", "match", "distance", "kind"} for m in matches)
    assert sorted(Path(m["query"]).stem for m in matches) == ["captioned", "cropped", "resized", "screenshot"]
    assert {Path(m["match"]).name for m in matches} == {"picture.jpg"}


def test_known_list_match_export_import_show(home: Path, tmp_path: Path) -> None:
    sc = build_scenario(7)
    for path in (write_telegram(tmp_path / "tg", sc), write_facebook(tmp_path / "fb", sc)):
        assert invoke("ingest", str(path), "--case", "c1", "--json")[0] == 0
    key = "sha256:" + hashlib.sha256(copies()["original"]).hexdigest()
    code, out, _ = invoke("media", "add-known", "--media-key", key, "--case", "c1", "--by", "ana", "--json")
    assert code == 0 and json.loads(out)["id"] == 1 and json.loads(out)["variants"] == 243

    code, out, _ = invoke("media", "match", "--case", "c1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["hashed"] >= 5 and doc["findings"] == {"c1": 5}
    assert {m["kind"] for m in doc["matches"]} <= {"sha256", "pdq", "pdq_crop"}
    code, out, _ = invoke("findings", "list", "--case", "c1", "--detector", "media", "--json")
    assert code == 0 and len(json.loads(out)) == 5

    code, csv_text, _ = invoke("media", "export-hashes", "--case", "c1", "--format", "csv")
    assert code == 0 and csv_text.startswith("signal_type,signal,category") and "c1" not in csv_text
    partner = tmp_path / "partner.txt"
    partner.write_text(f"pdq {bytes(range(32)).hex()}\npdq zz\n", encoding="utf-8")
    code, out, err = invoke("media", "import-hashes", str(partner), "--case", "c1", "--partner", "ORG_B", "--json")
    assert code == 3 and json.loads(out)["added"] == 1 and json.loads(out)["problems"][0]["position"] == "line 2"

    thumb = tmp_path / "thumb.jpg"
    code, out, _ = invoke("media", "show", key, "--out", str(thumb), "--by", "ana", "--json")
    assert code == 0 and json.loads(out)["view"] == "blurred" and thumb.read_bytes() != copies()["original"]
    orig = tmp_path / "orig.jpg"
    code, out, _ = invoke("media", "show", "known:1", "--original", "--out", str(orig), "--by", "ana",
                          "--reason", "court filing", "--json")
    assert code == 0 and orig.read_bytes() == copies()["original"] and orig.stat().st_mode & 0o077 == 0
    code, _, err = invoke("media", "show", "known:2", "--out", str(orig), "--by", "ana")
    assert code == 2 and "partner's hash list" in err
    code, out, _ = invoke("media", "views", "--json")
    assert [(v["subject"], v["view"], v["reason"]) for v in json.loads(out)] == [
        (key, "blurred", None), ("known:1", "original", "court filing")]

    report = tmp_path / "media.html"
    assert invoke("media", "report", "--case", "c1", "--out", str(report), "--by", "ana")[0] == 0
    html = report.read_text(encoding="utf-8")
    assert html.count('class="thumb blurred"') == 2 + 5 and "<script" not in html
    assert json.loads(invoke("media", "views", "--json")[1])[-1]["view"] == "report"


def test_errors_are_one_line_with_exit_codes(home: Path, tmp_path: Path) -> None:
    code, _, err = invoke("media", "add-known", "--case", "c1")
    assert code == 2 and "either FILE or --media-key" in err
    code, _, err = invoke("media", "add-known", "--media-key", "sha256:nope", "--case", "c1")
    assert code == 2 and "no stored media item" in err
    code, _, err = invoke("media", "match", "--case", "nothing-here")
    assert code == 2 and "has no known media" in err
    code, _, err = invoke("media", "export-hashes", "--case", "nothing-here")
    assert code == 2 and "no known media" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("pdq nothex\n", encoding="utf-8")
    code, _, err = invoke("media", "import-hashes", str(bad), "--case", "c1")
    assert code == 1 and "line 1" in err and "no usable hash" in err
    pic = tmp_path / "p.png"
    pic.write_bytes(image_bytes(2, "PNG"))
    code, _, err = invoke("media", "add-known", str(pic), "--case", "c1", "--category", "gossip")
    assert code == 2 and "category must be one of" in err
