"""Himaya generic CSV / JSONL v1: every sample, the README's facts (§7), edge rows G1–G11 and lines J1–J7."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from himaya.config import ArchiveLimits
from himaya.ingest.base import ParseContext
from himaya.ingest.csv_safe import neutralise_cell, neutralise_row
from himaya.ingest.generic import COLUMNS, GenericParser
from himaya.ingest.tree import open_tree
from himaya.records import Follow, Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

GEN = FORMATS / "generic"
SAMPLES = sorted(p.relative_to(GEN).as_posix() for p in GEN.rglob("*.*") if p.is_file()) if GEN.is_dir() else []
HEADER = "schema_version,platform,record_type,post_id,created_at,author_id,author_handle,author_name,text,url,media"


def run(path: Path) -> tuple[list[Record], list[Problem], ParseContext]:
    """`sniff.parse_path` with this parser only (the registry needs every other parser importable)."""
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree)
        parser = GenericParser()
        return list(parser.parse(tree, parser.claim(tree), ctx)), ctx.problems, ctx
    finally:
        tree.close()


def posts(records: list[Record]) -> dict[str, Post]:
    return {r.post_id: r for r in records if isinstance(r, Post)}


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return sorted((p.severity, p.code, p.position) for p in problems)


def at(problems: list[Problem], position: str) -> Problem:
    [p] = [p for p in problems if p.position == position]
    return p


def content(records: list[Record]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        d = r.model_dump(mode="json", exclude={"provenance"})
        for m in d.get("media", []):
            m.pop("provenance")
        out.append(d)
    return out


def row(**over: Any) -> dict[str, Any]:
    base = {"schema_version": "himaya.generic/1", "platform": "tiktok", "record_type": "comment", "post_id": "1",
            "created_at": "2025-03-10T19:58:12+03:00", "author_handle": "someone_sample", "text": "x"}
    return {**base, **over}


def jsonl(tmp_path: Path, *rows: dict[str, Any], name: str = "rows.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def csv_file(tmp_path: Path, text: str, name: str = "rows.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


@pytest.fixture
def gen(formats: Path) -> Path:
    return formats / "generic"


# -- golden files over every sample --------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_golden(gen: Path, name: str) -> None:
    records, problems, _ = run(gen / name)
    check_golden("generic_" + Path(name).name.replace(".", "_").replace("himaya_generic_v1", "v1"), records, problems)


# -- §7 expected facts -----------------------------------------------------------------------------------------

def test_csv_and_jsonl_samples_hold_the_same_eight_rows(gen: Path) -> None:
    from_csv, p1, _ = run(gen / "himaya_generic_v1.csv")
    from_jsonl, p2, _ = run(gen / "himaya_generic_v1.jsonl")
    assert not p1 and not p2 and len(from_csv) == 8
    assert content(from_csv) == content(from_jsonl)


def test_sample_rows(gen: Path) -> None:
    records, _, _ = run(gen / "himaya_generic_v1.csv")
    by_id = posts(records)
    assert sorted(p.platform for p in by_id.values()) == ["facebook", "signal", "telegram", "tiktok", "tiktok", "x",
                                                          "youtube"]
    ar, arabizi = by_id["7480000000000000001"], by_id["7480000000000000002"]
    assert ar.language == "ar" and arabizi.language == "ar-Latn" and ar.post_type == "comment"
    assert ar.hashtags == ("فضح_ريحانة",) and ar.text == "عميلة للسفارات 🤬\nسنفضحك قريباً #فضح_ريحانة"
    assert ar.extra == {"target_handle": "rayhana.collective.sample", "source": "manual-collection/helpline-sample"}
    assert ar.collected_at == datetime(2025, 3, 12, 9, 0, tzinfo=UTC) and ar.reply_to == "7479999999999999000"
    yt = by_id["UgxSAMPLEcomment0001"]
    assert yt.created_at == datetime(2025, 3, 11, 5, 2, 0, 500000, tzinfo=UTC) and yt.created_at_raw == "2025-03-11T05:02:00.500Z"
    assert yt.language == "fa" and yt.thread_id == "dQw4SAMPLE0" and yt.reply_to is None
    [follow] = [r for r in records if isinstance(r, Follow)]
    assert follow.platform == "instagram" and follow.follower.handle == "user_7f3a91x_sample"
    assert follow.followed.handle == "rayhana.collective.sample"
    assert follow.followed_at == datetime(2025, 3, 10, 19, 40, 12, tzinfo=UTC)
    x = by_id["1899000000000000410"]
    assert x.post_type == "reply" and x.mentions == ("rayhana_sample",) and x.reply_to == "1899000000000000999"
    fb = by_id["pfbid0SAMPLE000000000000000001"]
    assert "\u2067" in fb.text and "\u2069" in fb.text  # RLI/PDI kept in the evidence copy
    [m] = fb.media
    assert m.status == "missing" and m.path == "media/photo_a_small.jpg" and m.kind == "image" and m.mime == "image/jpeg"
    assert m.extra["sha256"].startswith("0b6ee3da") and m.extra["sha256"].endswith("fb7d86")
    signal = by_id["signal:2025-03-10T20:40:00Z:1"]
    assert signal.author and signal.author.display_name == "Unknown number"
    assert signal.author.handle is None and signal.author.platform_id is None
    assert "\u200d" in signal.text  # the ZWJ of the emoji sequence stays


def test_media_present_in_the_tree_is_hashed(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.jpg").write_bytes(b"\xff\xd8\xffpicture")
    good = hashlib.sha256(b"\xff\xd8\xffpicture").hexdigest()
    jsonl(tmp_path, row(post_id="1", media=[{"path": "media/a.jpg", "sha256": good, "type": "image/jpeg"}]),
          row(post_id="2", media=[{"path": "media/a.jpg", "sha256": "0" * 64, "pdq": "f" * 64}]),
          row(post_id="3", media=[{"url": "https://cdn.example/x.mp4", "type": "video/mp4"}]),
          row(post_id="4", media=[{"path": "../../etc/passwd"}]))
    records, problems, _ = run(tmp_path)
    by_id = posts(records)
    one, two, three, four = (by_id[k].media[0] for k in "1234")
    assert one.status == "present" and one.sha256 == good and one.size == 10 and not one.flags
    assert "sha256_mismatch" in two.flags and two.extra["pdq"] == "f" * 64
    assert three.status == "remote" and three.kind == "video" and three.url == "https://cdn.example/x.mp4"
    assert four.status == "rejected"
    assert codes(problems) == [("error", "unsafe_path", "line 4 media[0]"), ("warning", "sha256_mismatch", "line 2")]


# -- G1–G11: the CSV edge file -------------------------------------------------------------------------------

@pytest.fixture
def gedge(gen: Path) -> tuple[list[Record], list[Problem], ParseContext]:
    return run(gen / "edge" / "himaya_generic_v1_edge.csv")


def test_csv_edge_imports_first_valid_row_g5_and_g6(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    records, problems, _ = gedge
    assert list(posts(records)) == ["7480000000000000001", "G5", "G6"]
    assert codes(problems) == [("error", "field_count", "row 12"), ("error", "invalid_csv", "row 13")] + [
        ("error", "invalid_row", f"row {n}") for n in (10, 11, 3, 4, 5, 9)] + [("warning", "duplicate", "row 6")]


def test_bom_and_crlf(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    first = posts(gedge[0])["7480000000000000001"]
    assert first.extra["source"] == "manual-collection/helpline-sample"  # the last column, without its CR
    assert first.text.endswith("#فضح_ريحانة") and "\r" not in first.text


def test_g1_missing_post_id(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "post_id is missing" in at(gedge[1], "row 3").message


def test_g2_naive_time_rejected(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "no time zone offset" in at(gedge[1], "row 4").message


def test_g3_unknown_platform(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "unknown platform 'myspace'" in at(gedge[1], "row 5").message


def test_g4_duplicate_reported_once_and_dropped(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    p = at(gedge[1], "row 6")
    assert p.code == "duplicate" and "row 2" in p.message
    assert "G4" not in posts(gedge[0])["7480000000000000001"].text


def test_g5_formula_kept_in_evidence_neutralised_on_output(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    g5 = posts(gedge[0])["G5"]
    assert g5.text == '=HYPERLINK("https://attacker.invalid","G5 click")'
    assert neutralise_cell(g5.text) == "'" + g5.text


def test_g6_quoted_newline_quote_and_comma(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert posts(gedge[0])["G6"].text == 'G6 valid: quoted field\nwith a newline, a "quote" and a comma,'


def test_g7_media_not_json(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "media is not a JSON array" in at(gedge[1], "row 9").message


def test_g8_bidi_handle_quarantined_never_shown_raw(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    p = at(gedge[1], "row 10")
    assert "bidi_override" in p.message and "<U+202E>" in p.message and "\u202e" not in p.message


def test_g9_no_author(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "no author" in at(gedge[1], "row 11").message


def test_g10_field_count(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert at(gedge[1], "row 12").message == "row has 20 fields; the header has 19"


def test_g11_unterminated_quote_at_eof(gedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "unterminated quote" in at(gedge[1], "row 13").message


# -- J1–J7: the JSONL edge file ------------------------------------------------------------------------------

@pytest.fixture
def jedge(gen: Path) -> tuple[list[Record], list[Problem], ParseContext]:
    return run(gen / "edge" / "himaya_generic_v1_edge.jsonl")


def test_jsonl_edge_totals(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    records, problems, ctx = jedge
    assert list(posts(records)) == ["7480000000000000002", "7480000000000000003", "J5"]
    assert [p.position for p in problems if p.severity == "error"] == ["line 2", "line 3", "line 7", "line 8"]
    assert ctx.stats["generic_blank_line"] == 1


def test_j1_broken_json(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert at(jedge[1], "line 2").code == "invalid_json"


def test_j2_array(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "not a list" in at(jedge[1], "line 3").message


def test_j3_numeric_post_id_coerced(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    p = at(jedge[1], "line 4")
    assert p.severity == "warning" and p.code == "numeric_id"
    assert posts(jedge[0])["7480000000000000003"].post_id == "7480000000000000003"


def test_j4_blank_line_skipped(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert not [p for p in jedge[1] if p.position == "line 5"]


def test_j5_unknown_key_kept_under_raw(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert posts(jedge[0])["J5"].extra["raw"] == {"unexpected_field": "kept in raw"}
    assert at(jedge[1], "line 6").code == "unknown_key"


def test_j6_unknown_version(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "himaya.generic/2" in at(jedge[1], "line 7").message


def test_j7_epoch_rejected(jedge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert "Unix epoch" in at(jedge[1], "line 8").message


# -- more hostile input ----------------------------------------------------------------------------------------

def test_header_missing_a_required_column_is_a_file_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "schema_version,platform,record_type,created_at,author_name\n")
    records, problems, _ = run(path)
    assert records == [] and codes(problems) == [("file_error", "unreadable_file", "row 1")]
    assert "post_id" in problems[0].message


def test_unknown_columns_warned_and_ignored(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER + ",mood\nhimaya.generic/1,x,post,5,2025-03-10T20:00:00Z,,a,,hi,,[],sad\n")
    records, problems, _ = run(path)
    assert len(records) == 1 and codes(problems) == [("warning", "unknown_column", "row 1")]
    assert "raw" not in posts(records)["5"].extra


def test_https_only_url_and_typed_fields(tmp_path: Path) -> None:
    path = jsonl(tmp_path, row(post_id="1", url="javascript:alert(1)", author_id=12345, mentions=["@Someone"]),
                 row(post_id="2", text=["not", "text"]), row(post_id="3", hashtags="#tag"),
                 row(post_id=1.5), row(post_id="4", created_at=1741636738), row(post_id="5", author_handle="@x"))
    records, problems, _ = run(path)
    one = posts(records)["1"]
    assert one.url is None and one.author and one.author.platform_id == "12345" and one.mentions == ("someone",)
    assert posts(records)["5"].author.handle == "x"  # type: ignore[union-attr]
    assert codes(problems) == [("error", "invalid_row", f"line {n}") for n in (2, 3, 4, 5)] + [
        ("warning", "bad_url", "line 1"), ("warning", "numeric_id", "line 1")]


def test_invalid_utf8_in_csv_names_the_byte_offset(tmp_path: Path) -> None:
    data = (HEADER + "\nhimaya.generic/1,x,post,5,2025-03-10T20:00:00Z,,a,,hi,,[]\n").encode() + b"bad \xff\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    records, problems, _ = run(path)
    assert len(records) == 1 and problems[0].severity == "file_error"
    offset = data.index(b"\xff")
    assert f"byte {offset:,}" in problems[0].message


def test_same_rows_in_two_files_of_one_input_are_duplicates(gen: Path, tmp_path: Path) -> None:
    shutil.copy(gen / "himaya_generic_v1.csv", tmp_path)
    shutil.copy(gen / "himaya_generic_v1.jsonl", tmp_path)
    records, problems, _ = run(tmp_path)
    assert len(records) == 8 and {r.provenance.path for r in records} == {"himaya_generic_v1.csv"}
    assert [p.code for p in problems] == ["duplicate"] * 8
    assert problems[0].message.startswith("duplicate of himaya_generic_v1.csv row 2")


def test_bad_collected_at_drops_the_value_not_the_row(tmp_path: Path) -> None:
    records, problems, _ = run(jsonl(tmp_path, row(collected_at="yesterday")))
    assert posts(records)["1"].collected_at is None and codes(problems) == [("warning", "bad_time", "line 1")]


def test_follow_needs_a_target(tmp_path: Path) -> None:
    records, problems, _ = run(jsonl(tmp_path, row(record_type="follow", post_id="follow:a>b")))
    assert records == [] and "target_handle" in problems[0].message


def test_claim(tmp_path: Path) -> None:
    parser = GenericParser()
    other_csv = csv_file(tmp_path, "a,b\n1,2\n", name="other.csv")
    other_jsonl = jsonl(tmp_path, {"platform": "x"}, name="other.jsonl")
    ours = jsonl(tmp_path, row(), name="ours.ndjson")
    v2 = jsonl(tmp_path, row(schema_version="himaya.generic/2"), name="v2.jsonl")
    not_ext = jsonl(tmp_path, row(), name="rows.txt")
    claimed = parser.claim(open_tree(tmp_path, ArchiveLimits()))
    assert claimed == [ours.name, v2.name]  # v2 is claimed so that each row says why it is refused
    assert other_csv.name not in claimed and other_jsonl.name not in claimed and not_ext.name not in claimed


def test_columns_cover_the_schema() -> None:
    assert len(COLUMNS) == len(set(COLUMNS)) == 22  # §7's 20 and the forward_of / quote_of extension


# -- extension: forward_of, quote_of -------------------------------------------------------------------------

def test_forward_of_and_quote_of_from_jsonl(tmp_path: Path) -> None:
    path = jsonl(tmp_path, row(post_id="1", record_type="share", text="", forward_of="orig-9"),
                 row(post_id="2", record_type="post", quote_of=" 777 ", text="look at this"),
                 row(post_id="3", forward_of=12345), row(post_id="4", forward_of="", quote_of=None),
                 row(post_id="5", forward_of=["a"]), row(post_id="6", quote_of=1.5))
    records, problems, _ = run(path)
    got = posts(records)
    assert (got["1"].forward_of, got["1"].quote_of, got["1"].post_type) == ("orig-9", None, "share")
    assert (got["2"].forward_of, got["2"].quote_of) == (None, "777")
    assert got["3"].forward_of == "12345"
    assert (got["4"].forward_of, got["4"].quote_of) == (None, None)
    assert "raw" not in got["1"].extra  # known fields, not unknown keys
    assert codes(problems) == [("error", "invalid_row", "line 5"), ("error", "invalid_row", "line 6"),
                               ("warning", "numeric_id", "line 3")]
    assert "forward_of must be a string" in at(problems, "line 5").message


def test_forward_of_and_quote_of_from_csv(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER + ",forward_of,quote_of\n"
                    "himaya.generic/1,x,share,5,2025-03-10T20:00:00Z,,a,,,,[],src-1,\n"
                    "himaya.generic/1,x,post,6,2025-03-10T20:00:00Z,,a,,quoting,,[],,src-2\n")
    records, problems, _ = run(path)
    got = posts(records)
    assert problems == []
    assert (got["5"].forward_of, got["5"].quote_of) == ("src-1", None)
    assert (got["6"].forward_of, got["6"].quote_of) == (None, "src-2")


def test_files_without_the_extension_read_as_before(gen: Path) -> None:
    records, problems, _ = run(gen / "himaya_generic_v1.jsonl")
    assert len(records) == 8 and not [p for p in problems if p.severity == "error"]
    assert all(r.forward_of is None and r.quote_of is None for r in records if isinstance(r, Post))


def _shares(forward: bool) -> list[dict[str, Any]]:
    """Two accounts resharing the same 12 sources seconds apart, among 40 people resharing sources on their own."""
    out: list[dict[str, Any]] = []

    def share(author: str, t: int, source: str) -> None:
        when = datetime.fromtimestamp(1_741_000_000 + t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(row(platform="telegram", record_type="share", post_id=f"s{len(out)}", created_at=when,
                       author_id=author, author_handle=None, text="", **({"forward_of": source} if forward else {})))

    for k in range(12):
        t = 5000 + k * 20_000 + (k * 7919) % 3000
        share("pair-a", t, f"chan|{k}")
        share("pair-b", t + 3 + k % 4, f"chan|{k}")
    for i in range(40):
        for j in range(10):
            share(f"user-{i}", (i * 104_729 + j * 27_449) % 250_000, f"chan|{(i + j) % 30}")
    return out


@pytest.mark.parametrize("forward", [True, False])
def test_generic_reshares_reach_co_share_coordination(tmp_path: Path, forward: bool) -> None:
    from himaya.config import Settings
    from himaya.detectors.coordination.store import run_case
    from himaya.store.db import open_store
    from himaya.store.importer import Importer

    store = open_store(Settings(home=tmp_path / "home"))  # SQLite: this is about the format, not the backend
    try:
        Importer(store, case="c").run(jsonl(tmp_path, *_shares(forward)))
        result, _ = run_case(store, "c")
    finally:
        store.close()
    if not forward:  # a share known by nothing is invisible to co-action
        assert result.campaigns == []
        return
    [campaign] = result.campaigns
    assert {m.key for m in campaign.members} == {"telegram|id:pair-a", "telegram|id:pair-b"}
    assert campaign.evidence["co_share"] >= 12 and campaign.evidence["coactions"] == campaign.evidence["co_share"]


# -- CSV output helper ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("https://a.invalid")'])
def test_neutralise_cell_prefixes_formulas(cell: str) -> None:
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "plain", "عميلة للسفارات", " =not first", "1-2", "'quoted"])
def test_neutralise_cell_leaves_text_alone(cell: str) -> None:
    assert neutralise_cell(cell) == cell


def test_neutralise_row_round_trips_through_csv() -> None:
    buf = io.StringIO()
    csv.writer(buf).writerow(neutralise_row(["=cmd|' /C calc'!A0", None, 3, "ok"]))
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == ["'=cmd|' /C calc'!A0", "", "3", "ok"]
