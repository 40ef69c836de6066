"""WhatsApp chat exports: every sample, the README's facts (§4.3), edge files W1–W18, and properties."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.config import ArchiveLimits
from himaya.errors import HimayaError, UnsafeArchiveError
from himaya.ingest.base import ParseContext, ParseOptions
from himaya.ingest.sniff import parse_path
from himaya.ingest.tree import ExportTree, Member, open_tree
from himaya.ingest.whatsapp import MAX_LINE, WhatsAppParser
from himaya.ingest.whatsapp_grammar import DateSurvey, match_header, naive_time, split_author
from himaya.records import Post, Problem
from tests.conftest import FORMATS
from tests.ingest.golden import check_golden

WA = FORMATS / "whatsapp"
BAGHDAD = ZoneInfo("Asia/Baghdad")
PHOTO_A = "15b1301e"
EDGE = "edge/android_en_US_robustness_edge.txt"


def run(path: Path | ExportTree, **options: Any) -> tuple[list[Post], list[Problem], ParseContext]:
    """The WhatsApp parser alone on a path or a tree, with Asia/Baghdad unless told otherwise."""
    options.setdefault("timezone", BAGHDAD)
    tree = path if isinstance(path, ExportTree) else open_tree(path, ArchiveLimits())
    try:
        ctx = ParseContext(tree=tree, options=ParseOptions(**options))
        parser = WhatsAppParser()
        records = list(parser.parse(tree, parser.claim(tree), ctx))
        assert all(isinstance(r, Post) for r in records)
        return records, ctx.problems, ctx  # type: ignore[return-value]
    finally:
        tree.close()


class MemoryTree(ExportTree):
    """An export held in memory: for generated chats."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__("memory")
        self.files = files

    def members(self) -> list[Member]:
        return [Member(p, len(b)) for p, b in self.files.items()]

    def _open(self, path: str) -> IO[bytes]:
        return io.BytesIO(self.files[path])

    def originals(self) -> list[tuple[Path, str]]:
        return []


def chat(text: str, name: str = "WhatsApp Chat with Test.txt", **options: Any) -> tuple[list[Post], list[Problem]]:
    records, problems, _ = run(MemoryTree({name: text.encode("utf-8")}), **options)
    return records, problems


def codes(problems: list[Problem]) -> set[str]:
    return {p.code for p in problems}


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


# -- golden files over every sample ------------------------------------------------------------------------

SAMPLES = {
    "android_en_US": "android_en_US",
    "android_en_US_txt": "android_en_US/WhatsApp Chat with Support Circle 🌿.txt",
    "android_ar": "android_ar",
    "android_ar_txt": "android_ar/WhatsApp Chat with دائرة الدعم.txt",
    "ios_en_GB": "ios_en_GB",
    "ios_en_GB_txt": "ios_en_GB/_chat.txt",
    "ios_en_GB_zip": "ios_en_GB/WhatsApp Chat - Support Circle 🌿.zip",
    "ios_ar": "ios_ar",
    "edge_robustness": EDGE,
    "edge_invalid_utf8": "edge/invalid_utf8_edge.txt",
    "edge_ios_author_prefixed_system": "edge/ios_author_prefixed_system_dotted_edge.txt",
    "edge_ambiguous_day_month": "edge/ambiguous_day_month_edge.txt",
    "edge_locales": "edge/locales",
}


@pytest.mark.parametrize("name", SAMPLES)
def test_golden(formats: Path, name: str) -> None:
    records, problems, _ = run(WA / SAMPLES[name])
    check_golden(f"whatsapp_{name}", records, problems)  # type: ignore[arg-type]


def test_every_sample_is_covered(formats: Path) -> None:
    covered = {WA / p for p in SAMPLES.values()}
    for f in WA.rglob("*"):
        if f.suffix in (".txt", ".zip") and not f.name.startswith("zip"):  # zip slip/bomb: see W17/W18
            assert f in covered or f.parent in covered, f"{f} has no golden test"


def test_the_registry_picks_whatsapp(formats: Path) -> None:
    records, _, _ = parse_path(WA / "android_en_US", ParseOptions(timezone=BAGHDAD))
    assert len(records) == 13 and {r.platform for r in records if isinstance(r, Post)} == {"whatsapp"}


# -- the README's facts (§4.3) -----------------------------------------------------------------------------

