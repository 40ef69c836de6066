"""Facebook 'Download your information' JSON: every sample, the README's facts, and the unsampled files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from himaya.config import ArchiveLimits
from himaya.errors import UnsupportedFormatError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.facebook import FacebookParser
from himaya.ingest.instagram import InstagramParser
from himaya.ingest.tree import open_tree
from himaya.records import AccountRef, Follow, Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

FB = FORMATS / "facebook"
EXPORT = "facebook-danaexample10-2025-03-14-Hs8Lp2Qa"
DANA = AccountRef(platform="facebook", display_name="Dana Example")


def run(path: Path, *parsers: Parser) -> tuple[list[Record], list[Problem], ParseContext]:
    """`sniff.parse_path` with the Meta parsers only (the registry needs every other parser importable)."""
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree)
        records: list[Record] = []
        taken: set[str] = set()
        for p in parsers or (InstagramParser(), FacebookParser()):
            paths = [x for x in p.claim(tree) if x not in taken]
            taken.update(paths)
            records += list(p.parse(tree, paths, ctx))
        return records, ctx.problems, ctx
    finally:
        tree.close()


def posts(records: list[Record]) -> list[Post]:
    return [r for r in records if isinstance(r, Post)]


def without_archive(records: list[Record]) -> list[dict[str, Any]]:
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "archive_sha256"}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return [strip(r.model_dump(mode="json")) for r in records]


SAMPLES = sorted([str(p.relative_to(FB)) for p in FB.rglob("*") if p.is_file() and p.suffix in (".json", ".zip")]
                 + [EXPORT, "legacy_2022"]) if FB.is_dir() else []


@pytest.mark.parametrize("rel", SAMPLES)
def test_golden(formats: Path, rel: str) -> None:
    # A Messenger file given alone cannot say which Meta platform wrote it: name the parser, as `--parser` would.
    records, probs, _ = run(FB / rel, FacebookParser())
    name = rel.replace(".zip", "_zip").removesuffix(".json").replace(EXPORT, "export")
    got = check_golden("facebook_" + name.replace("/", "__").replace(".", "_"), records, probs)
    assert got["records"], f"{rel}: no records"


def test_folder_and_zip_give_the_same_records(formats: Path) -> None:
    folder, fp, _ = run(FB / EXPORT)
    zipped, zp, _ = run(FB / f"{EXPORT}.zip")
    assert without_archive(folder) == without_archive(zipped) and fp == zp == []


@pytest.fixture(scope="module")
def export() -> list[Post]:
    if not FB.is_dir():
        pytest.skip("../shared/formats not found")
    records, probs, _ = run(FB / EXPORT)
    assert probs == [] and all(isinstance(r, Post) for r in records)
    return posts(records)


def test_comments(export: list[Post]) -> None:
    arabic, persian = [p for p in export if p.post_type in ("comment", "reply")]
    assert arabic.post_type == "comment" and arabic.author == DANA
    assert arabic.text == "هذه حملة منظمة ضد ريحانة. بلّغوا عن الحسابات 🚩\nكلها أُنشئت هذا الأسبوع."
    assert arabic.extra["target_name"] == "ليلى مثال" and arabic.created_at == datetime(2025, 3, 10, 21, 10, tzinfo=UTC)
    assert persian.post_type == "reply" and persian.extra["target_name"] == "مریم نمونه"
    assert persian.text == "گزارش کامل اینجاست" and persian.urls == ("https://example.org/report-0042",)


def test_posts_with_photo_b(export: list[Post]) -> None:
    arabic, persian = [p for p in export if p.post_type == "post"]
    assert arabic.text.startswith("«الجندر» لا يعني") and arabic.extra["update_timestamp"] == 1741543200
    assert arabic.author == DANA and arabic.extra["title"] == "Dana Example updated her status."
    (photo,) = persian.media
    assert photo.status == "present" and photo.sha256 and photo.sha256.startswith("c0df9483")
    assert persian.extra["media_text"][0]["description"] == "همبستگی با مدافعان حقوق زنان 💜"


def test_messenger_thread(export: list[Post]) -> None:
    thread = [p for p in export if p.thread_id == "waelsample_10229876543210987"]
    assert len(thread) == 4 and all(p.platform == "facebook" and p.post_type == "message" for p in thread)
    mine, photo, accusation, unsent = thread
    assert mine.author == DANA and mine.text == "I have reported this. Please stop."
    assert photo.author == AccountRef(platform="facebook", display_name="Wael Sample")
    (small,) = photo.media
    assert small.status == "present" and small.sha256 and small.sha256.startswith("0b6ee3da")  # Photo A small
    assert photo.extra["reactions"] == [{"reaction": "😡", "actor": "Dana Example"}]
    assert accusation.text.startswith("انتِ تسيئين للدين ويجب سحب جنسيتك.")
    assert "unsent" in unsent.flags and unsent.text == ""


def test_ids_do_not_depend_on_knowing_the_owner(formats: Path, export: list[Post]) -> None:
    """A posts file given alone has no owner to name; its posts must still get the export's ids."""
    alone, _, _ = run(FB / EXPORT / "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json")
    assert [p.post_id for p in posts(alone)] == [p.post_id for p in export if p.post_type == "post"]
    assert all(p.author is None for p in posts(alone))


