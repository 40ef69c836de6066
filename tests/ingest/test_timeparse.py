"""Timestamp readers (formats README §0.2; SECURITY.md T30): round trips, typed range errors, DST flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from himaya.errors import ConfigError, HimayaError, TimestampError
from himaya.ingest.timeparse import EARLIEST, from_rfc3339, from_twitter, from_unix, localize, zone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# "Now" for generated values stays a few days behind the real clock, whatever day the tests run.
RECENT = datetime.now(UTC) - timedelta(days=3)
LO_S, HI_S = int(EARLIEST.timestamp()), int(RECENT.timestamp())
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
AWARE = st.datetimes(min_value=datetime(2004, 1, 2), max_value=RECENT.replace(tzinfo=None), timezones=OFFSETS)
ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Tehran", "Asia/Baghdad", "Asia/Kolkata",
         "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "UTC", "Pacific/Kiritimati", "Etc/GMT+12"]
SETTINGS = settings(max_examples=2000, deadline=None, database=None)


def repr_id(value: object) -> str:
    text = repr(value)
    return text if len(text) < 24 else f"{text[:10]}…({len(text)} chars)"


def typed(exc: BaseException) -> None:
    """The error must be a himaya TimestampError, not a ValueError/OverflowError that escaped."""
    assert type(exc) is TimestampError
    assert not isinstance(exc, ValueError | OverflowError | OSError)


# ---------------------------------------------------------------------------------------------
# from_unix
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(n=st.integers(LO_S, HI_S), as_type=st.sampled_from([int, float, str]))
@example(n=1741635600, as_type=str)  # 2025-03-10 19:40 UTC, the shared scenario
def test_from_unix_seconds_round_trip(n: int, as_type: type) -> None:
    got = from_unix(as_type(n))
    assert got == EPOCH + timedelta(seconds=n)
    assert got.tzinfo is UTC


@SETTINGS
@given(ms=st.integers(LO_S * 1000, HI_S * 1000), as_str=st.booleans())
@example(ms=1741635600123, as_str=False)
@example(ms=1741635600999, as_str=True)
def test_from_unix_millis_round_trip(ms: int, as_str: bool) -> None:
    got = from_unix(str(ms) if as_str else ms, millis=True)
    assert got == EPOCH + timedelta(milliseconds=ms)
    assert int(got.timestamp() * 1000 + 0.5) == ms


@pytest.mark.parametrize("value", [
    0, -1, 1_000_000_000, EARLIEST.timestamp() - 1,  # 1970, 1969, 2001, the second before 2004
    int((datetime.now(UTC) + timedelta(days=2)).timestamp()),  # beyond tomorrow
    253_402_300_800, 1e20, "1e20", -1e20, 10**20, 10**400, -(10**400), float("inf"), float("-inf"),
    float("nan"), "nan", "inf", "", "  ", "1741635600x", "0x10", None, [], {},
], ids=repr_id)
def test_from_unix_out_of_range_or_garbage_is_typed(value: object) -> None:
    with pytest.raises(TimestampError) as err:
        from_unix(value)  # type: ignore[arg-type]
    typed(err.value)


@pytest.mark.parametrize("value", [1e20, 10**400, -(10**30), 1741635600], ids=repr_id)  # last: seconds as millis
def test_from_unix_millis_out_of_range_is_typed(value: object) -> None:
    with pytest.raises(TimestampError) as err:
        from_unix(value, millis=True)  # type: ignore[arg-type]
    typed(err.value)


@settings(max_examples=1000, deadline=None, database=None)
@given(value=st.one_of(st.integers(), st.floats(), st.text(max_size=30), st.integers().map(lambda i: i * 10**300)),
       millis=st.booleans())
def test_from_unix_is_total(value: int | float | str, millis: bool) -> None:
    try:
        got = from_unix(value, millis=millis)
    except TimestampError as exc:
        typed(exc)
        return
    assert EARLIEST <= got <= datetime.now(UTC) + timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# from_rfc3339
# ---------------------------------------------------------------------------------------------

def rfc3339(dt: datetime, form: str) -> tuple[str, datetime]:
    """(text, the instant it denotes) in one of the spellings exporters use."""
    if form == "iso":
        return dt.isoformat(), dt
    if form == "Z":
        u = dt.astimezone(UTC)
        return u.isoformat().replace("+00:00", "Z"), u
    if form == "millis":
        cut = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
        return dt.isoformat(timespec="milliseconds"), cut
    if form == "seconds":
        return dt.isoformat(timespec="seconds"), dt.replace(microsecond=0)
    if form == "lower":
        u = dt.astimezone(UTC)
        return u.isoformat(timespec="seconds").replace("+00:00", "z").replace("T", "t"), u.replace(microsecond=0)
    raise AssertionError(form)


@SETTINGS
@given(dt=AWARE, form=st.sampled_from(["iso", "Z", "millis", "seconds", "lower"]))
@example(dt=datetime(2025, 3, 10, 23, 10, tzinfo=timezone(timedelta(hours=3, minutes=30))), form="iso")
def test_from_rfc3339_round_trip(dt: datetime, form: str) -> None:
    text, instant = rfc3339(dt, form)
    got = from_rfc3339(text)
    assert got == instant
    assert got.utcoffset() == timedelta(0)


def test_from_rfc3339_examples() -> None:
    assert from_rfc3339("2025-03-10T19:40:00.000Z") == datetime(2025, 3, 10, 19, 40, tzinfo=UTC)
    assert from_rfc3339("2025-03-10T23:10:00+03:30") == datetime(2025, 3, 10, 19, 40, tzinfo=UTC)
    assert from_rfc3339("2025-03-10T19:40:00", require_offset=False) == datetime(2025, 3, 10, 19, 40, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "1999-12-31T23:59:59Z", "2003-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
    "2999-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",  # past year 9999 once converted to UTC
    "0001-01-01T00:00:00+14:00",  # before year 1 once converted to UTC
    "2025-03-10T19:40:00",  # no offset
    "2025-03-10T24:00:00Z", "2025-03-10T19:40:60Z", "2025-02-30T00:00:00Z", "", "yesterday", None, 1741635600,
])
def test_from_rfc3339_out_of_range_or_garbage_is_typed(value: object) -> None:
    with pytest.raises(TimestampError) as err:
        from_rfc3339(value)  # type: ignore[arg-type]
    typed(err.value)


@settings(max_examples=1000, deadline=None, database=None)
@given(value=st.one_of(st.text(max_size=40), st.datetimes(timezones=OFFSETS).map(datetime.isoformat)),
       require_offset=st.booleans())
@example(value="9999-12-31T23:59:59.999999-23:59", require_offset=True)
@example(value="0001-01-01T00:00:00+23:59", require_offset=True)
def test_from_rfc3339_is_total(value: str, require_offset: bool) -> None:
    try:
        got = from_rfc3339(value, require_offset=require_offset)
    except TimestampError as exc:
        typed(exc)
        return
    assert EARLIEST <= got <= datetime.now(UTC) + timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# from_twitter
# ---------------------------------------------------------------------------------------------

X_FORMAT = "%a %b %d %H:%M:%S %z %Y"
X_AWARE = st.datetimes(min_value=datetime(2006, 3, 2), max_value=RECENT.replace(tzinfo=None, microsecond=0),
                       timezones=st.one_of(st.just(UTC), OFFSETS)).map(lambda d: d.replace(microsecond=0))


@SETTINGS
@given(dt=X_AWARE)
@example(dt=datetime(2025, 3, 10, 20, 15, tzinfo=UTC))
def test_from_twitter_round_trip(dt: datetime) -> None:
    got = from_twitter(dt.strftime(X_FORMAT))
    assert got == dt and got.utcoffset() == timedelta(0)


def test_from_twitter_example() -> None:
    assert from_twitter("Mon Mar 10 20:15:00 +0000 2025") == datetime(2025, 3, 10, 20, 15, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "Wed Feb 01 00:00:00 +0000 2006",  # before X existed
    "Mon Mar 10 20:15:00 +0000 1999", "Fri Jan 01 00:00:00 +0000 2999",
    "Fri Dec 31 23:59:59 -1400 9999",  # past year 9999 once converted to UTC
    "Mon Jan 01 00:00:00 +1400 0001",  # before year 1 once converted to UTC
    "Mon Mar 10 20:15:00 2025", "2025-03-10T20:15:00Z", "", None, 1741635600,
])
def test_from_twitter_out_of_range_or_garbage_is_typed(value: object) -> None:
    with pytest.raises(TimestampError) as err:
        from_twitter(value)  # type: ignore[arg-type]
    typed(err.value)


@settings(max_examples=1000, deadline=None, database=None)
@given(dt=st.datetimes(timezones=OFFSETS))
def test_from_twitter_is_total(dt: datetime) -> None:
    try:
        got = from_twitter(dt.strftime(X_FORMAT))
    except TimestampError as exc:
        typed(exc)
        return
    assert got == dt.replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# zone and localize
# ---------------------------------------------------------------------------------------------

def test_zone() -> None:
    assert zone(None) is None and zone("") is None
    assert zone("Asia/Baghdad") == ZoneInfo("Asia/Baghdad")
    for bad in ("Mars/Olympus_Mons", "America", "Asia", "../../etc/passwd", "/etc/localtime", "Asia/Tehran\x00",
                "\udcff", "zone1970.tab", " Asia/Tehran", "a" * 5000):
        with pytest.raises(ConfigError, match="unknown time zone"):
            zone(bad)


@settings(max_examples=500, deadline=None, database=None)
@given(name=st.one_of(st.text(max_size=30), st.sampled_from(ZONES).map(lambda z: z.split("/")[0])))
def test_zone_is_total(name: str) -> None:
    try:
        got = zone(name)
    except ConfigError:
        return
    assert got is None or isinstance(got, ZoneInfo)


@pytest.mark.parametrize(("tz", "wall", "utc", "flags"), [
    ("America/New_York", datetime(2025, 11, 2, 1, 30), datetime(2025, 11, 2, 5, 30), ("dst_ambiguous",)),
    ("America/New_York", datetime(2025, 3, 9, 2, 30), datetime(2025, 3, 9, 7, 30), ("dst_nonexistent",)),
    ("America/New_York", datetime(2025, 3, 9, 3, 30), datetime(2025, 3, 9, 7, 30), ()),
    ("Europe/London", datetime(2025, 10, 26, 1, 30), datetime(2025, 10, 26, 0, 30), ("dst_ambiguous",)),
    ("Europe/London", datetime(2025, 3, 30, 1, 30), datetime(2025, 3, 30, 1, 30), ("dst_nonexistent",)),
    ("Australia/Sydney", datetime(2025, 4, 6, 2, 30), datetime(2025, 4, 5, 15, 30), ("dst_ambiguous",)),
    ("Australia/Sydney", datetime(2025, 10, 5, 2, 30), datetime(2025, 10, 4, 16, 30), ("dst_nonexistent",)),
    # Iran kept DST until 2022: flagged in 2021, a plain wall time in 2025.
    ("Asia/Tehran", datetime(2021, 3, 22, 0, 30), datetime(2021, 3, 21, 21, 0), ("dst_nonexistent",)),
    ("Asia/Tehran", datetime(2021, 9, 21, 23, 30), datetime(2021, 9, 21, 19, 0), ("dst_ambiguous",)),
    ("Asia/Tehran", datetime(2025, 3, 22, 0, 30), datetime(2025, 3, 21, 21, 0), ()),
    ("Asia/Baghdad", datetime(2025, 3, 10, 22, 40), datetime(2025, 3, 10, 19, 40), ()),
])
def test_localize_flags_dst_gaps_and_overlaps(tz: str, wall: datetime, utc: datetime, flags: tuple[str, ...]) -> None:
    got, got_flags = localize(wall, ZoneInfo(tz), str(wall))
    assert got == utc.replace(tzinfo=UTC)
    assert got_flags == flags


@SETTINGS
@given(wall=st.datetimes(min_value=datetime(2004, 1, 3), max_value=RECENT.replace(tzinfo=None)),
       tz=st.sampled_from(ZONES))
def test_localize_in_range_never_raises_and_flags_are_right(wall: datetime, tz: str) -> None:
    z = ZoneInfo(tz)
    got, flags = localize(wall, z, wall.isoformat())
    assert got.utcoffset() == timedelta(0)
    assert set(flags) <= {"dst_ambiguous", "dst_nonexistent"} and len(flags) <= 1
    back = got.astimezone(z).replace(tzinfo=None)
    if not flags:
        assert back == wall  # an ordinary wall time comes back as itself
    elif flags == ("dst_ambiguous",):
        assert back == wall  # the earlier of the two instants
        later = wall.replace(tzinfo=z, fold=1).astimezone(UTC)
        assert later > got
    else:
        assert back != wall  # no instant has this wall time: it was skipped
        assert all(w.astimezone(UTC).astimezone(z).replace(tzinfo=None) != wall
                   for w in (wall.replace(tzinfo=z, fold=0), wall.replace(tzinfo=z, fold=1)))


@settings(max_examples=1000, deadline=None, database=None)
@given(wall=st.datetimes(), tz=st.sampled_from(ZONES))
@example(wall=datetime.max, tz="America/New_York")
@example(wall=datetime.min, tz="Pacific/Kiritimati")
def test_localize_out_of_range_raises_only_a_typed_error(wall: datetime, tz: str) -> None:
    try:
        got, _ = localize(wall, ZoneInfo(tz), wall.isoformat())
    except TimestampError as exc:
        typed(exc)
        return
    except HimayaError as exc:  # pragma: no cover - a wrong himaya type is still a failure
        raise AssertionError(f"unexpected {type(exc).__name__}") from exc
    assert EARLIEST <= got <= datetime.now(UTC) + timedelta(days=1)