@pytest.mark.parametrize(("rel", "count", "system"), [
    ("android_en_US", 13, 5), ("android_ar", 4, 0), ("ios_en_GB", 10, 3),
    ("ios_en_GB/WhatsApp Chat - Support Circle 🌿.zip", 10, 3), ("ios_ar", 6, 1)])
def test_record_counts(formats: Path, rel: str, count: int, system: int) -> None:
    records, problems, _ = run(WA / rel)
    assert len(records) == count
    assert sum(r.post_type == "system" for r in records) == system
    assert not [p for p in problems if p.severity != "warning"]
    assert all(r.tz_assumed and r.created_at is not None for r in records)


def test_android_en_us(formats: Path) -> None:
    records, _, _ = run(WA / "android_en_US")
    assert records[0].created_at == utc(2025, 3, 8, 9, 0)
    assert records[0].created_at_raw == "3/8/25, 12:00\u202fPM"
    assert records[0].text.startswith("Messages and calls are end-to-end encrypted")
    assert {r.thread_id for r in records} == {"Support Circle 🌿"}
    persian = next(r for r in records if r.text.startswith("این عکس"))
    assert persian.text.count("\n") == 2 and "\u200c" in persian.text  # 3 lines, ZWNJ kept
    phone = next(r for r in records if r.author and r.author.handle)
    assert phone.author is not None and phone.author.handle == "+964 770 000 0003"
    assert phone.extra["author_raw"] == "\u202a+964 770 000 0003\u202c" and "bidi_override" not in phone.flags
    assert phone.hashtags == ("فضح_ريحانة",)
    omitted = next(r for r in records if r.media)
    assert omitted.media[0].status == "missing" and omitted.extra["body"] == "<Media omitted>"
    assert next(r for r in records if r.extra.get("deleted")).author.display_name == "Layla Mithal"  # type: ignore[union-attr]
    edited = next(r for r in records if r.extra.get("edited"))
    assert edited.text == "We documented 43 accounts: https://example.org/report-0042"
    assert edited.urls == ("https://example.org/report-0042",)
    assert any("3amila" in r.text for r in records)
    assert records[-1].text == "👩🏽\u200d⚖️ lawyer is on it"  # ZWJ sequence intact
    assert [r.created_at for r in records] == sorted(r.created_at for r in records)  # type: ignore[type-var]


def test_android_ar(formats: Path) -> None:
    records, problems, _ = run(WA / "android_ar")
    assert records[-1].created_at == utc(2025, 3, 10, 21, 5)  # 12:05 ص on 11/3, local
    assert records[0].created_at == utc(2025, 3, 10, 19, 55)
    assert records[0].thread_id == "دائرة الدعم"
    assert records[1].text == "این عکس جعلی است\nلطفاً گزارش بدید"
    assert "date_order_assumed" in codes(problems)  # two days only: the Arabic digits decide, and say so


def test_ios_en_gb_folder_and_zip(formats: Path) -> None:
    folder, _, _ = run(WA / "ios_en_GB")
    zipped, _, _ = run(WA / "ios_en_GB/WhatsApp Chat - Support Circle 🌿.zip")
    assert [r.post_id for r in folder] == [r.post_id for r in zipped]  # same chat name: same ids
    notice = folder[0]
    assert notice.post_type == "system" and notice.author is None
    assert notice.extra["written_author"] == "Support Circle 🌿"
    assert [r.post_type for r in folder[:3]] == ["system"] * 3
    photo = next(r for r in zipped if r.media)
    assert photo.media[0].status == "present" and photo.media[0].sha256.startswith(PHOTO_A)  # type: ignore[union-attr]
    assert photo.media[0].kind == "image" and photo.text == ""
    assert next(r for r in folder if r.media).media[0].status == "missing"  # the folder has no photo
    maryam = next(r for r in folder if r.text.startswith("این"))
    assert maryam.text == "این عکس جعلی است.\nلطفاً فوروارد نکنید 🙏"  # bare LF inside, CRLF between
    phone = next(r for r in folder if r.author and r.author.handle)
    assert phone.author.handle == "+964 770 000 0003"  # type: ignore[union-attr]  # NBSPs normalised
    assert next(r for r in folder if r.extra.get("deleted")).text == ""
    assert folder[-1].created_at == utc(2025, 3, 10, 21, 6, 30)


