"""X/Twitter account archive: every sample, the README's facts (§5.3), edge files X1–X5, no eval ever."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.ingest.base import ParseContext
from himaya.ingest.tree import open_tree
from himaya.ingest.x_archive import XArchiveParser
from himaya.records import Account, Follow, Post, Problem, Record
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

XA = FORMATS / "x_archive"
EXPORT = "twitter-2025-03-14-5f0c3e9a7b21d4c8"
OWNER = "1500000000000000001"
PHOTO_B = "c0df94837413c8783538502c057038f4ebccb5b15622fe6f4640c01c4d24c0a3"


def run(path: Path) -> tuple[list[Record], list[Problem], ParseContext]:
    """`sniff.parse_path` with this parser only (the registry needs every other parser importable)."""
    tree = open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree)
        parser = XArchiveParser()
        return list(parser.parse(tree, parser.claim(tree), ctx)), ctx.problems, ctx
    finally:
        tree.close()


def of(records: list[Record], kind: type[Any]) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def posts(records: list[Record]) -> dict[str, Post]:
    return {r.post_id: r for r in of(records, Post)}


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return sorted((p.severity, p.code, p.position) for p in problems)


def without_archive(records: list[Record]) -> list[Any]:
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "archive_sha256"}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return [strip(r.model_dump(mode="json")) for r in records]


# -- golden files over every sample --------------------------------------------------------------------------

SAMPLES = [EXPORT, f"{EXPORT}.zip", "edge", *sorted(f"edge/{p.name}" for p in (XA / "edge").glob("*.js"))] \
    if XA.is_dir() else []


@pytest.mark.parametrize("rel", SAMPLES)
def test_golden(formats: Path, rel: str) -> None:
    records, probs, _ = run(XA / rel)
    slug = rel.replace(EXPORT, "export").replace(".zip", "_zip").replace(".js", "").replace("/", "__")
    check_golden(f"x_archive_{slug}", records, probs)


def test_folder_and_zip_give_the_same_records(formats: Path) -> None:
    folder, p1, _ = run(XA / EXPORT)
    zipped, p2, _ = run(XA / f"{EXPORT}.zip")
    assert without_archive(folder) == without_archive(zipped)
    assert codes(p1) == codes(p2)
    assert {r.provenance.archive_sha256 for r in zipped} == {
        "f34b7238a0817c4f1511c6c0e387ff83e1751d17c7af267d7a3755780e2daeb4"}


# -- README §5.3 ----------------------------------------------------------------------------------------------

@pytest.fixture
def export(formats: Path) -> tuple[list[Record], list[Problem]]:
    records, probs, _ = run(XA / EXPORT)
    return records, probs


def test_posts_three_plus_one(export: tuple[list[Record], list[Problem]]) -> None:
    records, _ = export
    by_file = Counter(p.provenance.path for p in of(records, Post) if p.provenance.path.startswith("data/tweets"))
    assert by_file == {"data/tweets.js": 3, "data/tweets-part1.js": 1}
    owner = of(records, Account)
    assert len(owner) == 1 and owner[0].ref.platform_id == OWNER and owner[0].ref.handle == "rayhana_sample"
    assert owner[0].profile["email"] == "rayhana.sample@example.org"
    assert all(p.author == owner[0].ref for p in of(records, Post) if p.provenance.path.startswith("data/tweets"))


def test_arabic_post_hashtags_and_mention(export: tuple[list[Record], list[Problem]]) -> None:
    p = posts(export[0])["1899000000000000101"]
    assert p.post_type == "post" and p.language == "ar"
    assert p.hashtags == ("ريحانة", "حقوق_المرأة") and p.mentions == ("x_safety_sample",)
    assert p.created_at == datetime(2025, 3, 10, 20, 15, tzinfo=UTC)
    assert p.created_at_raw == "Mon Mar 10 20:15:00 +0000 2025"
    assert p.url == "https://x.com/rayhana_sample/status/1899000000000000101"


def test_persian_reply_with_tco_link(export: tuple[list[Record], list[Problem]]) -> None:
    p = posts(export[0])["1899000000000000102"]
    assert (p.post_type, p.reply_to, p.language) == ("reply", "1899000000000000090", "fa")
    assert "https://example.org/fact-check/0042" in p.text and "t.co" not in p.text
    assert p.extra["full_text"].endswith("https://t.co/AbCdEf1234")
    assert p.extra["display_text_range"] == ["21", "81"]
    assert p.urls == ("https://example.org/fact-check/0042",)
    assert p.extra["in_reply_to_screen_name"] == "haqiqat_news_sample"


def test_retweet_by_prefix_and_html_unescaped(export: tuple[list[Record], list[Problem]]) -> None:
    p = posts(export[0])["1899000000000000103"]
    assert p.post_type == "share"
    assert p.forward_of == "1500000000000000003"  # the id that the mention entity gives for @layla_mithal_sample
    assert p.extra["retweet_of_handle"] == "layla_mithal_sample"
    assert p.text.endswith("truth & dignity") and "&amp;" in p.extra["full_text"]


def test_photo_post_media_is_present(export: tuple[list[Record], list[Problem]]) -> None:
    p = posts(export[0])["1899000000000000104"]
    (m,) = p.media
    assert (m.kind, m.status, m.sha256) == ("image", "present", PHOTO_B)
    assert m.path == "data/tweets_media/1899000000000000104-GlXyZabc123.jpg"
    assert m.url == "https://pbs.twimg.com/media/GlXyZabc123.jpg"
    assert p.text.endswith("pic.x.com/MeDiA12345")  # media t.co links become display_url
    assert p.extra["public_metrics"] == {"like_count": 57, "retweet_count": 21}


def test_note_tweet_without_matching_tweet_is_kept(export: tuple[list[Record], list[Problem]]) -> None:
    records, probs = export
    # The sample's note (createdAt 2025-03-12T09:00) matches none of the four tweets: kept, and said so.
    note = posts(records)["note-1899000000000000300"]
    assert note.text.startswith("خيط طويل (long post)") and "Gender ≠ sexual orientation" in note.text
    assert note.author is not None and note.author.platform_id == OWNER
    assert note.extra == {"note_tweet_id": "1899000000000000300", "joined": False}
    assert [(p.code, p.path) for p in probs] == [("note_unjoined", "data/note-tweet.js")]


def test_followers_and_following(export: tuple[list[Record], list[Problem]]) -> None:
    follows = of(export[0], Follow)
    followers = [f for f in follows if f.relation == "follower"]
    following = [f for f in follows if f.relation == "following"]
    assert len(followers) == 6 and len(following) == 2
    assert all(f.followed.platform_id == OWNER and f.follower.handle is None and f.followed_at is None
               for f in followers)
    assert {f.followed.platform_id for f in following} == {"1500000000000000003", "1500000000000000002"}
    assert all(f.follower.platform_id == OWNER for f in following)


def test_dm_thread_with_received_threat_and_reaction(export: tuple[list[Record], list[Problem]]) -> None:
    thread = [p for p in of(export[0], Post) if p.thread_id == "1500000000000000001-1899999999999999999"]
    assert [p.post_id for p in thread] == ["1899000000000000501", "1899000000000000502"]  # sorted by createdAt
    threat = thread[0]
    assert threat.post_type == "message" and threat.author is not None
    assert threat.author.platform_id == "1899999999999999999" and threat.author.handle is None  # received
    assert threat.text == "نعرف أين تسكنين 😈\nhttps://example.org/doxx-0001"
    assert threat.extra["raw_text"].endswith("https://t.co/ThReAt0001")
    assert threat.extra["recipient_id"] == OWNER
    assert threat.extra["reactions"][0]["reactionKey"] == "like"
    assert threat.created_at == datetime(2025, 3, 10, 20, 30, 2, 117000, tzinfo=UTC)
    assert thread[1].author is not None and thread[1].author.handle == "rayhana_sample"  # the owner's reply


def test_group_dm_with_join_event(export: tuple[list[Record], list[Problem]]) -> None:
    group = [p for p in of(export[0], Post) if p.thread_id == "1899000000000000600"]
    assert [p.post_type for p in group] == ["system", "message"]  # the join (21:09) sorts before the message
    join = group[0]
    assert join.extra["event"] == "joinConversation"
    assert join.extra["data"]["participantsSnapshot"][2] == "1500000000000000004"
    assert group[1].text.startswith("این حساب‌ها را گزارش کنید") and "\u200c" in group[1].text  # ZWNJ kept
    assert group[1].extra["group"] is True


def test_what_the_archive_does_not_contain(export: tuple[list[Record], list[Problem]]) -> None:
    records, _ = export
    # No mentions by others: every post outside DMs is the owner's own.
    assert {p.author.platform_id for p in of(records, Post)
            if p.post_type not in ("message", "system") and p.author} == {OWNER}
    assert not any(f.follower.handle or f.followed_at for f in of(records, Follow) if f.relation == "follower")


# -- X1–X5 ----------------------------------------------------------------------------------------------------

def test_x1_legacy_unwrapped_tweet_js(formats: Path) -> None:
    records, probs, _ = run(XA / "edge" / "tweet_legacy_unwrapped_edge.js")
    (p,) = of(records, Post)
    assert (p.post_id, p.text, p.provenance.position) == ("1100000000000000001", "old format tweet <3", "/0")
    assert p.created_at == datetime(2019, 3, 19, 14, 5, 17, tzinfo=UTC)
    assert p.author is None and probs == []


def test_x2_bom_semicolon_crlf(formats: Path) -> None:
    records, probs, _ = run(XA / "edge" / "tweets_bom_semicolon_crlf_edge.js")
    (p,) = of(records, Post)
    assert p.post_id == "1899000000000000104" and p.text.startswith("Weekly safety report 📊")
    assert p.media[0].status == "missing"  # a file given alone has no media folder
    assert probs == []


def test_x3_bad_records_reported(formats: Path) -> None:
    records, probs, _ = run(XA / "edge" / "tweets_bad_records_edge.js")
    assert codes(probs) == [("error", "bad_time", "/0/tweet/created_at"), ("error", "bad_time", "/2/tweet/created_at"),
                            ("error", "missing_text", "/1/tweet")]
    assert "2003" in probs[0].message or "2003" in probs[1].message
    # Posts with an impossible time are kept with an unknown time and the raw value (never 2003).
    kept = posts(records)
    assert set(kept) == {"1899000000000000104", "1899000000000000102"}
    assert kept["1899000000000000104"].created_at is None
    assert kept["1899000000000000104"].created_at_raw == "Tue Mar 04 10:00:00 +0000 2003"
    assert kept["1899000000000000102"].flags == ("bad_time",)


def test_x4_executable_js_is_a_file_error(formats: Path) -> None:
    records, probs, _ = run(XA / "edge" / "tweets_executable_edge.js")
    assert records == []
    (p,) = probs
    assert p.severity == "file_error" and "never run" in p.message


def test_x5_empty_follower_file(formats: Path) -> None:
    records, probs, _ = run(XA / "edge" / "follower_empty_edge.js")
    assert records == [] and probs == []


# -- hostile .js: never evaluated ----------------------------------------------------------------------------

HOSTILE = [
    "window.YTD.tweets.part0 = require('fs').writeFileSync({marker!r}, 'pwned')\n",
    "window.YTD.tweets.part0 = [ ]; require('fs').writeFileSync({marker!r}, 'pwned');\n",
    "window.YTD.tweets.part0 = [ ]\nrequire('fs').writeFileSync({marker!r}, 'pwned')\n",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_js_is_never_executed(tmp_path: Path, template: str) -> None:
    marker = tmp_path / "marker.txt"
    js = tmp_path / "tweets.js"
    js.write_text(template.format(marker=str(marker)), encoding="utf-8")
    node = shutil.which("node")
    if node:  # prove the file is really hostile: evaluated as JavaScript, it writes the marker
        shim = f"globalThis.window={{YTD:{{tweets:{{}}}}}}; require({str(js)!r});"
        subprocess.run([node, "-e", shim], check=False, capture_output=True, timeout=30)
        assert marker.exists()
        marker.unlink()
    records, probs, _ = run(js)
    assert not marker.exists()
    assert records == []
    assert [p.severity for p in probs] == ["file_error"]


# -- variants by period, manifest, note join ------------------------------------------------------------------

TWEET = """{{"id_str": "{id}", "created_at": "{created}", "full_text": "{text}", "lang": "en",
"entities": {{"hashtags": [], "user_mentions": [], "urls": []}}{more}}}"""


def write_js(path: Path, name: str, items: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"window.YTD.{name}.part0 = [ {items} ]", encoding="utf-8")


def test_note_tweet_joined_by_creation_time(tmp_path: Path, formats: Path) -> None:
    data = tmp_path / "twitter-2025-03-14-x" / "data"
    data.mkdir(parents=True)
    for name in ("note-tweet.js", "account.js"):
        shutil.copy(XA / EXPORT / "data" / name, data)
    write_js(data / "tweets.js", "tweets", '{"tweet": ' + TWEET.format(
        id="1899000000000000404", created="Wed Mar 12 09:00:00 +0000 2025",
        text="خيط طويل (long post): ما هو «الجندر» وما ليس هو… https://t.co/NoTe", more="") + "}")
    records, probs, _ = run(data.parent)
    p = posts(records)["1899000000000000404"]
    assert p.text.endswith("Please read before sharing claims.")
    assert p.extra["note_tweet_id"] == "1899000000000000300" and p.extra["truncated_text"].endswith("https://t.co/NoTe")
    assert "note-1899000000000000300" not in posts(records) and probs == []


def test_pre_2020_root_layout_with_tweet_media(tmp_path: Path) -> None:
    write_js(tmp_path / "tweet.js", "tweet", TWEET.format(
        id="1100000000000000002", created="Tue Mar 19 14:05:17 +0000 2019", text="photo https://t.co/PiC",
        more=', "extended_entities": {"media": [{"type": "photo", "url": "https://t.co/PiC", '
             '"display_url": "pic.twitter.com/PiC", "media_url_https": "https://pbs.twimg.com/media/AbC.jpg"}]}'))
    (tmp_path / "tweet_media").mkdir()
    (tmp_path / "tweet_media" / "1100000000000000002-AbC.jpg").write_bytes(b"\xff\xd8jpeg")
    write_js(tmp_path / "account.js", "account", '{"account": {"accountId": "42", "username": "old_sample"}}')
    records, probs, _ = run(tmp_path)
    (p,) = of(records, Post)
    assert p.media[0].status == "present" and p.media[0].path == "tweet_media/1100000000000000002-AbC.jpg"
    assert p.text == "photo pic.twitter.com/PiC" and p.author is not None and p.author.handle == "old_sample"
    assert probs == []


def test_manifest_index_missing_file_and_count(tmp_path: Path, formats: Path) -> None:
    root = tmp_path / EXPORT
    shutil.copytree(XA / EXPORT, root)
    (root / "data" / "following.js").unlink()
    write_js(root / "data" / "follower.js", "follower", '{"follower": {"accountId": "7"}}')
    records, probs, _ = run(root)
    assert ("warning", "missing_file", "/dataTypes/following/files/0") in codes(probs)
    assert ("warning", "count_mismatch", "") in codes(probs)
    assert len(of(records, Follow)) == 1


def test_owner_from_manifest_when_account_js_is_absent(tmp_path: Path, formats: Path) -> None:
    root = tmp_path / EXPORT
    shutil.copytree(XA / EXPORT, root)
    (root / "data" / "account.js").unlink()
    records, probs, _ = run(root)
    (owner,) = of(records, Account)
    assert owner.provenance.path == "data/manifest.js" and owner.ref.handle == "rayhana_sample"
    assert ("warning", "missing_file", "/dataTypes/account/files/0") in codes(probs)


def test_owner_unknown_follows_warn_once(tmp_path: Path) -> None:
    write_js(tmp_path / "follower.js", "follower", '{"follower": {"accountId": "7"}}, {"follower": {"accountId": "7"}},'
             '{"follower": {"userLink": "x"}}')
    records, probs, ctx = run(tmp_path / "follower.js")
    assert len(records) == 1 and ctx.stats["duplicate_follow"] == 1
    assert codes(probs) == [("error", "empty_entry", "/2/follower"), ("warning", "owner_unknown", "")]


def test_bidi_override_in_owner_name_is_flagged(tmp_path: Path) -> None:
    write_js(tmp_path / "account.js", "account",
             '{"account": {"accountId": "42", "username": "spoof_sample", "accountDisplayName": "abc\u202edcba"}}')
    (acc,) = of(run(tmp_path)[0], Account)
    assert "bidi_override" in acc.flags and acc.ref.display_name == "abc\u202edcba"  # kept raw, flagged


def test_truncated_file_reports_and_keeps_earlier_items(tmp_path: Path) -> None:
    js = tmp_path / "follower.js"
    js.write_text('window.YTD.follower.part0 = [ {"follower": {"accountId": "7"}}, {"follower": {"accou',
                  encoding="utf-8")
    records, probs, _ = run(js)
    assert len(records) == 1 and [p.severity for p in probs] == ["warning", "file_error"]  # owner unknown; cut off


def test_unknown_dm_event_is_kept_raw_and_counted(tmp_path: Path) -> None:
    write_js(tmp_path / "direct-messages-group.js", "direct_messages_group",
             '{"dmConversation": {"conversationId": "9", "messages": [{"conversationNameUpdate": '
             '{"initiatingUserId": "5", "name": "x", "createdAt": "2025-03-10T21:00:00.000Z"}}, '
             '{"somethingNew": {"createdAt": "2025-03-10T20:00:00.000Z"}}, "junk"]}}')
    records, probs, ctx = run(tmp_path)
    assert [p.extra["event"] for p in of(records, Post)] == ["somethingNew", "conversationNameUpdate"]
    assert ctx.stats["x_dm_unknown_event"] == 1
    assert codes(probs) == [("error", "invalid_message", "/0/dmConversation/messages/2")]


def test_registry_sniffs_the_archive(formats: Path) -> None:
    try:
        from himaya.ingest.sniff import parse_path
        from himaya.plugins import parsers
        parsers()
    except ImportError as exc:  # other parsers are still being written
        pytest.skip(f"registry incomplete: {exc}")
    records, _, _ = parse_path(XA / f"{EXPORT}.zip")
    assert without_archive(records) == without_archive(run(XA / f"{EXPORT}.zip")[0])


# -- property: whatever follows the assignment, the parser reports; it never raises -------------------------


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["tweet", "id_str", "full_text", "created_at", "entities", "follower",
                                         "accountId", "dmConversation", "messages", "messageCreate", "text", "id"]),
                        inner, max_size=5), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["tweets", "tweet", "follower", "following", "direct_messages", "note_tweet", "account"]),
       body=st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps([v]).encode())))
def test_any_body_is_reported_never_raised(tmp_path: Path, name: str, body: bytes) -> None:
    js = tmp_path / "data.js"
    js.write_bytes(f"window.YTD.{name}.part0 = ".encode() + body)
    _, probs, _ = run(js)
    assert all(p.severity in ("error", "warning", "file_error") for p in probs)
