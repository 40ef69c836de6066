"""Hash lists in the formats ThreatExchange/HMA import, and partners' lists read back with bad rows reported."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from himaya.detectors.media.exchange import export_list, parse_list
from himaya.detectors.media.signals import MediaSignals
from himaya.detectors.media.store import KnownItem
from himaya.detectors.media.vpdq import FrameHash

H1, H2 = bytes(range(32)), bytes(range(100, 132))


def _item(i: int, sig: MediaSignals, category: str = "defamation") -> KnownItem:
    return KnownItem(i, "case-x", "upload", None, sig.sha256, None, category, "secret note", None, "ana",
                     datetime.now(UTC), sig)


ITEMS = [
    _item(1, MediaSignals("a" * 64, 10, "image", "JPEG", 10, 10, pdq=H1, quality=90)),
    _item(2, MediaSignals("b" * 64, 10, "video", "MP4", 10, 10, pdq=H2, quality=80,
                          frames=(FrameHash(H2, 80, 0.0), FrameHash(H1, 70, 1.0))), "harassment"),
]


def test_txt_is_the_threatexchange_file_format() -> None:
    text = export_list(ITEMS, "txt")
    assert text == f"pdq {H1.hex()}\n"  # LocalFileSignalExchangeAPI: `<signal_type> <signal>` per line


def test_csv_has_signal_type_signal_and_category() -> None:
    rows = list(csv.DictReader(io.StringIO(export_list(ITEMS, "csv"))))
    assert [r["signal_type"] for r in rows] == ["pdq", "vpdq"]
    assert rows[0]["signal"] == H1.hex() and rows[0]["category"] == "defamation"
    assert json.loads(rows[1]["signal"])[1] == {"hash": H1.hex(), "quality": 70, "timestamp": 1.0}
    assert rows[1]["category"] == "harassment"


def test_json_carries_hma_bank_add_bodies_and_no_case_details() -> None:
    text = export_list(ITEMS, "json", bank="PARTNER_BANK", category="defamation")
    doc = json.loads(text)
    assert doc["bank"] == "PARTNER_BANK" and doc["signals"][0]["signals"] == {"pdq": H1.hex()}
    assert {s["category"] for s in doc["signals"]} == {"defamation"}
    assert "case-x" not in text and "secret note" not in text and "a" * 64 not in text


def test_bank_names_follow_hma() -> None:
    with pytest.raises(ValueError, match="CAPS_AND_UNDERSCORE"):
        export_list(ITEMS, "json", bank="my bank")


@pytest.mark.parametrize("fmt", ["csv", "json", "txt"])
def test_round_trip(fmt: str) -> None:
    got, problems = parse_list(export_list(ITEMS, fmt))
    assert problems == []
    assert got[0].signals.pdq == H1 and got[0].signals.kind == "image"
    if fmt != "txt":
        assert got[1].signals.kind == "video" and len(got[1].signals.frames) == 2
        assert got[1].category == "harassment"


def test_bad_rows_are_reported_and_good_ones_kept() -> None:
    text = "\n".join(["signal_type,signal,category", f"pdq,{H1.hex()},defamation", "pdq,nothex,defamation",
                      f"md5,{H1.hex()},defamation", f"pdq,{H2.hex()},not_a_category", f"pdq,{H2.hex()},"])
    got, problems = parse_list(text)
    assert [g.signals.pdq for g in got] == [H1, H2]
    assert [p.position for p in problems] == ["line 3", "line 4", "line 5"]
    assert "not a PDQ hash" in problems[0].message and "md5" in problems[1].message


def test_partner_formats_bare_hashes_and_hma_bodies() -> None:
    got, problems = parse_list(f"# partner list\n{H1.hex()}\npdq {H2.hex()}\n\nxyz\n")
    assert [g.signals.pdq for g in got] == [H1, H2] and [p.position for p in problems] == ["line 5"]
    got, problems = parse_list(json.dumps([{"pdq": H1.hex()}, {"vmd5": "x"}, "nope"]))
    assert [g.signals.pdq for g in got] == [H1] and len(problems) == 2
    got, problems = parse_list("{not json")
    assert got == [] and "not valid JSON" in problems[0].message


@pytest.mark.parametrize("fmt", ["txt", "csv", "json"])
def test_a_list_over_the_row_limit_says_where_it_stopped(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from himaya.detectors.media import exchange

    monkeypatch.setattr(exchange, "MAX_ROWS", 3)
    text = export_list([ITEMS[0]] * 5, fmt)
    got, problems = parse_list(text)
    assert len(got) == 3
    assert len(problems) == 1 and "longer than 3 rows" in problems[0].message