def test_ios_ar(formats: Path) -> None:
    records, _, _ = run(WA / "ios_ar")
    assert records[0].post_type == "system" and records[0].extra["written_author"] == "دائرة الدعم"
    assert records[0].created_at == utc(2025, 3, 8, 9, 0)  # 12:00:00 م
    omitted = records[2]
    assert omitted.media[0].kind == "image" and omitted.media[0].status == "missing"
    assert records[-1].created_at == utc(2025, 3, 10, 21, 5)  # 12:05:00 ص
    assert {r.thread_id for r in records} == {"دائرة الدعم"}


def test_phone_author_is_the_same_account_on_android_and_ios(formats: Path) -> None:
    android, _, _ = run(WA / "android_en_US")
    ios, _, _ = run(WA / "ios_en_GB")
    keys = {r.author.key for r in android + ios if r.author and r.author.handle}
    assert keys == {"h:+964 770 000 0003"}


# -- edge cases W1–W18 -------------------------------------------------------------------------------------

@pytest.fixture
def edge(formats: Path) -> list[Post]:
    return run(WA / EDGE)[0]


def test_w1_bom_stripped(edge: list[Post]) -> None:
    assert edge[0].text == "W1 file starts with a UTF-8 BOM" and edge[0].author.display_name == "Edge"  # type: ignore[union-attr]


def test_w2_line_identical_to_a_header_is_a_new_system_message(edge: list[Post]) -> None:
    assert edge[1].text == "W2 first line of a multi-line message"
    assert edge[2].post_type == "system" and edge[2].text.startswith("W2 this continuation line")


def test_w3_date_at_line_start_is_a_continuation(edge: list[Post]) -> None:
    assert edge[2].text.endswith("\n2016-04-29 10:30:00 W3 continuation that merely starts with a date")


def test_w4_colon_in_author(formats: Path, edge: list[Post]) -> None:
    assert edge[3].author.display_name == "Dr" and edge[3].text.startswith("Noor Sample: W4")  # type: ignore[union-attr]
    _, problems, _ = run(WA / EDGE)
    assert next(p for p in problems if p.code == "ambiguous_author").message.count("Dr: Noor Sample") == 1
    resolved, problems, _ = run(WA / EDGE, participants=("Dr: Noor Sample",))
    assert resolved[3].author.display_name == "Dr: Noor Sample"  # type: ignore[union-attr]
    assert resolved[3].text == "W4 colon inside the author name" and "ambiguous_author" not in codes(problems)


def test_w5_empty_body(edge: list[Post]) -> None:
    assert edge[4].author.display_name == "Empty Body" and edge[4].text == ""  # type: ignore[union-attr]


def test_w6_bidi_override_in_author_flagged(edge: list[Post]) -> None:
    assert edge[5].author.display_name == "\u202eelpmaS\u202c" and "bidi_override" in edge[5].flags  # type: ignore[union-attr]


def test_w7_null_is_a_call_record(edge: list[Post]) -> None:
    assert edge[6].extra == {"call_record": True, "body": "null"} and edge[6].post_type == "system"


def test_w8_long_line_accepted_and_the_cap_is_configurable(formats: Path, edge: list[Post]) -> None:
    assert len(edge[7].text.encode()) > 4000 and "line_truncated" not in edge[7].flags
    capped, problems, _ = run(WA / EDGE, max_line_bytes=1000)
    assert "line_truncated" in capped[7].flags and len(capped[7].text.encode()) < 1000
    assert capped[8].text == "W9 last line has no trailing newline" and "line_truncated" in codes(problems)


def test_default_cap_is_64k_and_the_next_message_survives() -> None:
    long = "x" * (MAX_LINE + 5000)
    records, problems = chat(f"1/2/25, 10:00 - A: {long}\n1/2/25, 10:01 - B: after\n", date_order="dmy")
    assert "line_truncated" in records[0].flags and len(records[0].text) < MAX_LINE and records[0].partial
    assert records[1].text == "after" and "line_truncated" in codes(problems)


def test_w9_no_final_newline(edge: list[Post]) -> None:
    assert len(edge) == 9 and edge[-1].text == "W9 last line has no trailing newline"


def test_w10_ambiguous_day_month_needs_a_hint(formats: Path) -> None:
    records, problems, _ = run(WA / "edge/ambiguous_day_month_edge.txt")
    assert records == [] and [p.severity for p in problems] == ["file_error"]
    assert "--date-order" in problems[0].message
    dmy, _, _ = run(WA / "edge/ambiguous_day_month_edge.txt", date_order="dmy")
    mdy, _, _ = run(WA / "edge/ambiguous_day_month_edge.txt", date_order="mdy")
    assert dmy[0].created_at == utc(2025, 4, 3, 6, 15) and mdy[0].created_at == utc(2025, 3, 4, 6, 15)
    assert [r.post_id for r in dmy] == [r.post_id for r in mdy]  # ids hang on the raw text, not the reading


