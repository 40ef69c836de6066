"""Instagram 'Download your information' JSON: every sample, the README's expected results, E1–E18."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from himaya.config import ArchiveLimits
from himaya.errors import UnsupportedFormatError
from himaya.ingest.base import ParseContext, Parser
from himaya.ingest.facebook import FacebookParser
from himaya.ingest.instagram import InstagramParser
from himaya.ingest.text import normalise
from himaya.ingest.tree import open_tree
from himaya.records import Account, Follow, Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

IG = FORMATS / "instagram"
EXPORT = "instagram-rayhana.collective.sample-2025-03-14-Q7xY2mZp"
PHOTO_A = "15b1301e"


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


def of(records: list[Record], kind: type[Any]) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def without_archive(records: list[Record]) -> list[dict[str, Any]]:
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "archive_sha256"}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return [strip(r.model_dump(mode="json")) for r in records]


def problems(ps: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.code, p.path, p.position) for p in ps]


# -- golden files over every sample --------------------------------------------------------------------------

SAMPLES = sorted(
    [str(p.relative_to(IG)) for p in IG.rglob("*") if p.is_file() and p.suffix in (".json", ".zip")]
    + [EXPORT, "legacy_2022_2023", "variants", "edge"]) if IG.is_dir() else []


@pytest.mark.parametrize("rel", SAMPLES)
def test_golden(formats: Path, rel: str) -> None:
    if not (IG / rel).is_file() or rel.endswith(".zip"):
        name = rel.replace(".zip", "_zip")
    else:
        name = rel.rsplit(".", 1)[0]
    records, probs, _ = run(IG / rel, InstagramParser())
    slug = name.replace(EXPORT, "export").replace("/", "__").replace(".", "_")
    got = check_golden(f"instagram_{slug}", records, probs)
    assert got["records"], f"{rel}: no records"


def test_every_sample_file_is_claimed(formats: Path) -> None:
    tree = open_tree(IG / EXPORT, ArchiveLimits())
    claimed = set(InstagramParser().claim(tree))
    assert {m.path for m in tree.members() if m.path.endswith(".json")} == claimed


def test_folder_and_zip_give_the_same_records(formats: Path) -> None:
    folder, fp, _ = run(IG / EXPORT)
    zipped, zp, _ = run(IG / f"{EXPORT}.zip")
    assert without_archive(folder) == without_archive(zipped)
    assert fp == zp == []
    assert {r.provenance.archive_sha256 for r in zipped} != {None}


# -- README "Expected results" ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export() -> list[Record]:
    if not IG.is_dir():
        pytest.skip("../shared/formats not found")
    records, probs, _ = run(IG / EXPORT)
    assert probs == []
    return records


def test_first_post_comment_decodes_with_zwnj(export: list[Record]) -> None:
    first = next(p for p in of(export, Post) if p.post_type == "comment")
    assert first.text == "ممنون از همراهی‌تان ❤️\nما ادامه می‌دهیم."
    assert "\u200c" in first.text and first.extra == {"media_owner": "maryam.nemuneh.sample", "on": "post"}
    reel = next(p for p in of(export, Post) if p.extra.get("on") == "reel")
    assert reel.text.endswith("👩🏽\u200d⚖️") and reel.hashtags == ("WHRD",)


def test_owner(export: list[Record]) -> None:
    (owner,) = of(export, Account)
    assert owner.ref.handle == "rayhana.collective.sample"
    assert owner.ref.display_name == "تجمع ريحانة | Rayhana Collective"
    assert owner.profile["bio"].startswith("تجمع نسوي") and owner.profile["email"] == "rayhana.sample@example.org"
    follows = of(export, Follow)
    assert all((f.followed if f.relation == "follower" else f.follower) == owner.ref for f in follows)
    assert all(p.author == owner.ref for p in of(export, Post) if p.post_type in ("post", "comment"))


def test_oldest_message_request(export: list[Record]) -> None:
    requests = [p for p in of(export, Post) if p.extra.get("box") == "message_requests"]
    oldest = min(requests, key=lambda p: p.created_at or datetime.max.replace(tzinfo=UTC))
    assert oldest.text == "ya 3amila lel safarat!! #فضح_ريحانة"
    assert oldest.hashtags == ("فضح_ريحانة",) and oldest.author and oldest.author.display_name == "حارس الوطن"
    assert oldest.extra["folder_name_hint"] == "watanguard1187"


def test_photo_a_resolves_inside_the_root(export: list[Record]) -> None:
    photo = next(m for p in of(export, Post) for m in p.media if m.path and "6123456789012345" in m.path)
    assert photo.status == "present" and photo.sha256 and photo.sha256.startswith(PHOTO_A)
    assert photo.path == ("your_instagram_activity/messages/message_requests/watanguard1187_17849990000000002/"
                          "photos/6123456789012345.jpg")


def test_nine_followers_six_in_the_wave(export: list[Record]) -> None:
    followers = [f for f in of(export, Follow) if f.relation == "follower"]
    assert len(followers) == 9
    start, end = datetime(2025, 3, 10, 19, 40, 12, tzinfo=UTC), datetime(2025, 3, 10, 19, 43, 55, tzinfo=UTC)
    wave = [f for f in followers if f.followed_at and start <= f.followed_at <= end]
    assert len(wave) == 6
    assert {f.follower.handle for f in wave} >= {"watan_guard_1187", "haqiqat.news.0042"}


def test_following_late_2025_style_title_and_u_href(export: list[Record]) -> None:
    following = [f for f in export if isinstance(f, Follow) and f.relation == "following"]
    assert [f.followed.handle for f in following] == ["maryam.nemuneh.sample", "dana.example"]
    assert following[0].provenance.position == "/relationships_following/0/string_list_data/0"


def test_posts_single_media_and_carousel(export: list[Record]) -> None:
    single, carousel = [p for p in of(export, Post) if p.post_type == "post"]
    assert single.text.startswith("بيان: نرفض") and single.hashtags == ("ريحانة", "حقوق_المرأة")
    assert len(single.media) == 1 and single.created_at == datetime(2025, 3, 9, 15, 0, tzinfo=UTC)
    assert carousel.text.startswith("گزارش هفتگی") and len(carousel.media) == 2
    assert carousel.created_at_raw == "1741688403"  # the post's own time, not its media's
    assert all(m.status == "present" and m.sha256 and m.sha256.startswith("c0df9483") for m in carousel.media)


def test_inbox_thread(export: list[Record]) -> None:
    inbox = [p for p in of(export, Post) if p.extra.get("box") == "inbox"]
    assert [p.post_type for p in inbox] == ["message", "reaction", "message", "message"]
    assert inbox[1].text == "Reacted 😡 to your message " and inbox[1].extra["reaction"] == "😡"
    assert inbox[2].text.count("\n") == 2 and inbox[2].urls == ("https://example.org/report-0042",)
    assert inbox[3].forward_of == "haqiqat.news.0042" and inbox[3].extra["share"]["link"].endswith("C0ExAmPlE01/")
    assert inbox[0].author and inbox[0].author.handle == "rayhana.collective.sample"  # the owner, by display name
    assert inbox[0].extra["reactions"] == [{"reaction": "❤", "actor": "Dana Example", "timestamp": 1741637160}]
    assert len({p.post_id for p in inbox}) == 4 and all(p.thread_id == "danaexample_17845550000000001" for p in inbox)


def test_ids_do_not_depend_on_knowing_the_owner(formats: Path, export: list[Record]) -> None:
    alone, _, _ = run(IG / EXPORT / "your_instagram_activity/comments/post_comments_1.json")
    assert [p.post_id for p in of(alone, Post)] == [p.post_id for p in of(export, Post) if p.extra.get("on") == "post"]


def test_legacy_2022_2023_layout(formats: Path) -> None:
    records, probs, _ = run(IG / "legacy_2022_2023")
    kinds = Counter(type(r).__name__ + ":" + getattr(r, "post_type", getattr(r, "relation", "")) for r in records)
    assert kinds == {"Follow:follower": 5, "Follow:following": 1, "Post:post": 1, "Post:comment": 1, "Post:message": 1}
    comment = next(p for p in of(records, Post) if p.post_type == "comment")
    assert comment.text == "تضامن كامل ✊ مع المدافعات" and comment.extra["media_owner"] == "dana.example"
    assert [p.code for p in probs] == ["owner_unknown"]  # no personal_information.json in this sample


def test_wrapped_followers_variant(formats: Path) -> None:
    records, _, _ = run(IG / "variants" / "followers_1.relationships_followers_wrapper.json")
    (f,) = of(records, Follow)
    assert f.follower.handle == "dana.example" and f.relation == "follower"
    assert f.provenance.position == "/relationships_followers/0/string_list_data/0"


def test_owner_from_the_export_name_when_profile_is_missing(formats: Path, tmp_path: Path) -> None:
    dst = tmp_path / EXPORT
    shutil.copytree(IG / EXPORT, dst)
    shutil.rmtree(dst / "personal_information")
    records, probs, ctx = run(dst)
    assert not of(records, Account) and probs == []
    assert {f.followed.handle for f in of(records, Follow) if f.relation == "follower"} == {"rayhana.collective.sample"}
    assert any("taken from the export's name" in n for n in ctx.notes)


def test_other_relation_files(tmp_path: Path) -> None:
    def item(user: str) -> dict[str, Any]:
        return {"title": user, "media_list_data": [], "string_list_data": [{"href": f"https://www.instagram.com/_u/{user}",
                                                                            "timestamp": 1741635000}]}
    files = {"follow_requests_you've_received.json": ("relationships_follow_requests_received", "req.user"),
             "recently_unfollowed_accounts.json": ("relationships_unfollowed_users", "gone.user"),
             "blocked_profiles.json": ("relationships_blocked_users", "blocked.user"),
             "following_hashtags.json": ("relationships_following_hashtags", "not.an.account")}
    for name, (key, user) in files.items():
        (tmp_path / name).write_text(json.dumps({key: [item(user)]}))
    records, _, _ = run(tmp_path, InstagramParser())
    got = {(f.relation, f.follower.handle, f.followed.handle) for f in of(records, Follow)}
    assert got == {("follow_request", "req.user", None), ("unfollowed", None, "gone.user"),
                   ("blocked", None, "blocked.user")}


def test_does_not_claim_facebook_files(formats: Path) -> None:
    fb = FORMATS / "facebook" / "facebook-danaexample10-2025-03-14-Hs8Lp2Qa"
    assert InstagramParser().claim(open_tree(fb, ArchiveLimits())) == []
    assert InstagramParser().claim(open_tree(FORMATS / "facebook" / "legacy_2022", ArchiveLimits())) == []


# -- §8 edge files, one test each -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edge() -> tuple[list[Record], list[Problem], ParseContext]:
    if not IG.is_dir():
        pytest.skip("../shared/formats not found")
    return run(IG / "edge" / "followers_1_edge.json")


def follower(edge: tuple[list[Record], list[Problem], ParseContext], handle: str) -> list[Follow]:
    return [f for f in of(edge[0], Follow) if f.follower.handle == handle]


def test_e1_exact_duplicate_kept_once_and_counted(edge: Any) -> None:
    assert len(follower(edge, "dana.example")) == 1
    assert edge[2].stats["duplicate_follow"] == 1


def test_e2_empty_string_list_data_reported(edge: Any) -> None:
    assert ("empty_entry", "followers_1_edge.json", "/2") in problems(edge[1])


def test_e3_username_only_in_href(edge: Any) -> None:
    (f,) = follower(edge, "only.href.user")
    assert f.followed_at == datetime(2025, 3, 10, 19, 44, tzinfo=UTC)


def test_e4_timestamp_zero_is_unknown_not_1970(edge: Any) -> None:
    (f,) = follower(edge, "zero.time.user")
    assert f.followed_at is None and f.followed_at_raw == "0" and "time_unknown" in f.flags


def test_e5_string_timestamp_accepted_with_warning(edge: Any) -> None:
    (f,) = follower(edge, "str.time.user")
    assert f.followed_at == datetime(2025, 3, 10, 19, 41, tzinfo=UTC)
    (w,) = [p for p in edge[1] if p.code == "string_timestamp"]
    assert w.severity == "warning" and w.position == "/5/string_list_data/0/timestamp"


def test_e6_bidi_override_username_quarantined_and_never_shown_raw(edge: Any) -> None:
    (p,) = [p for p in edge[1] if p.position == "/6/string_list_data/0"]
    assert p.severity == "error" and p.code == "invalid_handle"
    assert "\u202e" not in p.message and "<U+202E>resu_live" in p.message
    assert not [f for f in of(edge[0], Follow) if "resu" in (f.follower.handle or "")]


def test_e7_overlong_username_reported(edge: Any) -> None:
    (p,) = [p for p in edge[1] if p.position == "/7/string_list_data/0"]
    assert p.severity == "error" and "300 characters, limit 30" in p.message and len(p.message) < 200
    assert not [f for f in of(edge[0], Follow) if len(f.follower.handle or "") > 30]


def test_e8_two_entries_in_one_item(edge: Any) -> None:
    twins = [f for f in of(edge[0], Follow) if (f.follower.handle or "").startswith("twin.")]
    assert [(f.follower.handle, f.provenance.position) for f in twins] == [
        ("twin.one", "/8/string_list_data/0"), ("twin.two", "/8/string_list_data/1")]


def test_e9_future_time_reported_and_raw_kept(edge: Any) -> None:
    (f,) = follower(edge, "future.user")
    assert f.followed_at is None and f.followed_at_raw == "4070908800" and "time_in_future" in f.flags
    (p,) = [p for p in edge[1] if p.position == "/9/string_list_data/0/timestamp"]
    assert "time in the future" in p.message


def test_edge_followers_totals(edge: Any) -> None:
    # 11 entries: 1 duplicate dropped, E2/E6/E7 reported, E8 gives two → 7 follows
    assert len(of(edge[0], Follow)) == 7
    assert sorted(p.code for p in edge[1] if p.severity == "error") == [
        "bad_time", "empty_entry", "invalid_handle", "invalid_handle"]


@pytest.fixture(scope="module")
def edge_thread() -> list[Post]:
    if not IG.is_dir():
        pytest.skip("../shared/formats not found")
    records, probs, _ = run(IG / "edge" / "message_1_edge.json")
    assert probs == []
    return of(records, Post)


def test_e10_lone_lead_byte_kept_raw_and_flagged(edge_thread: list[Post]) -> None:
    assert edge_thread[0].text == "\u00d8 broken lead byte" and "mojibake_unrepaired" in edge_thread[0].flags


def test_e11_already_decoded_text_unchanged(edge_thread: list[Post]) -> None:
    assert edge_thread[1].text == "سلام already-decoded" and edge_thread[1].flags == ()


def test_e12_nul_and_isolates_kept_in_evidence(edge_thread: list[Post]) -> None:
    text = edge_thread[2].text
    assert text == "nul\x00here \u2066isolated\u2069"
    assert normalise(text) == "nulhere isolated"


def test_e13_no_sender_float_time_null_content(edge_thread: list[Post]) -> None:
    p = edge_thread[3]
    assert p.author is None and p.text == "" and p.created_at == datetime(2025, 3, 10, 19, 46, 43, tzinfo=UTC)
    assert p.post_id.startswith("edgecase_1/1741636003000/")


def test_e14_latin1_not_utf8_kept_and_flagged(edge_thread: list[Post]) -> None:
    assert edge_thread[4].text.startswith("caf\u00e9 ") and "mojibake_unrepaired" in edge_thread[4].flags


def test_e15_unsent_message_recorded(edge_thread: list[Post]) -> None:
    p = edge_thread[5]
    assert "unsent" in p.flags and p.text == "" and p.author and p.author.display_name == "Dana Example"


def test_e16_localised_labels(formats: Path) -> None:
    records, probs, _ = run(IG / "edge" / "post_comments_1_localized_labels_edge.json")
    dutch, arabic = of(records, Post)
    assert dutch.text == "Dutch-labelled comment (verified label set)" and dutch.extra["media_owner"] == "dana.example"
    assert arabic.text.startswith("SYNTHETIC") and arabic.extra["media_owner"] == "dana.example"  # by shape
    (w,) = probs
    assert w.code == "unknown_labels" and "تعليق" in w.message and "by shape" in w.message


def test_e16_unknown_labels_that_shape_cannot_resolve_fail_loudly(tmp_path: Path) -> None:
    good = {"string_map_data": {"Comment": {"value": "fine"}, "Media Owner": {"value": "a.b"}, "Time": {"timestamp": 1741635000}}}
    bad = {"string_map_data": {"Kommentar": {"value": "danke"}, "Eigentümer": {"value": "dana.example"},
                               "Zeit": {"timestamp": 1741635000}}}
    (tmp_path / "post_comments_1.json").write_text(json.dumps([good, bad, {"media_list_data": []}, "x"]))
    records, probs, _ = run(tmp_path / "post_comments_1.json")
    assert [p.text for p in of(records, Post)] == ["fine"]  # the readable comment is kept
    assert [(p.code, p.position) for p in probs[:2]] == [("invalid_comment", "/2"), ("invalid_comment", "/3")]
    p = probs[2]
    assert p.severity == "file_error" and p.message.startswith("unknown labels: Kommentar, Eigentümer, Zeit")


def test_e17_truncated_file_is_a_file_error_and_others_still_ingest(formats: Path) -> None:
    records, probs, _ = run(IG / "edge")
    (cut,) = [p for p in probs if p.path == "followers_2_truncated_edge.json"]
    assert cut.severity == "file_error" and "truncated" in cut.message
    assert of(records, Post) and {r.provenance.path for r in records} >= {"followers_1_edge.json", "message_1_edge.json"}


def test_e18_html_export_alone_is_refused(formats: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="re-export in JSON format"):
        run(IG / "edge" / "followers_1_html_export_edge.html")


def test_e18_html_beside_json_is_a_file_error(formats: Path, tmp_path: Path) -> None:
    (tmp_path / "connections").mkdir()
    (tmp_path / "connections" / "followers_1.html").write_text(
        '<html><body><a href="https://www.instagram.com/dana.example">dana.example</a></body></html>')
    with pytest.raises(UnsupportedFormatError, match="re-export in JSON format"):
        run(tmp_path)
    _, probs, _ = run(IG / "edge")
    (html,) = [p for p in probs if p.path.endswith(".html")]
    assert html.severity == "file_error" and "re-export in JSON format" in html.message


# -- streaming a large followers file ---------------------------------------------------------------------------


def test_large_followers_file_streams(tmp_path: Path) -> None:
    n = 20_000
    with (tmp_path / "followers_1.json").open("w") as fh:
        fh.write("[\n" + ",\n".join(json.dumps({"title": "", "media_list_data": [], "string_list_data": [
            {"href": f"https://www.instagram.com/user.{i}", "value": f"user.{i}", "timestamp": 1700000000 + i}]},
            indent=2) for i in range(n)) + "\n]")
    records, probs, _ = run(tmp_path / "followers_1.json", InstagramParser())
    assert len(records) == n and [p.code for p in probs] == ["owner_unknown"]
    assert records[-1].provenance.position == f"/{n - 1}/string_list_data/0"


def test_registry_path_when_every_parser_is_importable(formats: Path) -> None:
    """The real `parse_path` (sniff + registry), once the other built-in parsers exist."""
    try:
        from himaya.plugins import parsers
        parsers()
    except ImportError as exc:
        pytest.skip(f"registry not complete yet: {exc}")
    from himaya.ingest.sniff import parse_path
    records, probs, _ = parse_path(IG / EXPORT)
    assert without_archive(records) == without_archive(run(IG / EXPORT)[0]) and probs == []


def test_unrelated_html_pages_are_not_taken_for_an_export(tmp_path: Path) -> None:
    (tmp_path / "posts.html").write_text("<html><body>my blog</body></html>")
    assert InstagramParser().claim(open_tree(tmp_path, ArchiveLimits())) == []
    assert FacebookParser().claim(open_tree(tmp_path, ArchiveLimits())) == []


def test_entry_without_any_name_is_reported(tmp_path: Path) -> None:
    (tmp_path / "followers_1.json").write_text(json.dumps([
        {"title": "", "string_list_data": [{"href": "", "timestamp": 1741635000}, "not an object"]}]))
    _, probs, _ = run(tmp_path / "followers_1.json")
    assert [(p.code, p.position) for p in probs if p.severity == "error"] == [
        ("empty_entry", "/0/string_list_data/0"), ("empty_entry", "/0/string_list_data/1")]
