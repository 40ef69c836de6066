"""Telegram Desktop exports: every sample, the README's facts (§3.4), edge files T1–T11, the `\\xHH` repair."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.sniff import parse_path
from himaya.ingest.telegram import EscapeRepair, TelegramParser
from himaya.ingest.tree import open_tree
from himaya.records import Account, Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

TG = FORMATS / "telegram"
BAGHDAD = ZoneInfo("Asia/Baghdad")
PHOTO_A = "15b1301e"
CHAT = "2001234567"


def run(path: Path, **options: Any) -> tuple[list[Record], list[Problem], ParseContext]:
    """The Telegram parser alone (Asia/Baghdad unless told otherwise)."""
    options.setdefault("timezone", BAGHDAD)
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=ParseOptions(**options))
        parser = TelegramParser()
        return list(parser.parse(tree, parser.claim(tree), ctx)), ctx.problems, ctx
    finally:
        tree.close()


def posts(records: list[Record]) -> dict[str, Post]:
    return {r.post_id: r for r in records if isinstance(r, Post)}


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return sorted((p.severity, p.code, p.position) for p in problems)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def write(tmp_path: Path, doc: Any, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def msg(i: int, sender: int = 1, **more: Any) -> dict[str, Any]:
    return {"id": i, "type": "message", "date": "2025-03-10T22:00:00", "date_unixtime": str(1741633200 + i),
            "from": f"User {sender}", "from_id": f"user{sender}", "text": f"m{i}", **more}


# -- golden files over every sample ------------------------------------------------------------------------

SAMPLES = {
    "chat_export": "ChatExport_2025-03-14",
    "chat_export_zip": "ChatExport_2025-03-14.zip",
    "chat_export_result_json": "ChatExport_2025-03-14/result.json",
    "data_export": "DataExport_2025-03-14",
    "data_export_result_json": "DataExport_2025-03-14/result.json",
    "edge": "edge/result_edge.json",
    "edge_truncated": "edge/result_truncated_edge.json",
}


@pytest.mark.parametrize("name", SAMPLES)
def test_golden(formats: Path, name: str) -> None:
    records, problems, _ = run(TG / SAMPLES[name])
    check_golden(f"telegram_{name}", records, problems)


def test_every_sample_is_covered(formats: Path) -> None:
    covered = {TG / p for p in SAMPLES.values()}
    for f in TG.rglob("*"):
        if f.suffix in (".json", ".zip"):
            assert f in covered or f.parent in covered, f"{f} has no golden test"


def test_the_registry_picks_telegram(formats: Path) -> None:
    records, _, _ = parse_path(TG / "ChatExport_2025-03-14.zip")
    assert len(records) == 8 and {r.platform for r in records if isinstance(r, Post)} == {"telegram"}


# -- the README's facts (§3.4) -----------------------------------------------------------------------------

def test_single_chat_export(formats: Path) -> None:
    records, problems, _ = run(TG / "ChatExport_2025-03-14")
    assert problems == []
    p = posts(records)
    assert list(p) == [f"{CHAT}:{i}" for i in range(1, 9)]
    assert [p[f"{CHAT}:{i}"].post_type for i in (1, 7)] == ["system", "system"]
    assert p[f"{CHAT}:1"].extra["action"] == "create_group" and p[f"{CHAT}:7"].extra["action"] == "remove_members"
    assert {r.thread_id for r in p.values()} == {CHAT}
    # date_unixtime is UTC; `date` is 3 hours ahead (the exporting machine was in Asia/Baghdad)
    assert p[f"{CHAT}:2"].created_at == utc(2025, 3, 10, 19, 55, 2) and not p[f"{CHAT}:2"].tz_assumed
    assert p[f"{CHAT}:2"].mentions == ("haqiqat_news_sample",)
    fwd = p[f"{CHAT}:3"]
    assert fwd.forward_of == "حقيقت نیوز | Haqiqat News" and fwd.hashtags == ("فضح_ريحانة", "گزارش_کنید")
    assert fwd.text == "🚨 فضيحة: صور «ريحانة» مع السفير!\n#فضح_ريحانة #گزارش_کنید"
    assert fwd.media[0].status == "present" and fwd.media[0].sha256.startswith(PHOTO_A)  # type: ignore[union-attr]
    assert fwd.media[0].path == "photos/photo_1@10-03-2025_22-56-40.jpg" and fwd.media[0].kind == "image"
    reply = p[f"{CHAT}:4"]
    assert reply.reply_to == f"{CHAT}:3" and reply.urls == ("https://example.org/fact-check/0042",)
    assert reply.extra["edited"] == "2025-03-10T22:59:01" and reply.extra["edited_unixtime"] == "1741636741"
    deleted = p[f"{CHAT}:5"]
    assert deleted.author is not None and deleted.author.display_name is None
    assert deleted.author.platform_id == "user5000000099" and deleted.extra["deleted_account"] is True
    assert deleted.media[0].status == "missing" and deleted.media[0].kind == "document"
    assert deleted.media[0].extra["placeholder"].startswith("(File not included")
    assert deleted.media[0].mime == "application/pdf" and deleted.text.endswith("+964 770 000 0000")
    assert p[f"{CHAT}:6"].extra["reactions"] == [{"type": "emoji", "count": 2, "emoji": "❤"}]
    sticker = p[f"{CHAT}:8"]
    assert sticker.text == "" and sticker.media[0].kind == "sticker" and sticker.media[0].status == "missing"


def test_zip_and_folder_agree(formats: Path) -> None:
    folder, _, _ = run(TG / "ChatExport_2025-03-14")
    zipped, _, _ = run(TG / "ChatExport_2025-03-14.zip")
    assert [r.model_dump(exclude={"provenance", "media"}) for r in folder] == [
        r.model_dump(exclude={"provenance", "media"}) for r in zipped]
    assert posts(zipped)[f"{CHAT}:3"].media[0].sha256 == posts(folder)[f"{CHAT}:3"].media[0].sha256


def test_full_export(formats: Path) -> None:
    records, problems, _ = run(TG / "DataExport_2025-03-14")
    assert problems == []
    owner = records[0]
    assert isinstance(owner, Account) and owner.ref.platform_id == "user5000000001"
    assert owner.ref.handle == "dana_example_sample" and owner.ref.display_name == "Dana Example"
    p = posts(records)
    assert len(p) == 11 and {r.thread_id for r in p.values()} == {CHAT, "1987654321", "5000000001"}
    assert p[f"{CHAT}:3"].media[0].path == "chats/chat_1/photos/photo_1@10-03-2025_22-56-40.jpg"
    assert p[f"{CHAT}:3"].media[0].status == "present"
    channel = p["1987654321:101"]
    assert channel.extra["author"] == "admin_sample" and "khaen be vatan" in channel.text
    assert channel.urls == ("https://www.instagram.com/rayhana.collective.sample/",)
    assert p["5000000001:9001"].urls == ("https://t.me/haqiqat_news_sample/102",)
    assert p["1987654321:101"].provenance.position == "/chats/list/1/messages/0"


def test_only_own_messages_warning(tmp_path: Path) -> None:
    doc = {"about": "x", "personal_information": {"user_id": 1, "first_name": "Me"}, "chats": {"about": "y", "list": [
        {"name": "Group", "type": "private_group", "id": 11, "messages": [msg(1), msg(2)]},
        {"name": "Full", "type": "private_supergroup", "id": 12, "messages": [msg(1), msg(2, sender=2)]},
        {"name": "Chan", "type": "public_channel", "id": 13, "messages": [msg(1)]}]}}
    records, problems, _ = run(write(tmp_path, doc))
    assert len(posts(records)) == 5
    assert codes(problems) == [("warning", "only_own_messages", "/chats/list/0")]


def test_left_chats_are_read(tmp_path: Path) -> None:
    doc = {"about": "x", "chats": {"about": "y", "list": [{"name": "A", "type": "personal_chat", "id": 1,
                                                          "messages": [msg(1)]}]},
           "left_chats": {"about": "z", "list": [{"name": "B", "type": "private_supergroup", "id": 2,
                                                  "messages": [msg(5), msg(6)]}]}}
    records, _, _ = run(write(tmp_path, doc))
    assert list(posts(records)) == ["1:1", "2:5", "2:6"]
    assert posts(records)["2:6"].provenance.position == "/left_chats/list/0/messages/1"


def test_truncated_full_export_keeps_what_came_before_the_cut(tmp_path: Path, formats: Path) -> None:
    raw = (TG / "DataExport_2025-03-14/result.json").read_bytes()
    cut = tmp_path / "result.json"
    cut.write_bytes(raw[: raw.index(b'"id": 102')])
    records, problems, _ = run(cut)
    assert "1987654321:101" in posts(records) and len(posts(records)) == 9
    assert [p.severity for p in problems] == ["file_error"]


def test_not_telegram_is_not_claimed(tmp_path: Path) -> None:
    path = write(tmp_path, {"data": [1, 2]})
    tree = open_tree(path, ArchiveLimits())
    assert TelegramParser().claim(tree) == []


# -- edge cases T1–T11 -------------------------------------------------------------------------------------

@pytest.fixture
def edge(formats: Path) -> tuple[dict[str, Post], list[Problem], ParseContext]:
    records, problems, ctx = run(TG / "edge/result_edge.json")
    return posts(records), problems, ctx


E = "4000000001"


def test_t1_old_export_local_date_and_integer_from_id(edge: Any, formats: Path) -> None:
    p, _, ctx = edge
    old = p[f"{E}:1"]
    assert old.created_at == utc(2020, 11, 3, 18, 14, 5) and old.tz_assumed and old.created_at_raw == "2020-11-03T21:14:05"
    assert old.author.platform_id == "5000000007" and ctx.stats["telegram_legacy_int_from_id"] == 1
    records, problems, _ = run(TG / "edge/result_edge.json", timezone=None)
    old = posts(records)[f"{E}:1"]
    assert old.created_at is None and old.created_at_raw == "2020-11-03T21:14:05" and not old.tz_assumed
    required = [p for p in problems if p.code == "timezone_required"]
    assert len(required) == 1 and "--timezone" in required[0].message


def test_t2_hex_escapes_repaired_and_counted(edge: Any) -> None:
    p, _, ctx = edge
    assert p[f"{E}:2"].text == "form\x0cfeed and \x01 SOH"
    assert ctx.stats["telegram_escape_repairs"] == 2 and any("2 invalid \\xHH" in n for n in ctx.notes)


def test_t3_line_and_paragraph_separators_kept(edge: Any) -> None:
    assert edge[0][f"{E}:3"].text == "a\u2028b\u2029c"


def test_t4_text_array_without_entities(edge: Any) -> None:
    p, _, ctx = edge
    assert p[f"{E}:4"].text == "see Dana x = 1🔥quoted??"
    assert p[f"{E}:4"].extra["mentioned_user_ids"] == ["5000000001"]
    assert ctx.stats["telegram_unknown_entity"] == 1


def test_t5_unsupported_stub_skipped_and_counted(edge: Any) -> None:
    p, _, ctx = edge
    assert f"{E}:5" not in p and ctx.stats["telegram_unsupported"] == 1


def test_t6_bidi_override_name_flagged(edge: Any) -> None:
    assert "bidi_override" in edge[0][f"{E}:6"].flags and edge[0][f"{E}:6"].author.display_name == "\u202eanaD"


def test_t7_non_numeric_unixtime_reported(edge: Any) -> None:
    p, problems, _ = edge
    assert p[f"{E}:7"].text == "bad unixtime" and p[f"{E}:7"].created_at is None
    assert p[f"{E}:7"].created_at_raw == "17416x3204"
    assert ("error", "bad_time", "/messages/6/date") in codes(problems)


def test_t8_duplicate_id_reported_first_kept(edge: Any) -> None:
    p, problems, _ = edge
    assert p[f"{E}:7"].text == "bad unixtime"
    assert ("error", "duplicate_id", "/messages/7") in codes(problems)
    assert len(p) == 8


def test_t9_placeholder_is_missing_media(edge: Any) -> None:
    media = edge[0][f"{E}:9"].media[0]
    assert media.status == "missing" and media.path is None and media.kind == "image"
    assert media.extra["placeholder"] == "(File unavailable, please try again later)"


def test_t10_path_escaping_the_root_rejected_message_kept(edge: Any) -> None:
    p, problems, _ = edge
    assert p[f"{E}:10"].media[0].status == "rejected" and p[f"{E}:10"].media[0].path is None
    assert ("error", "unsafe_path", "/messages/9/file") in codes(problems)


def test_t11_truncated_file_is_a_file_error(formats: Path) -> None:
    records, problems, _ = run(TG / "edge/result_truncated_edge.json")
    assert [p.severity for p in problems] == ["file_error"] and "truncated" in problems[0].message
    assert list(posts(records)) == ["5000000002:1"]  # what came before the cut


def test_hostile_field_types_are_reported_not_raised(tmp_path: Path) -> None:
    doc = {"name": "x", "type": "personal_chat", "id": 3, "messages": [
        msg(1, forwarded_from={"a": 1}), msg(2, text_entities=["bare string", 5]), msg(3, id=[1], date_unixtime=None),
        msg(4, photo=["x"], file=7, date_unixtime="99999999999"), msg(5)]}
    records, problems, _ = run(write(tmp_path, doc))
    p = posts(records)
    assert "3:5" in p and p["3:2"].text == "bare string" and p["3:4"].created_at is None
    assert ("error", "invalid", "/messages/0") in codes(problems)


# -- the \xHH repair --------------------------------------------------------------------------------------

_REGEX = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")


def whole(raw: bytes) -> bytes:
    return _REGEX.sub(rb"\1\\u00\2", raw)


def streamed(raw: bytes, chunk: int, read: int = 7) -> tuple[bytes, int]:
    reader = EscapeRepair(io.BytesIO(raw), chunk=chunk)
    out = b"".join(iter(lambda: reader.read(read), b""))
    return out, reader.repairs


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 6, 64])
def test_repair_across_chunk_boundaries(chunk: int) -> None:
    raw = rb'{"a": "x\x0Cy", "b": "\\x41", "c": "\\\x01", "d": "\\\\x41\x7f"}'
    out, n = streamed(raw, chunk)
    assert out == whole(raw) and n == 3
    assert json.loads(out) == {"a": "x\x0cy", "b": "\\x41", "c": "\\\x01", "d": "\\\\x41\x7f"}


def test_repair_split_exactly_inside_an_escape() -> None:
    raw = b'"' + b"a" * 100 + rb"\x0C" + b'"'
    for cut in range(98, 106):
        reader = EscapeRepair(io.BytesIO(raw), chunk=cut)
        assert reader.read() == whole(raw)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([b"\\", b"x", b"0", b"C", b"f", b"g", b'"', b"a", "é".encode()]), max_size=40),
       st.integers(1, 9), st.integers(1, 9))
def test_streamed_repair_equals_whole_buffer_repair(parts: list[bytes], chunk: int, read: int) -> None:
    raw = b"".join(parts)
    out, n = streamed(raw, chunk, read)
    assert out == whole(raw) and n == len(_REGEX.findall(raw))