def test_w11_ios_system_event_with_author(formats: Path) -> None:
    records, _, _ = run(WA / "edge/ios_author_prefixed_system_dotted_edge.txt")
    assert records[0].post_type == "system" and records[0].extra["written_author"] == "Support Circle"
    assert records[0].created_at == utc(2017, 5, 5, 15, 1, 12)
    assert records[1].author.display_name == "Jane Example" and records[1].post_type == "message"  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "expected"), [
    ("fi_ios_dotted_time_edge.txt", utc(2019, 1, 1, 9, 0, 5)),
    ("es_android_pm_nbsp_edge.txt", utc(2025, 3, 10, 19, 55)),
    ("en_CA_android_dotted_ampm_edge.txt", utc(2025, 3, 10, 19, 55)),
    ("th_ios_buddhist_year_edge.txt", utc(2025, 3, 10, 19, 55, 41)),
    ("fa_android_persian_digits_SYNTHETIC_edge.txt", utc(2025, 3, 10, 19, 55))])
def test_w11b_to_w15_locales(formats: Path, name: str, expected: datetime) -> None:
    records, problems, _ = run(WA / "edge/locales" / name)
    assert [r.created_at for r in records] == [expected]
    assert not [p for p in problems if p.severity != "warning"]


def test_w16_invalid_utf8_reported_with_offset_and_next_message_survives(formats: Path) -> None:
    records, problems, _ = run(WA / "edge/invalid_utf8_edge.txt")
    assert records[0].text == "before \ufffd\ufffd\ufffd after" and "invalid_utf8" in records[0].flags
    assert records[1].text == "next message survives" and "invalid_utf8" not in records[1].flags
    bad = [p for p in problems if p.code == "invalid_utf8"]
    assert len(bad) == 1 and "byte 35" in bad[0].message and bad[0].position == "line 1"
    raw = (WA / "edge/invalid_utf8_edge.txt").read_bytes()
    assert raw[35:38] == b"\xff\xfe\xc3"


@pytest.mark.parametrize("name", ["zipslip_edge.zip", "zipbomb_edge.zip"])
def test_w17_w18_unsafe_zips_are_refused_before_any_parser(formats: Path, name: str) -> None:
    with pytest.raises(UnsafeArchiveError):
        parse_path(WA / "edge" / name, ParseOptions(timezone=BAGHDAD))


# -- options, ids, and other rules ------------------------------------------------------------------------

def test_no_timezone_is_a_clear_file_error(formats: Path) -> None:
    records, problems, _ = run(WA / "android_en_US", timezone=None)
    assert records == [] and problems[0].severity == "file_error" and "--timezone" in problems[0].message


def test_certain_dates_win_over_a_wrong_date_order(formats: Path) -> None:
    records, problems = chat("13/2/25, 10:00 - A: hi\n14/2/25, 10:00 - B: yo\n", date_order="mdy")
    assert records[0].created_at == utc(2025, 2, 13, 7, 0) and "date_order_overridden" in codes(problems)


def test_dst_flags_are_kept() -> None:
    # Europe/Berlin skipped 02:00–03:00 on 30 March 2025
    records, _ = chat("30.03.2025, 02:30 - A: in the gap\n", timezone=ZoneInfo("Europe/Berlin"))
    assert "dst_nonexistent" in records[0].flags and records[0].tz_assumed


def test_ids_are_stable_across_overlapping_exports() -> None:
    lines = [f"0{d}/03/2025, 1{d}:00 - A: message {d}" for d in range(1, 8)]
    first, _ = chat("\n".join(lines[:5]) + "\n")
    later, _ = chat("\n".join(lines[2:]) + "\n")
    assert [r.post_id for r in first[2:]] == [r.post_id for r in later[:3]]
    assert len({r.post_id for r in first + later}) == 7


def test_repeated_identical_messages_get_distinct_ids() -> None:
    records, _ = chat("1/2/25, 10:00 - A: hi\n1/2/25, 10:00 - A: hi\n2/2/25, 10:00 - A: hi\n", date_order="dmy")
    assert len({r.post_id for r in records}) == 3


