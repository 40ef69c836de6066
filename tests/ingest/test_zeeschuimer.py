"""Zeeschuimer NDJSON captures: every sample, the README's facts (§11.8), edge lines Z1–Z10, hostile lines."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from himaya.config import ArchiveLimits
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.tree import open_tree
from himaya.ingest.zeeschuimer import ZeeschuimerParser, envelope_of
from himaya.records import Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

ZS = FORMATS / "zeeschuimer"
X_FILE = "zeeschuimer-export-twitter.com-2025-03-10T203305.ndjson"
IG_FILE = "zeeschuimer-export-instagram.com-2025-03-10T201012.ndjson"
TT_FILE = "zeeschuimer-export-tiktok.com-2025-03-10T201520.ndjson"
TC_FILE = "zeeschuimer-export-tiktok-comments-2025-03-10T201530.ndjson"
EDGE = "edge/zeeschuimer_mixed_edge.ndjson"
SAMPLES = sorted(p.relative_to(ZS).as_posix() for p in ZS.rglob("*.ndjson")) if ZS.is_dir() else []


def run(path: Path, options: ParseOptions | None = None) -> tuple[list[Record], list[Problem], ParseContext]:
    """`sniff.parse_path` with this parser only (the registry needs every other parser importable)."""
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=options or ParseOptions())
        parser = ZeeschuimerParser()
        return list(parser.parse(tree, parser.claim(tree), ctx)), ctx.problems, ctx
    finally:
        tree.close()


def posts(records: list[Record]) -> dict[str, Post]:
    assert all(isinstance(r, Post) for r in records)
    return {r.post_id: r for r in records if isinstance(r, Post)}


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return sorted((p.severity, p.code, p.position) for p in problems)


def line(platform: str, data: dict[str, Any], **env: Any) -> str:
    """One capture line laid out as Zeeschuimer writes it (compact JSON, raw non-ASCII)."""
    obj = {"nav_index": "1:1:0", "item_id": data.get("id", "x"), "timestamp_collected": 1741638612481,
           "source_platform": platform, "source_platform_url": "https://example.invalid/page",
           "source_url": "https://example.invalid/api", "user_agent": "Mozilla/5.0 (sample)", **env, "data": data, "id": 1}
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write(tmp_path: Path, *lines: str, name: str = "capture.ndjson", end: str = "\n") -> Path:
    p = tmp_path / name
    p.write_bytes(("\n".join(lines) + end).encode("utf-8"))
    return p


def x_item(rest_id: str, **legacy: Any) -> dict[str, Any]:
    return {"__typename": "Tweet", "rest_id": rest_id,
            "core": {"user_results": {"result": {"__typename": "User", "rest_id": "1500000000000000001",
                                                 "core": {"screen_name": "sample_user", "name": "Sample",
                                                          "created_at": "Thu May 02 11:20:33 +0000 2019"}}}},
            "legacy": {"created_at": "Mon Mar 10 20:15:00 +0000 2025", "full_text": "sample text",
                       "conversation_id_str": rest_id, "id_str": rest_id, **legacy}}


@pytest.fixture
def zs(formats: Path) -> Path:
    return formats / "zeeschuimer"


# -- golden files over every sample --------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_golden(zs: Path, name: str) -> None:
    records, problems, _ = run(zs / name)
    stem = re.sub(r"-\d{4}-\d{2}-\d{2}T\d{6}$", "", Path(name).stem).removeprefix("zeeschuimer-export-")
    check_golden("zeeschuimer_" + stem.removeprefix("zeeschuimer_").replace("-", "_").replace(".", "_"), records, problems)


def test_samples_all_claimed_by_content(zs: Path, tmp_path: Path) -> None:
    for name in SAMPLES:
        renamed = tmp_path / (Path(name).stem.replace("zeeschuimer", "capture") + ".txt")  # users rename files
        shutil.copy(zs / name, renamed)
        tree = open_tree(renamed, ArchiveLimits())
        assert ZeeschuimerParser().claim(tree) == [renamed.name], name


# -- §11.8 expected results ----------------------------------------------------------------------------------

def test_x_sample(zs: Path) -> None:
    records, problems, _ = run(zs / X_FILE)
    assert not problems
    by_id = posts(records)
    assert len(records) == 6
    replies = {"1899000000000000500": "1899000000000000401", "1899000000000001300": "1899000000000001405",
               "1899000000000002300": "1899000000000002407"}
    for rounded, rest_id in replies.items():  # the rounded item_id resolves to its rest_id and is never an ID
        p = by_id[rest_id]
        assert p.extra["envelope"]["item_id"] == rounded
        assert p.post_type == "reply" and p.thread_id == "1899000000000000101"
        assert rounded not in by_id
    assert by_id["1899000000000002407"].reply_to == "1899000000000000401"
    assert by_id["1899000000000000401"].reply_to == "1899000000000000101"
    photo = by_id["1899000000000001405"].media
    assert [m.url for m in photo] == ["https://pbs.twimg.com/media/GmSaMpLeA01.jpg"] and photo[0].kind == "image"
    first = by_id["1899000000000000401"]
    assert first.created_at == datetime(2025, 3, 10, 20, 20, 31, tzinfo=UTC)
    assert first.collected_at == datetime(2025, 3, 10, 20, 30, 12, 481000, tzinfo=UTC)
    assert first.author and first.author.handle == "watan_guard_sample" and first.author.platform_id == "1899999999999999999"
    assert first.extra["author_profile"]["created_at"] == "2025-03-09T23:02:11Z"  # an account one day old
    assert first.hashtags == ("فضح_ريحانة",) and first.mentions == ("rayhana_sample",)
    assert first.url == "https://x.com/watan_guard_sample/status/1899000000000000401"
    quote, rt = by_id["1899000000000003409"], by_id["1899000000000004411"]
    assert quote.post_type == "post" and quote.quote_of == "1899000000000000101"
    assert quote.urls == ("https://x.com/rayhana_sample/status/1899000000000000101",)
    assert rt.post_type == "share" and rt.extra["retweet_of"] == "1899000000000000401"
    assert rt.forward_of == "1899999999999999999"
    statement = by_id["1899000000000000101"]
    assert statement.post_type == "post" and statement.extra["promoted"] is False
    assert statement.extra["source"] == "zeeschuimer:twitter.com"
    assert statement.extra["envelope"]["user_agent"].startswith("Mozilla/5.0")


def test_instagram_sample(zs: Path) -> None:
    records, problems, _ = run(zs / IG_FILE)
    assert not problems
    by_id = posts(records)
    assert len(records) == 3
    carousel = by_id["3590000000000000001"]
    assert [m.kind for m in carousel.media] == ["image", "image"]
    assert [m.url.split("?")[0].rsplit("/", 1)[1] for m in carousel.media if m.url] == [
        "rayhana_carousel_1.jpg", "rayhana_carousel_2.jpg"]
    assert carousel.created_at == datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert carousel.url == "https://www.instagram.com/p/DHa9SmpLe01/"
    assert carousel.extra["usertags"] == ["layla.mithal.sample"]  # tagged on the second image
    harasser = by_id["3590000000000000077"]
    assert harasser.hashtags == ("فضح_ريحانة", "گزارش_کنید")  # 4CAT would give فضح,گزارش
    assert harasser.mentions == ("rayhana.collective.sample",)
    assert harasser.extra["usertags"] == ["rayhana.collective.sample"]
    assert harasser.author and harasser.author.handle == "mithal.watan.sample"
    reel = by_id["3590000000000000002"]
    assert reel.created_at is None and reel.created_at_raw is None and reel.partial and reel.text == ""
    assert reel.extra["shape"] == "polaris"
    # signed CDN URLs that have expired are recorded as missing, never fetched
    assert all(m.status == "missing" and "url_expired" in m.flags for m in carousel.media)


def test_tiktok_samples(zs: Path, tmp_path: Path) -> None:
    shutil.copy(zs / TT_FILE, tmp_path)
    shutil.copy(zs / TC_FILE, tmp_path)
    records, problems, ctx = run(tmp_path)
    assert not problems
    by_id = posts(records)
    vids = [p for p in by_id.values() if p.post_type == "post"]
    comments = [p for p in by_id.values() if p.post_type in ("comment", "reply")]
    assert len(vids) == 2 and len(comments) == 4  # the nested copy of …103 is not a fifth comment
    video = "7479999999999999000"
    parents = {"7480000000000000101": video, "7480000000000000102": video,
               "7480000000000000103": "7480000000000000101", "7480000000000000104": "7480000000000000103"}
    assert {c.post_id: c.reply_to for c in comments} == parents
    assert all(c.thread_id == video for c in comments)
    assert by_id["7480000000000000103"].post_type == "reply" and by_id["7480000000000000101"].post_type == "comment"
    # the copy kept is the item of its own (line 3); the nested preview in line 1 is a sighting
    r103 = by_id["7480000000000000103"]
    assert r103.provenance.position == "line 3" and "nested_in" not in r103.extra
    assert [s.get("nested_in") for s in r103.extra["sightings"]] == ["7480000000000000101", None]
    assert ctx.stats["zeeschuimer_duplicate_sighting"] == 1
    defender = by_id[video]
    assert defender.author and defender.author.handle == "rayhana.collective.sample"
    assert defender.hashtags == ("حقوق_النساء", "ريحانة")
    assert defender.url == "https://www.tiktok.com/@rayhana.collective.sample/video/7479999999999999000"
    harasser = by_id["7480000000000000050"]
    assert harasser.mentions == ("rayhana.collective.sample",) and harasser.extra["mentioned_user_ids"] == [
        "7300000000000000001"]
    assert by_id["7480000000000000102"].text == "این صفحه را گزارش کنید، همه با هم ریپورت می‌زنیم 🚩 #گزارش_کنید"


# -- §11.9 edge lines Z1–Z10 ---------------------------------------------------------------------------------

@pytest.fixture
def edge(zs: Path) -> tuple[list[Record], list[Problem], ParseContext]:
    return run(zs / EDGE)


def test_edge_totals(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    records, problems, ctx = edge
    assert len(records) == 5
    assert codes(problems) == [("error", "not_a_capture", "line 10"), ("error", "not_a_capture", "line 9"),
                               ("error", "truncated", "line 11"), ("warning", "unsupported_platform", "line 3"),
                               ("warning", "unsupported_platform", "line 4")]
    assert ctx.stats["zeeschuimer_unsupported_line"] == 2 and ctx.stats["zeeschuimer_blank_line"] == 1


def test_z1_line_separators_are_text(zs: Path, edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    raw = (zs / EDGE).read_bytes()
    assert len(raw.decode("utf-8").splitlines()) == 15 and raw.count(b"\n") == 10  # 11 lines, no final newline
    z1 = posts(edge[0])["7480000000000000105"]
    assert "\u2028" in z1.text and "\u2029" in z1.text and z1.provenance.position == "line 1"


def test_z2_blank_line_skipped_silently(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    assert not [p for p in edge[1] if p.position == "line 2"]


@pytest.mark.parametrize(("n", "platform"), [(3, "linkedin.com"), (4, "futuresocial.example")], ids=["Z3", "Z4"])
def test_z3_z4_unsupported_platforms_kept_raw(zs: Path, edge: tuple[list[Record], list[Problem], ParseContext],
                                              n: int, platform: str) -> None:
    raw = (zs / EDGE).read_bytes().split(b"\n")[n - 1].decode("utf-8")
    [p] = [p for p in edge[1] if p.position == f"line {n}"]
    assert (p.severity, p.code) == ("warning", "unsupported_platform")
    assert f"unsupported platform '{platform}'" in p.message
    assert p.message.endswith(raw)  # the raw line, whole


def test_z5_4cat_line_equals_the_original(zs: Path, tmp_path: Path,
                                          edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    z5 = posts(edge[0])["7480000000000000102"]
    original = posts(run(zs / TC_FILE)[0])["7480000000000000102"]
    skip = {"provenance", "extra"}
    assert z5.model_dump(exclude=skip) == original.model_dump(exclude=skip)
    assert z5.extra["envelope"]["via"] == "4cat" and z5.extra["envelope"]["nav_index"] == "7:9:1"
    shutil.copy(zs / TC_FILE, tmp_path)
    shutil.copy(zs / EDGE, tmp_path)
    both = posts(run(tmp_path)[0])
    assert len(both["7480000000000000102"].extra["sightings"]) == 2  # a duplicate, not a second comment


def test_z6_old_embedded_tiktok_line(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    z6 = posts(edge[0])["7170000000000000009"]
    assert z6.created_at == datetime(2022, 11, 30, 9, 20, tzinfo=UTC) and z6.created_at_raw == "1669800000"
    assert z6.author and z6.author.handle == "old.account.sample" and z6.author.platform_id == "6900000000000000009"
    assert z6.author.display_name == "Old Sample"
    env = z6.extra["envelope"]
    assert env["user_agent"] is None and env["last_updated"] is None and env["nav_index"] == "3:-1:NaN"
    assert z6.extra["shape"] == "embedded_legacy"


def test_z7_quote_of_deleted_post(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    z7 = posts(edge[0])["1899000000000005413"]
    assert z7.quote_of == "1899000000000000399"
    assert z7.extra["quoted_unavailable"].startswith("This Post was deleted")
    assert not [p for p in edge[1] if p.position == "line 7"]


def test_z8_recapture_is_a_second_sighting(zs: Path, tmp_path: Path) -> None:
    shutil.copy(zs / X_FILE, tmp_path)
    shutil.copy(zs / EDGE, tmp_path / "zeeschuimer_mixed_edge.ndjson")
    records, _, _ = run(tmp_path)
    statement = posts(records)["1899000000000000101"]
    assert [s["nav_index"] for s in statement.extra["sightings"]] == ["7:5:0", "7:5:4"]  # earliest first
    assert statement.collected_at == datetime(2025, 3, 10, 20, 30, 12, 481000, tzinfo=UTC)
    assert statement.extra["first_seen"] == "2025-03-10T20:30:12.481Z"
    assert statement.extra["source_platform_urls"] == ["https://x.com/rayhana_sample/status/1899000000000000101"]
    assert len([r for r in records if isinstance(r, Post) and r.post_id == "1899000000000000101"]) == 1


def test_z9_json_that_is_not_a_capture(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    found = {p.position: p.message for p in edge[1] if p.code == "not_a_capture"}
    assert set(found) == {"line 9", "line 10"} and "list" in found["line 10"]


def test_z10_truncated_last_line(edge: tuple[list[Record], list[Problem], ParseContext]) -> None:
    [p] = [p for p in edge[1] if p.position == "line 11"]
    assert p.code == "truncated" and "truncated" in p.message


# -- hostile and unusual lines built here ----------------------------------------------------------------------

def test_broken_line_in_the_middle_is_invalid_json_not_truncated(tmp_path: Path) -> None:
    good = line("twitter.com", x_item("1899000000000009001"))
    records, problems, _ = run(write(tmp_path, good, '{"nav_index":', good.replace("9001", "9002")))
    assert len(records) == 2 and codes(problems) == [("error", "invalid_json", "line 2")]


def test_rounded_id_is_never_used(tmp_path: Path) -> None:
    item = x_item("1899000000000000401")
    del item["rest_id"], item["legacy"]["id_str"]
    item["id"] = 1899000000000000500
    records, problems, _ = run(write(tmp_path, line("twitter.com", item, item_id=1899000000000000500)))
    assert records == [] and codes(problems) == [("error", "invalid_item", "line 1")]


def test_x_wrapped_note_tweet_video_and_older_user_layout(tmp_path: Path) -> None:
    item = x_item("1899000000000009010", extended_entities={"media": [{
        "type": "video", "media_url_https": "https://pbs.twimg.com/thumb.jpg", "media_key": "7_1",
        "video_info": {"variants": [{"content_type": "video/mp4", "bitrate": 256000, "url": "https://video.twimg.com/low.mp4"},
                                    {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/pl.m3u8"},
                                    {"content_type": "video/mp4", "bitrate": 2176000, "url": "https://video.twimg.com/high.mp4"}]}}]})
    item["core"]["user_results"]["result"] = {"rest_id": "42", "legacy": {"screen_name": "Old_Layout", "name": "Old"}}
    item["note_tweet"] = {"note_tweet_results": {"result": {"text": "a long post " * 30 + "#long_tag",
                                                            "entity_set": {"hashtags": [{"text": "long_tag"}]}}}}
    wrapped = {"__typename": "TweetWithVisibilityResults", "tweet": item}
    records, problems, _ = run(write(tmp_path, line("twitter.com", wrapped)))
    assert not problems
    p = posts(records)["1899000000000009010"]
    assert p.text.endswith("#long_tag") and p.extra["truncated_text"] == "sample text"
    assert p.hashtags == ("long_tag",) and p.author and p.author.handle == "Old_Layout"
    assert [(m.kind, m.url) for m in p.media] == [("video", "https://video.twimg.com/high.mp4")]


def test_instagram_partial_copy_upgraded_by_full_copy(tmp_path: Path) -> None:
    partial = {"__typename": "XIGPolarisVideoMedia", "pk": "359", "code": "C1", "_zs_partial": True,
               "user": {"pk": "1", "username": "someone.sample"}}
    full = {"pk": "359", "code": "C1", "taken_at": 1741622400, "caption": {"text": "full #tag"}, "media_type": 1,
            "user": {"pk": "1", "username": "someone.sample"}, "_zs_partial": False}
    graph = {"__typename": "GraphImage", "id": "360", "shortcode": "C2", "taken_at_timestamp": 1741622400,
             "edge_media_to_caption": {"edges": [{"node": {"text": "legacy @someone.sample"}}]},
             "owner": {"id": "2", "username": "legacy.sample"}, "display_url": "https://scontent.example/x.jpg"}
    records, problems, _ = run(write(tmp_path, line("instagram.com", partial, timestamp_collected=1741637000000),
                                     line("instagram.com", full, timestamp_collected=1741638000000),
                                     line("instagram.com", graph)))
    assert not problems
    by_id = posts(records)
    kept = by_id["359"]
    assert not kept.partial and kept.text == "full #tag" and kept.provenance.position == "line 2"
    assert kept.collected_at == datetime.fromtimestamp(1741637000, UTC)  # first seen: the partial copy
    legacy = by_id["360"]
    assert legacy.extra["shape"] == "graph" and legacy.mentions == ("someone.sample",)
    assert legacy.author and legacy.author.handle == "legacy.sample" and legacy.media[0].status == "remote"


def test_bad_times_are_reported_never_1970(tmp_path: Path) -> None:
    comment = {"cid": "1", "aweme_id": "9", "create_time": 0, "text": "x", "reply_id": "0", "user": {"uid": "5"}}
    records, problems, _ = run(write(tmp_path, line("tiktok-comments", comment, timestamp_collected="soon")))
    p = posts(records)["1"]
    assert p.created_at is None and p.created_at_raw == "0" and "bad_time" in p.flags and p.collected_at is None
    assert codes(problems) == [("error", "bad_time", "line 1"), ("warning", "bad_time", "line 1")]


def test_hostile_handle_is_flagged(tmp_path: Path) -> None:
    comment = {"cid": "1", "aweme_id": "9", "create_time": 1741636692, "text": "x", "reply_id": "0",
               "user": {"uid": "5", "unique_id": "\u202eelpmas", "nickname": "a\u200bb"}}
    p = posts(run(write(tmp_path, line("tiktok-comments", comment)))[0])["1"]
    assert "bidi_override" in p.flags and "zero_width" in p.flags


def test_invalid_utf8_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    good = line("twitter.com", x_item("1899000000000009020"))
    path = tmp_path / "c.ndjson"
    path.write_bytes(good.encode() + b"\n" + good.encode().replace(b"sample text", b"bad \xff byte") + b"\n")
    records, problems, _ = run(path)
    assert len(records) == 1 and codes(problems) == [("error", "invalid_utf8", "line 2")]


def test_over_long_line_is_reported_and_the_others_survive(tmp_path: Path) -> None:
    good = line("twitter.com", x_item("1899000000000009030"))
    big = line("twitter.com", x_item("1899000000000009031", full_text="x" * 5000))
    after = line("twitter.com", x_item("1899000000000009032"))
    records, problems, _ = run(write(tmp_path, good, big, after), ParseOptions(max_line_bytes=2000))
    assert len(records) == 2 and codes(problems) == [("error", "line_too_long", "line 2")]


def test_item_of_unexpected_shape_sinks_one_line(tmp_path: Path) -> None:
    item = x_item("1899000000000009040")
    item["legacy"]["full_text"] = {"not": "text"}
    item["legacy"]["lang"] = ["en"]
    records, problems, _ = run(write(tmp_path, line("twitter.com", item), line("twitter.com", x_item("1899000000000009041"))))
    assert len(records) == 2 and posts(records)["1899000000000009040"].text == ""
    assert not problems


def test_claim_is_by_content(tmp_path: Path) -> None:
    generic = write(tmp_path, json.dumps({"schema_version": "himaya.generic/1", "data": {}}), name="g.ndjson")
    empty = write(tmp_path, "", name="empty.ndjson", end="")
    blank_first = write(tmp_path, "", line("tiktok.com", {"id": "1"}), name="blank_first.ndjson")
    flattened = write(tmp_path, json.dumps({"cid": "1", "__import_meta": {"source_platform": "tiktok-comments"}}),
                      name="from_4cat.json")
    parser = ZeeschuimerParser()
    assert parser.claim(open_tree(generic, ArchiveLimits())) == []
    assert parser.claim(open_tree(empty, ArchiveLimits())) == []
    assert parser.claim(open_tree(blank_first, ArchiveLimits())) == ["blank_first.ndjson"]
    assert parser.claim(open_tree(flattened, ArchiveLimits())) == ["from_4cat.json"]


def test_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + line("twitter.com", x_item("1899000000000009050")).encode() + b"\n")
    records, problems, _ = run(path)
    assert len(records) == 1 and not problems


def test_claim_reads_a_first_line_longer_than_the_head(tmp_path: Path) -> None:
    data = {"cid": "1", "aweme_id": "9", "text": "x" * 100_000, "create_time": 1741636692, "user": {"uid": "5"}}
    flattened = json.dumps({**data, "__import_meta": {"source_platform": "tiktok-comments"}})
    path = write(tmp_path, flattened, name="long.ndjson")
    assert ZeeschuimerParser().claim(open_tree(path, ArchiveLimits())) == ["long.ndjson"]
    assert len(run(path)[0]) == 1


def test_envelope_of() -> None:
    assert envelope_of([1]) is None and envelope_of({"data": {}}) is None
    env, data, via = envelope_of({"source_platform": "x.com", "data": {"a": 1}}) or ({}, {}, True)
    assert data == {"a": 1} and not via and env["source_platform"] == "x.com"
