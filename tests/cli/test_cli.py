"""The `himaya` command as a user meets it: exit codes, one-line errors, stable --json keys."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from himaya import __version__
from tests.cli.helpers import invoke
from tests.store.helpers import generic_row, write_jsonl


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"himaya {__version__}"


def test_ingest_json_then_reingest_and_stats(home: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "rows.jsonl", [generic_row(i) for i in range(4)])
    code, out, _ = invoke("ingest", str(src), "--case", "c1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["exit_code"] == 0
    imp = data["imports"][0]
    assert set(imp) >= {"import_id", "input", "parsers", "status", "reused_import_id", "records", "rejected",
                        "warnings", "problems", "notes"}
    assert imp["records"]["post"] == {"processed": 4, "new": 4, "known": 0}

    code, out, _ = invoke("ingest", str(src), "--json")
    assert code == 0 and json.loads(out)["imports"][0]["reused_import_id"] == imp["import_id"]

    code, out, _ = invoke("stats", "--json")
    stats = json.loads(out)
    assert code == 0 and set(stats) == {"org", "platforms", "totals", "media", "imports"}
    assert stats["platforms"]["x"]["post:reply"] == 4 and stats["imports"] == {"complete": 2}


def test_rejected_records_exit_3_and_are_listed(home: Path, tmp_path: Path) -> None:
    rows = [generic_row(1), {**generic_row(2), "created_at": "2025-03-10 19:40:00"}]
    code, out, _ = invoke("ingest", str(write_jsonl(tmp_path / "m.jsonl", rows)), "--json")
    assert code == 3
    problems = json.loads(out)["imports"][0]["problems"]
    assert [(p["position"], p["severity"]) for p in problems] == [("line 2", "error")]


def test_table_output_names_rejected_rows(home: Path, tmp_path: Path) -> None:
    rows = [generic_row(1), {**generic_row(2), "created_at": "yesterday"}]
    code, out, _ = invoke("ingest", str(write_jsonl(tmp_path / "m.jsonl", rows)))
    assert code == 3 and "line 2" in out and "rejected: 1" in out


def test_unsupported_input_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("hello\n", encoding="utf-8")
    code, _, err = invoke("ingest", str(f))
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "not a supported export" in lines[0] and "whatsapp" in lines[0]


def test_zip_slip_refused_and_nothing_stored(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../../outside.txt", "x")
        z.writestr("rows.jsonl", json.dumps(generic_row(1)) + "\n")
    code, _, err = invoke("ingest", str(bad))
    assert code == 1 and "outside.txt" in err and "escapes" in err
    code, out, _ = invoke("stats", "--json")
    assert json.loads(out)["totals"] == {}


def test_one_bad_input_does_not_stop_the_others(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"schema_version": "himaya.generic/1", "platform": "x"\n', encoding="utf-8")
    good = write_jsonl(tmp_path / "good.jsonl", [generic_row(1)])
    code, out, _ = invoke("ingest", str(bad), str(good), "--json")
    data = json.loads(out)
    assert code == 1 and [i["status"] for i in data["imports"]] == ["failed", "complete"]


def test_bad_timezone_and_date_order(home: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "r.jsonl", [generic_row(1)])
    code, _, err = invoke("ingest", str(src), "--timezone", "Mars/Olympus")
    assert code == 2 and "unknown time zone" in err
    code, _, err = invoke("ingest", str(src), "--date-order", "dym")
    assert code == 2


def test_db_upgrade_json(home: Path) -> None:
    from himaya.store.db import head_revision

    head = head_revision()
    code, out, _ = invoke("db", "upgrade", "--json")
    data = json.loads(out)
    assert code == 0 and data == {"from": None, "to": head}
    code, out, _ = invoke("db", "upgrade", "--json")
    assert json.loads(out) == {"from": head, "to": head}


def test_fsck_json(home: Path, tmp_path: Path) -> None:
    invoke("ingest", str(write_jsonl(tmp_path / "r.jsonl", [generic_row(1)])))
    code, out, _ = invoke("fsck", "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "orphan_blobs": 0, "missing_blobs": 0, "temp_files": 0,
                                             "integrity": "ok", "removed": 0}


def test_fsck_keeps_every_referenced_blob(home: Path, tmp_path: Path) -> None:
    """An uploaded known picture lives only in the blob store: `fsck --repair` must never call it an orphan."""
    from PIL import Image, ImageDraw

    from himaya.store import schema
    from himaya.store.fsck import blob_columns

    named = {f"{c.table.name}.{c.name}" for c in blob_columns()}  # type: ignore[attr-defined]
    assert {"import_files.blob", "media.blob", "media.display_blob"} <= named
    assert all(f"{t.name}.{c.name}" in named for t in schema.metadata.sorted_tables for c in t.columns
               if c.name.endswith("blob"))
    img = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(img).ellipse((40, 40, 200, 220), fill="purple")
    img.save(tmp_path / "known.png")
    code, _, err = invoke("media", "add-known", str(tmp_path / "known.png"), "--case", "c1")
    assert code == 0, err
    code, out, _ = invoke("fsck", "--repair", "--json")
    assert code == 0 and json.loads(out)["orphan_blobs"] == 0 and json.loads(out)["removed"] == 0


def test_ingest_matches_new_media_against_known_lists(home: Path, tmp_path: Path) -> None:
    """Issue 6: every later ingest is matched against all known-media lists, without a separate command."""
    from himaya.synth import build_scenario
    from himaya.synth import media as synth_media

    original = tmp_path / "original.jpg"
    original.write_bytes(synth_media.copies()["original"])
    code, _, err = invoke("media", "add-known", str(original), "--case", "c1")
    assert code == 0, err
    export = synth_media.write_telegram(tmp_path / "tg", build_scenario(7))
    code, out, err = invoke("ingest", str(export), "--case", "c1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["media_matches"]["matches"] >= 3 and data["media_matches"]["findings_by_case"]["c1"] >= 3
    code, out, _ = invoke("findings", "list", "--case", "c1", "--detector", "media", "--json")
    assert code == 0 and len(json.loads(out)) >= 3
    # opted out: nothing is matched (and the key says so)
    code, out, _ = invoke("ingest", str(export), "--case", "c1", "--reparse", "--no-media-match", "--json")
    assert code == 0 and json.loads(out)["media_matches"] is None