def test_legacy_2022_layout(formats: Path) -> None:
    records, probs, _ = run(FB / "legacy_2022")
    comment, post = posts(records)
    assert comment.text == "كل التضامن 💪" and comment.author == DANA
    assert post.text == "No to violence against women. لا للعنف ضد المرأة" and post.author == DANA
    assert probs == []


def test_instagram_parser_leaves_facebook_messenger_alone(formats: Path) -> None:
    tree = open_tree(FB / EXPORT, ArchiveLimits())
    assert InstagramParser().claim(tree) == []
    assert len(FacebookParser().claim(tree)) == 3


def fb_tree(root: Path, files: dict[str, Any]) -> Path:
    for rel, doc in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(doc))
    return root


@pytest.mark.parametrize("name", ["who_you've_followed.json", "who_you_ve_followed.json"])
def test_who_you_followed_both_spellings(tmp_path: Path, name: str) -> None:
    root = fb_tree(tmp_path, {
        "your_facebook_activity/profile_information/profile_information.json": {
            "profile_v2": {"name": {"full_name": "Dana Example"}}},
        f"connections/followers/{name}": {"following_v3": [
            {"name": "Layla Mithal", "timestamp": 1741000000}, {"name": "Layla Mithal", "timestamp": 1741000000},
            {"name": "\u00d9\u0085\u00d8\u00b1\u00db\u008c\u00d9\u0085", "timestamp": 0}, {"timestamp": 1}]}})
    records, probs, ctx = run(root)
    follows = [r for r in records if isinstance(r, Follow)]
    assert [(f.follower, f.followed.display_name, f.followed_at_raw) for f in follows] == [
        (DANA, "Layla Mithal", "1741000000"), (DANA, "مریم", "0")]
    assert follows[1].followed_at is None and ctx.stats["duplicate_follow"] == 1
    assert [(p.code, p.position) for p in probs] == [("empty_entry", "/following_v3/3")]


def test_group_posts_and_comments(tmp_path: Path) -> None:
    root = fb_tree(tmp_path, {
        "your_facebook_activity/groups/group_posts_and_comments.json": {"group_posts_v2": [
            {"timestamp": 1741500000, "title": "Dana Example posted in Defenders.", "data": [{"post": "hello group"}]}]},
        "your_facebook_activity/groups/your_comments_in_groups.json": {"group_comments_v2": [
            {"timestamp": 1741500100, "title": "Dana Example commented on Wael Sample's post.",
             "data": [{"comment": {"timestamp": 1741500100, "comment": "stop this", "author": "Dana Example",
                                   "group": "Defenders"}}]}]}})
    records, probs, _ = run(root)
    group_post, group_comment = sorted(posts(records), key=lambda p: p.post_type, reverse=True)
    assert group_post.text == "hello group" and group_post.extra["group"] is True and group_post.author == DANA
    assert group_comment.text == "stop this" and group_comment.extra["target_name"] == "Wael Sample"
    assert probs == []


def test_bad_comment_and_post_are_reported_and_skipped(tmp_path: Path) -> None:
    root = fb_tree(tmp_path, {
        "comments_and_reactions/comments.json": {"comments_v2": [{"timestamp": 1, "data": []},
                                                                 {"timestamp": 1741641000, "data": [{"comment": {
                                                                     "comment": "ok", "author": "Dana Example"}}]}]},
        "posts/your_posts_1.json": [7, {"timestamp": 1741543200, "data": []}]})
    records, probs, _ = run(root)
    assert [p.text for p in posts(records)] == ["ok", ""]
    assert [(p.code, p.position) for p in probs] == [("invalid_comment", "/comments_v2/0"), ("invalid_post", "/0")]


def test_html_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "facebook-dana-2025-03-14-abcd" / "your_facebook_activity" / "posts").mkdir(parents=True)
    html = tmp_path / "facebook-dana-2025-03-14-abcd" / "your_facebook_activity" / "posts" / "your_posts_1.html"
    html.write_text("<html><body>post</body></html>")
    with pytest.raises(UnsupportedFormatError, match=r"Facebook export in HTML format.*re-export in JSON format"):
        run(tmp_path / "facebook-dana-2025-03-14-abcd")


def test_truncated_file_is_a_file_error(tmp_path: Path) -> None:
    (tmp_path / "comments_and_reactions").mkdir()
    (tmp_path / "comments_and_reactions" / "comments.json").write_text('{"comments_v2": [{"timestamp": 1741641000, "da')
    records, probs, _ = run(tmp_path)
    assert records == [] and [(p.severity, p.path) for p in probs] == [
        ("file_error", "comments_and_reactions/comments.json")]


def test_odd_profile_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    root = fb_tree(tmp_path, {"profile_information/profile_information.json": {"profile_v2": ["odd"]},
                              "comments_and_reactions/comments.json": {"comments_v2": [{"timestamp": 1741641000, "data": [
                                  {"comment": {"comment": "ok", "author": "Dana Example"}}]}]}})
    (tmp_path / "profile_information" / "broken").mkdir()
    (tmp_path / "profile_information" / "broken" / "profile_information.json").write_text('{"profile_v2": {"na')
    records, probs, _ = run(root)
    assert [p.author for p in posts(records)] == [DANA]
    assert [(p.severity, p.path) for p in probs] == [
        ("file_error", "profile_information/broken/profile_information.json")]
