"""Timestamp readers shared by the parsers. All return aware UTC datetimes.

Out-of-range values raise `TimestampError` (a typed error, never a bare ValueError) so that a
parser can report the record and carry on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from himaya.errors import ConfigError, TimestampError

# Social platforms did not exist before this; anything earlier is an exporter bug (HPI saw 1997).
EARLIEST = datetime(2004, 1, 1, tzinfo=UTC)
# Clocks drift and exports are made later; anything beyond a day ahead of now is not a real time.
FUTURE_SLACK = timedelta(days=1)


def _check_range(dt: datetime, raw: object, earliest: datetime = EARLIEST) -> datetime:
    if dt < earliest:
        raise TimestampError(f"time {raw!r} is before {earliest.year}: not a real post time")
    if dt > datetime.now(UTC) + FUTURE_SLACK:
        raise TimestampError(f"time {raw!r} is in the future")
    return dt


def _to_utc(dt: datetime, raw: object) -> datetime:
    """`dt` in UTC; a wall time near year 1 or 9999 can fall outside datetime's range once shifted."""
    try:
        return dt.astimezone(UTC)
    except OverflowError:
        raise TimestampError(f"time {raw!r} is out of range") from None


def from_unix(value: int | float | str, *, millis: bool = False, earliest: datetime = EARLIEST) -> datetime:
    """Unix seconds (or milliseconds) as int, float or numeric string."""
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise TimestampError(f"not a Unix time: {value!r}") from None
    except OverflowError:  # an int beyond any float
        raise TimestampError(f"Unix time out of range: {value!r}") from None
    if num != num or num in (float("inf"), float("-inf")):
        raise TimestampError(f"not a Unix time: {value!r}")
    if millis:
        num /= 1000.0
    try:
        dt = datetime.fromtimestamp(num, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TimestampError(f"Unix time out of range: {value!r}") from None
    return _check_range(dt, value, earliest)


def from_rfc3339(value: str, *, require_offset: bool = True) -> datetime:
    """RFC 3339 / ISO 8601 with an offset (`Z` or `+03:00`); fractional seconds allowed."""
    if not isinstance(value, str) or not value:
        raise TimestampError(f"not a time: {value!r}")
    try:
        dt = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise TimestampError(f"not an RFC 3339 time: {value!r}") from None
    if dt.tzinfo is None:
        if require_offset:
            raise TimestampError(f"time {value!r} has no time zone offset")
        dt = dt.replace(tzinfo=UTC)
    return _check_range(_to_utc(dt, value), value)


def from_twitter(value: str) -> datetime:
    """X's archive/v1.1 form: `Mon Mar 10 20:15:00 +0000 2025`."""
    try:
        dt = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except (TypeError, ValueError):
        raise TimestampError(f"not an X time: {value!r}") from None
    return _check_range(_to_utc(dt, value), value, datetime(2006, 3, 1, tzinfo=UTC))


def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        raise ConfigError(f"unknown time zone {name!r}: use an IANA name such as Asia/Baghdad or Asia/Tehran") from None


def localize(naive: datetime, tz: ZoneInfo, raw: object) -> tuple[datetime, tuple[str, ...]]:
    """Attach a user-supplied zone to a wall-clock time, flagging DST gaps and overlaps.

    Returns the UTC time and flags: `dst_ambiguous` (the wall time happened twice; the first is
    taken) or `dst_nonexistent` (the wall time was skipped; shifted forward as zoneinfo does).
    """
    flags: list[str] = []
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    utc = _to_utc(first, raw)
    if first.utcoffset() != second.utcoffset():
        # fold makes a difference: either ambiguous (overlap) or non-existent (gap)
        roundtrip = utc.astimezone(tz).replace(tzinfo=None)
        flags.append("dst_ambiguous" if roundtrip == naive else "dst_nonexistent")
    return _check_range(utc, raw), tuple(flags)