def test_android_attachment_with_caption_on_the_next_line() -> None:
    text = "10/03/2025, 22:55 - Dana: IMG-20250310-WA0003.jpg (file attached)\nlook at this\n"
    tree = MemoryTree({"WhatsApp Chat with X.txt": text.encode(), "IMG-20250310-WA0003.jpg": b"\xff\xd8jpeg"})
    records, _, _ = run(tree, date_order="dmy")
    assert records[0].text == "look at this" and records[0].media[0].status == "present"
    assert records[0].media[0].path == "IMG-20250310-WA0003.jpg" and records[0].media[0].kind == "image"


def test_attachment_path_escaping_the_root_is_rejected() -> None:
    records, problems = chat("[10/03/2025, 22:55:41] Dana: \u200e<attached: ../../etc/passwd>\n", date_order="dmy")
    assert records[0].media[0].status == "rejected" and "unsafe_path" in codes(problems)


def test_arabic_attachment_tag() -> None:
    records, _ = chat("[10/03/2025, 22:55:41] دانة: \u200f<المُرفق: 00000012-PHOTO-2025-03-10-22-55-41.jpg>\n",
                      date_order="dmy")
    assert records[0].media[0].path == "00000012-PHOTO-2025-03-10-22-55-41.jpg" and records[0].text == ""


def test_chat_name_from_the_ios_zip_name() -> None:
    tree = MemoryTree({"_chat.txt": b"[10/03/2025, 22:55:41] Dana: hi\r\n"})
    tree.name = "WhatsApp Chat - Circle.zip"
    records, _, _ = run(tree, date_order="dmy")
    assert records[0].thread_id == "Circle"


def test_inferred_date_order_is_a_note_and_assumed_is_a_warning(formats: Path) -> None:
    _, problems, ctx = run(WA / "ios_en_GB")
    assert any("dates read as dmy, inferred" in n for n in ctx.notes) and not problems
    records, problems, _ = run(WA / "edge/locales/es_android_pm_nbsp_edge.txt")
    assert "date_order_assumed" in codes(problems) and "date_order_assumed" in records[0].flags


def test_only_chat_text_is_claimed() -> None:
    tree = MemoryTree({"notes.txt": b"shopping list\n- milk\n", "log.txt": b"2025-03-10 10:00:00 started\n",
                       "chat.txt": b"\xef\xbb\xbf\n[10/03/2025, 22:55:41] A: hi\r\n"})
    assert WhatsAppParser().claim(tree) == ["chat.txt"]


def test_split_author() -> None:
    assert split_author("Dana: a: b") == ("Dana", "a: b")
    assert split_author("Dana joined") == (None, "Dana joined")
    assert split_author("A: B: c", ("A: B",)) == ("A: B", "c")


# -- properties --------------------------------------------------------------------------------------------

_HEADERISH = st.from_regex(
    r"\A[\u200e\u200f\ufeff]?\[?[0-9\u0660-\u0669\u06f0-\u06f9]{1,4}\u200f?[./-][0-9]{1,2}[./-][0-9]{2,4}( ?BE)?"
    r"[,\u060c]?[ \u00a0\u202f](klo )?[0-9]{1,2}[:.][0-9]{2}([:.][0-9]{2})?([ \u202f\u00a0]?(AM|pm|p\.\u00a0m\.|"
    r"\u0645|\u0635))?(\] | - ).{0,20}\Z")


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(), _HEADERISH))
def test_header_grammar_is_total(line: str) -> None:
    h = match_header(line)
    if h is not None:
        for order in ("dmy", "mdy", "ymd"):
            try:
                naive_time(h, order)
            except ValueError:
                pass
        survey = DateSurvey()
        survey.add(h)
        survey.decide(None)
        split_author(line[h.end:])


_LINE = st.one_of(st.text(max_size=80), st.sampled_from([
    "3/12/25, 10:00\u202fAM - A: hi", "[10/03/2025, 22:55:41] B: yo", "12/31/25, 11:59 PM - ", "x: y",
    "\u200e[01.02.2019, 12.00.05] C: \u200e<attached: a.jpg>", "null", "<Media omitted>", "99/99/99, 99:99 - Z: z",
    "١٠\u200f/٣\u200f/٢٠٢٥، ١٠:٥٥ م - د: س", "2025-02-30, 10:55 p.m. - Q: bad date"]))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=12), st.sampled_from(["\n", "\r\n"]), st.sampled_from([None, "dmy", "mdy"]))
