"""Shared Meta helpers: mojibake repair, times, localised labels, Messenger threads, synthetic ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.errors import HimayaParseError
from himaya.ingest import meta
from himaya.ingest.base import ParseContext
from himaya.ingest.text import normalise, repair_mojibake
from himaya.ingest.tree import FolderTree, open_tree
from himaya.records import AccountRef, Post


def mangle(s: str) -> str:
    """What Meta writes: each UTF-8 byte of the text as one Latin-1 character."""
    return s.encode("utf-8").decode("latin-1")


def repair(s: str) -> str:
    return repair_mojibake(s)[0]


def chars(*ranges: tuple[int, int], extra: str = "") -> st.SearchStrategy[str]:
    pool = [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)] + list(extra)
    return st.sampled_from(pool)


ARABIC = chars((0x0621, 0x064A), (0x0660, 0x0669), extra=" .،؟!\n#_")
PERSIAN = chars((0x0627, 0x063A), (0x06F0, 0x06F9), extra="پچژگکی\u200c .\n#_")
# Latin letters only (U+00C0–U+00FF, ASCII): no Latin-1 continuation characters, so a repaired
# string can never be mistaken for mojibake again (see test_repair_is_idempotent).
LATIN = chars((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0xFF), extra=" .,'!?0123456789")
EMOJI = chars((0x1F600, 0x1F64F), (0x1F300, 0x1F3FF), (0x1F900, 0x1F9FF), extra="\u200d\ufe0f\u2764\u2696 ")
TEXTS = st.one_of(*(st.text(alphabet=a, max_size=40) for a in (ARABIC, PERSIAN, LATIN, EMOJI)),
                  st.text(alphabet=st.one_of(ARABIC, PERSIAN, LATIN, EMOJI), max_size=60))


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_repair_undoes_latin1_mangling(s: str) -> None:
    assert repair(mangle(s)) == s
    assert repair_mojibake(mangle(s))[1] is True


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_repair_is_idempotent(s: str) -> None:
    once = repair(mangle(s))
    assert repair(once) == once
    assert meta.repair_deep({"k": [once]})[0] == {"k": [once]}


@settings(max_examples=300, deadline=None)
@given(st.recursive(TEXTS | st.integers() | st.none() | st.booleans(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
                    max_leaves=10))
def test_repair_deep_repairs_every_string_and_key(value: object) -> None:
    mangled = json.loads(json.dumps(value, ensure_ascii=False).encode("utf-8").decode("latin-1"))
    assert meta.repair_deep(mangled) == (value, True)


def test_repair_keeps_what_it_cannot_decode_and_says_so() -> None:
    assert repair_mojibake("\u00d8 broken") == ("\u00d8 broken", False)  # E10: lone lead byte
    assert repair_mojibake("caf\u00e9") == ("caf\u00e9", False)  # E14: Latin-1, not UTF-8
    assert repair_mojibake("سلام already") == ("سلام already", True)  # E11: already decoded
    fixed, ok = meta.repair_deep({"a": ["caf\u00e9", mangle("ریحانه")], 3: None, "n": 1.5})
    assert fixed == {"a": ["caf\u00e9", "ریحانه"], 3: None, "n": 1.5} and ok is False


def test_zwnj_and_zwj_survive_repair() -> None:
    persian, emoji = "می\u200cدهیم", "👩🏽\u200d⚖️"
    assert repair(mangle(persian)) == persian and "\u200c" in repair(mangle(persian))
    assert repair(mangle(emoji)) == emoji


# -- times and ids -------------------------------------------------------------------------------------


@pytest.fixture
def ctx(tmp_path: Path) -> ParseContext:
    (tmp_path / "f.json").write_text("[]")
    return ParseContext(tree=FolderTree(tmp_path))


def test_unix_time_rules(ctx: ParseContext) -> None:
    assert meta.unix_time(ctx, "f", "/0", 1741635835) == (datetime(2025, 3, 10, 19, 43, 55, tzinfo=UTC), "1741635835", ())
    assert meta.unix_time(ctx, "f", "/0", None) == (None, None, ())
    assert meta.unix_time(ctx, "f", "/0", 0) == (None, "0", ("time_unknown",))  # never 1970
    at, raw, flags = meta.unix_time(ctx, "f", "/1", "1741635660")
    assert at is not None and raw == "1741635660" and flags == ()
    assert meta.unix_time(ctx, "f", "/2", 4070908800) == (None, "4070908800", ("time_in_future",))
    assert meta.unix_time(ctx, "f", "/3", 1741636003000.0, millis=True)[0] == datetime(2025, 3, 10, 19, 46, 43, tzinfo=UTC)
    assert meta.unix_time(ctx, "f", "/4", True)[2] == ("bad_time",)
    assert meta.unix_time(ctx, "f", "/5", "yesterday")[2] == ("bad_time",)
    assert meta.unix_time(ctx, "f", "/6", 86400)[2] == ("bad_time",)  # 1970: before any platform existed
    got = [(p.severity, p.code, p.position) for p in ctx.problems]
    assert got == [("warning", "string_timestamp", "/1"), ("error", "bad_time", "/2"), ("error", "bad_time", "/4"),
                   ("error", "bad_time", "/5"), ("error", "bad_time", "/6")]
    assert "time in the future" in ctx.problems[1].message


def test_synthetic_ids_are_stable_and_readable() -> None:
    a = meta.synthetic_id("thread_1", 1741636003000.0, "Edge Case", "hi")
    assert a == meta.synthetic_id("thread_1", 1741636003000, "Edge Case", "hi")
    assert a.startswith("thread_1/1741636003000/") and len(a.rsplit("/", 1)[1]) == 16
    assert a != meta.synthetic_id("thread_1", 1741636003000, "Edge Case", "hi!")
    assert meta.synthetic_id("c", None, "x").startswith("c/notime/")
    assert meta.synthetic_id("c", {"odd": 1}, "x").startswith("c/notime/")
    # parts are separated, so moving text from one part to the next changes the id
    assert meta.synthetic_id("c", 1, "ab", "c") != meta.synthetic_id("c", 1, "a", "bc")


# -- localised labels ----------------------------------------------------------------------------------


def test_comment_labels_english_dutch_shape_and_failure() -> None:
    en = {"Comment": {"value": "hi"}, "Media Owner": {"value": "dana.example"}, "Time": {"timestamp": 5}}
    nl = {"Opmerking": {"value": "hoi"}, "Media-eigenaar": {"value": "dana.example"}, "Tijd": {"timestamp": 6}}
    ar = {"تعليق": {"value": "نص التعليق"}, "مالك الوسائط": {"value": "dana.example"}, "الوقت": {"timestamp": 7}}
    assert meta.comment_fields(en) == ("hi", "dana.example", 5, False)
    assert meta.comment_fields(nl) == ("hoi", "dana.example", 6, False)
    assert meta.comment_fields(ar) == ("نص التعليق", "dana.example", 7, True)
    # both values look like handles: the owner cannot be told apart, so nothing is guessed
    assert meta.comment_fields({"x": {"value": "thanks"}, "y": {"value": "dana.example"}, "z": {"timestamp": 7}}) is None
    assert meta.comment_fields({"x": {"value": "one value only"}}) is None


# -- system-like message contents --------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "msg", "want"), [
    ("Reacted 😡 to your message ", {}, "reaction"),
    ("Reacted ❤ to your message", {}, "reaction"),
    ("Dana liked a message", {}, "reaction"),
    ("Dana laughed to your message ", {}, "reaction"),
    ("Dana created a poll: who is right?", {}, "system"),
    ("Dana voted for \"yes\" in the poll.", {}, "system"),
    ("This poll is no longer available.", {}, "system"),
    ("Dana's poll has multiple updates.", {}, "system"),
    (None, {"call_duration": 12}, "system"),
    ("I replied to your message", {}, "message"),  # typed text has no trailing space
    ("ya 3amila lel safarat!!", {}, "message"),
    (None, {}, "message"),
])
def test_classify(content: str | None, msg: dict[str, object], want: str) -> None:
    assert meta.classify(content, msg)[0] == want


# -- platform of a member ------------------------------------------------------------------------------------


def test_platform_of_uses_folders_then_the_tree() -> None:
    assert meta.platform_of("your_instagram_activity/messages/inbox/a_1/message_1.json", None) == "instagram"
    assert meta.platform_of("your_facebook_activity/messages/inbox/a_1/message_1.json", "instagram") == "facebook"
    assert meta.platform_of("meta-2025/facebook-dana-2025/messages/inbox/a/message_1.json", None) == "facebook"
    assert meta.platform_of("messages/inbox/a_1/message_1.json", "instagram") == "instagram"
    assert meta.platform_of("message_1.json", None) is None


def test_tree_platform_by_name_and_files(tmp_path: Path) -> None:
    ig = tmp_path / "x" / "followers_and_following"
    ig.mkdir(parents=True)
    (ig / "followers_1.json").write_text("[]")
    assert meta.tree_platform(FolderTree(tmp_path / "x")) == "instagram"
    (tmp_path / "x" / "comments.json").write_text('{"comments_v2": []}')
    assert meta.tree_platform(FolderTree(tmp_path / "x")) is None  # both kinds of file: undecided
    (tmp_path / "facebook-dana-2025-03-14-abc").mkdir()
    assert meta.tree_platform(FolderTree(tmp_path / "facebook-dana-2025-03-14-abc")) == "facebook"


# -- streaming ------------------------------------------------------------------------------------------------


def test_iter_json_streams_and_names_the_byte_of_a_truncated_file(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text('{"messages": [{"a": 1}, {"a": 2}]}')
    (tmp_path / "cut.json").write_text('[{"a": 1}, {"a": ')
    (tmp_path / "bad.json").write_bytes(b'["\xff\xfe"]')
    c = ParseContext(tree=FolderTree(tmp_path))
    assert list(meta.iter_json(c, "ok.json", "messages.item")) == [(0, {"a": 1}), (1, {"a": 2})]
    with pytest.raises(HimayaParseError, match="truncated file, near byte") as info:
        list(meta.iter_json(c, "cut.json", "item"))
    assert info.value.path == "cut.json"
    with pytest.raises(HimayaParseError, match="UTF-8"):
        list(meta.iter_json(c, "bad.json", "item"))


# -- Messenger threads -----------------------------------------------------------------------------------------

OWNER = AccountRef(platform="instagram", handle="rayhana.collective.sample", display_name="Rayhana")


def thread(messages: list[dict[str, object]], participants: tuple[str, ...] = ("Harasser", "Rayhana")) -> str:
    doc = {"participants": [{"name": mangle(p)} for p in participants], "messages": messages,
           "title": participants[0], "thread_path": "inbox/harasser_123"}
    return json.dumps(doc, indent=2)  # ASCII only, like Meta's files


def parse(root: Path, path: str, owner: AccountRef | None = OWNER) -> tuple[list[Post], ParseContext]:
    tree = open_tree(root, ArchiveLimits())
    c = ParseContext(tree=tree)
    return list(meta.parse_thread(c, path, "instagram", owner)), c


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def test_thread_messages_media_reactions_and_senders(tmp_path: Path) -> None:
    rel = "your_instagram_activity/messages/message_requests/harasser_123/message_1.json"
    write(tmp_path, "your_instagram_activity/messages/message_requests/harasser_123/videos/v.mp4", "v")
    write(tmp_path, rel, thread([
        {"sender_name": "Rayhana", "timestamp_ms": 1741636300000, "content": mangle("لا"),
         "reactions": [{"reaction": mangle("😡"), "actor": "Harasser"}]},
        {"sender_name": "Harasser", "timestamp_ms": 1741636200000, "content": "call", "call_duration": 30},
        {"sender_name": "Harasser", "timestamp_ms": 1741636100000,
         "videos": [{"uri": "your_instagram_activity/messages/message_requests/harasser_123/videos/v.mp4"}],
         "audio_files": [{"uri": "nowhere/a.m4a"}], "sticker": {"uri": "../../etc/passwd"}},
        {"sender_name": "Harasser", "timestamp_ms": 1741636000000,
         "share": {"link": "https://www.instagram.com/p/X/", "share_text": mangle("فضيحة #فضح_ريحانة"),
                   "original_content_owner": "haqiqat.news.0042"}},
    ]))
    posts, c = parse(tmp_path, rel)
    mine, call, media, share = posts
    assert mine.author is OWNER and mine.text == "لا" and mine.extra["reactions"][0]["reaction"] == "😡"
    assert "folder_name_hint" not in mine.extra and mine.extra["box"] == "message_requests"
    assert call.post_type == "system" and call.extra["call_duration"] == 30
    assert call.author == AccountRef(platform="instagram", display_name="Harasser")
    assert call.extra["folder_name_hint"] == "harasser"
    assert [(m.kind, m.status) for m in media.media] == [("video", "present"), ("audio", "missing"),
                                                        ("sticker", "rejected")]
    assert [p.code for p in c.problems] == ["unsafe_path"]
    assert share.text == "فضيحة #فضح_ريحانة" and share.extra["text_source"] == "share_text"
    assert share.forward_of == "haqiqat.news.0042" and share.urls == ("https://www.instagram.com/p/X/",)
    assert share.hashtags == ("فضح_ريحانة",)
    assert {p.thread_id for p in posts} == {"harasser_123"}


def test_message_ids_survive_a_later_export_in_another_layout(tmp_path: Path) -> None:
    """The same message in a 2022 root-level export and a 2025 export: one id, so the store merges them."""
    msgs = [{"sender_name": "Harasser", "timestamp_ms": 1669370400000, "content": mangle("نعرف أين تعملين"),
             "photos": [{"uri": "messages/inbox/harasser_123/photos/p.jpg"}]}]
    write(tmp_path / "old", "messages/inbox/harasser_123/message_1.json", thread(msgs))
    newer = [{**msgs[0], "photos": [{"uri": "your_instagram_activity/messages/inbox/harasser_123/photos/p.jpg"}],
              "reactions": [{"reaction": "x", "actor": "Rayhana"}]}]  # a reaction added since
    write(tmp_path / "new", "your_instagram_activity/messages/inbox/harasser_123/message_2.json",
          thread([{"sender_name": "Rayhana", "timestamp_ms": 1669370500000, "content": "later"}, *newer]))
    old, _ = parse(tmp_path / "old", "messages/inbox/harasser_123/message_1.json")
    new, _ = parse(tmp_path / "new", "your_instagram_activity/messages/inbox/harasser_123/message_2.json")
    assert old[0].post_id == new[1].post_id
    assert old[0].post_id.startswith("harasser_123/1669370400000/")


def test_identical_messages_in_one_file_get_distinct_ids(tmp_path: Path) -> None:
    same = {"sender_name": "Harasser", "timestamp_ms": 1741636000000, "content": "spam"}
    write(tmp_path, "messages/inbox/harasser_123/message_1.json", thread([same, same, same]))
    posts, _ = parse(tmp_path, "messages/inbox/harasser_123/message_1.json")
    base = posts[0].post_id
    assert [p.post_id for p in posts] == [base, f"{base}#2", f"{base}#3"]


def test_thread_file_alone_takes_its_folder_from_thread_path(tmp_path: Path) -> None:
    write(tmp_path, "message_1.json", thread([{"sender_name": "Harasser", "timestamp_ms": 1741636000000, "content": "x"}]))
    posts, _ = parse(tmp_path / "message_1.json", "message_1.json", owner=None)
    assert posts[0].thread_id == "harasser_123" and posts[0].extra["box"] == "inbox"


def test_thread_bad_message_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    write(tmp_path, "messages/inbox/h_1/message_1.json",
          '{"participants": [], "messages": [7, {"sender_name": "\\u202eevil", "timestamp_ms": 1741636000000}]}')
    posts, c = parse(tmp_path, "messages/inbox/h_1/message_1.json")
    assert len(posts) == 1 and "bidi_override" in posts[0].flags
    assert [(p.code, p.position) for p in c.problems] == [("invalid_message", "/messages/0")]


def test_evidence_text_keeps_nul_and_isolates_normalised_copy_drops_them() -> None:
    raw = mangle("nul\x00here \u2066isolated\u2069")
    text = repair(raw)
    assert "\x00" in text and "\u2066" in text
    assert normalise(text) == "nulhere isolated"