def test_parser_is_total_on_arbitrary_text(lines: list[str], end: str, order: str | None) -> None:
    data = end.join(lines).encode("utf-8", "surrogatepass")
    try:
        records, _, _ = run(MemoryTree({"chat.txt": data}), date_order=order)
    except HimayaError:
        return
    for r in records:
        assert r.created_at is None or r.created_at.tzinfo is not None
        assert r.created_at_raw


# Header spellings by locale: (format, order). The datetime is formatted, then parsed back.
def _fmt(dt: datetime, style: str) -> tuple[str, str]:
    d, m, y, yy = dt.day, dt.month, dt.year, dt.year % 100
    h12, ap = dt.hour % 12 or 12, "AM" if dt.hour < 12 else "PM"
    ar = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    fa = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    t, ts = f"{dt:%H:%M}", f"{dt:%H:%M:%S}"
    return {
        "en_US": (f"{m}/{d}/{yy:02d}, {h12}:{dt:%M}\u202f{ap} - A: x", "mdy"),
        "en_GB": (f"{d:02d}/{m:02d}/{y}, {t} - A: x", "dmy"),
        "ru": (f"{d:02d}.{m:02d}.{y}, {t} - A: x", "dmy"),
        "cs": (f"{d:02d}.{m:02d}.{yy:02d} {t} - A: x", "dmy"),
        "nl": (f"{d:02d}-{m:02d}-{y} {t} - A: x", "dmy"),
        "es": (f"{d}/{m}/{yy:02d}, {h12}:{dt:%M} {ap[0].lower()}.\u00a0m. - A: x", "dmy"),
        "en_CA": (f"{y}-{m:02d}-{d:02d}, {h12}:{dt:%M} {ap[0].lower()}.m. - A: x", "ymd"),
        "zh": (f"{y}/{m:02d}/{d:02d} {t} - A: x", "ymd"),
        "fi": (f"{d}.{m}.{y} klo {dt:%H.%M.%S} - A: x", "dmy"),
        "id_ios": (f"[{m}/{d}/{yy:02d} {dt:%H.%M.%S}] A: x", "mdy"),
        "en_US_ios": (f"[{m}/{d}/{yy:02d}, {h12}:{dt:%M:%S} {ap}] A: x", "mdy"),
        "en_GB_ios": (f"[{d:02d}/{m:02d}/{y}, {ts}] A: x", "dmy"),
        "tr_ios": (f"[{d:02d}.{m:02d}.{y} {ts}] A: x", "dmy"),
        "th_ios": (f"[{d}/{m}/{y + 543} BE, {ts}] A: x", "dmy"),
        "ar_android": (f"{d}\u200f/{m}\u200f/{y}، {h12}:{dt:%M} {'ص' if dt.hour < 12 else 'م'} - أ: س".translate(ar),
                       "dmy"),
        "ar_ios": (f"\u200f[{d}\u200f/{m}\u200f/{y}، {h12}:{dt:%M:%S}\u00a0{'ص' if dt.hour < 12 else 'م'}] أ: س"
                   .translate(ar), "dmy"),
        "fa_android": (f"{d}/{m}/{y}، {t} - م: س".translate(fa), "dmy"),
    }[style]


@settings(max_examples=2000, deadline=None)
@given(st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2099, 12, 31)),
       st.sampled_from(["en_US", "en_GB", "ru", "cs", "nl", "es", "en_CA", "zh", "fi", "id_ios", "en_US_ios",
                        "en_GB_ios", "tr_ios", "th_ios", "ar_android", "ar_ios", "fa_android"]))
def test_header_times_round_trip(dt: datetime, style: str) -> None:
    line, order = _fmt(dt, style)
    h = match_header(line)
    assert h is not None, line
    seconds = style in ("fi", "id_ios", "en_US_ios", "en_GB_ios", "tr_ios", "th_ios", "ar_ios")
    want = dt.replace(microsecond=0) if seconds else dt.replace(second=0, microsecond=0)
    assert naive_time(h, order) == want  # type: ignore[arg-type]
    assert line[h.end:].split(": ", 1)[1] in ("x", "س")


def test_round_trip_through_the_parser_with_localize() -> None:
    dt = datetime(2025, 3, 10, 22, 55)
    records, _ = chat(_fmt(dt, "ar_android")[0] + "\n" + _fmt(dt + timedelta(days=20), "ar_android")[0] + "\n")
    assert records[0].created_at == utc(2025, 3, 10, 19, 55) and records[0].tz_assumed
