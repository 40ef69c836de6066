"""The line grammar of WhatsApp's "Export chat" text (formats README §4.2), free of any I/O.

A message starts with a header, `<date>, <time> - ` on Android or `[<date>, <time>] ` on iOS, in
one of many locale spellings; any other line continues the message before it. Digits may be
Arabic-Indic or Persian; marks (LRM, RLM, BOM) may stand before the header and inside the date.
Whether `03/04` is day- or month-first is decided for the whole file (`DateSurvey`), never per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Order = Literal["dmy", "mdy", "ymd"]
Style = tuple[bool, str, bool, str, bool, bool]  # bracketed, date separator, year first, time separator, am/pm, seconds

# Arabic-Indic (U+0660…) and Extended Arabic-Indic / Persian (U+06F0…) digits: one character each,
# so offsets in the translated line are offsets in the original.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_M = "[\u200e\u200f]?"  # RLM after day and month in Arabic dates
_SP = "[ \u00a0\u202f]"  # U+202F before AM/PM (Android, 2023+), NBSP inside Spanish "p. m." and before Arabic م
HEADER = re.compile(
    r"[\ufeff\u200e\u200f]*(?P<open>\[)?(?P<raw>"
    rf"(?P<a>[0-9]{{1,4}}){_M}(?P<sep>[./-]){_M}(?P<b>[0-9]{{1,2}}){_M}(?P=sep){_M}(?P<c>[0-9]{{2,4}})"
    rf"(?P<be> ?BE)?[,\u060c]?{_SP}{{1,2}}(?:klo )?"
    r"(?P<h>[0-9]{1,2})(?P<tsep>[:.])(?P<mi>[0-9]{2})(?:(?P=tsep)(?P<s>[0-9]{2}))?"
    rf"(?:{_SP}?(?P<ampm>[AaPp]\.?{_SP}?[Mm]\.?|[\u0645\u0635]))?)"
    r"(?(open)\][ \u00a0]?|[ \u00a0\u202f]-(?:[ \u00a0]|$))")
_PM = {"pm", "\u0645"}  # م (masa', evening); ص (sabah, morning) is AM


@dataclass(frozen=True, slots=True)
class Header:
    raw: str  # the date and time exactly as written (original digits and marks): kept, and part of the post id
    end: int  # where the rest of the line (author and body) begins
    a: int
    b: int
    year: int
    hour: int
    minute: int
    second: int
    pm: bool | None
    style: Style
    hint: Order | None  # what the spelling suggests when the numbers cannot tell (see DateSurvey)
    hint_why: str = ""


def match_header(line: str) -> Header | None:
    """The header at the start of `line`, or None. Total: never raises on any string."""
    m = HEADER.match(line.translate(DIGITS))
    if m is None:
        return None
    a, b, c = m["a"], m["b"], m["c"]
    year_first = len(a) == 4
    year = int(a if year_first else c)
    year += 2000 if year < 100 else 0
    year -= 543 if m["be"] or year >= 2400 else 0  # Buddhist era (Thai)
    ampm = m["ampm"]
    pm = None if ampm is None else ampm.replace(".", "").replace(" ", "").replace("\u00a0", "").replace(
        "\u202f", "").lower() in _PM
    raw = line[m.start("raw"):m.end("raw")]
    hint, why = _hint(raw, m["sep"], m["be"], ampm, c)
    return Header(raw=raw, end=m.end(), a=int(b if year_first else a), b=int(c if year_first else b), year=year,
                  hour=int(m["h"]), minute=int(m["mi"]), second=int(m["s"] or 0), pm=pm, hint=hint, hint_why=why,
                  style=(m["open"] is not None, m["sep"], year_first, m["tsep"], ampm is not None, m["s"] is not None))


def _hint(raw: str, sep: str, be: str | None, ampm: str | None, year: str) -> tuple[Order | None, str]:
    """Day or month first, from the locale's spelling alone; used only when the dates cannot tell."""
    if sep in ".-":
        return "dmy", "dotted or dashed dates are day-first in every WhatsApp locale seen"
    if raw != raw.translate(DIGITS):
        return "dmy", "Arabic/Persian digits (Arabic and Persian locales write the day first)"
    if be:
        return "dmy", "Buddhist-era year (Thai locale writes the day first)"
    if ampm and re.fullmatch(rf"[ap]\.{_SP}m\.", ampm):
        return "dmy", "'a. m.'/'p. m.' (Spanish locales write the day first)"
    if ampm in ("AM", "PM") and len(year) == 2:
        return "mdy", "M/d/yy with AM/PM (the en-US style)"
    return None, ""


def naive_time(h: Header, order: Order) -> datetime:
    """Wall-clock time of a header read in `order`; ValueError if no such date or time exists."""
    day, month = (h.a, h.b) if order == "dmy" else (h.b, h.a)
    hour = h.hour
    if h.pm is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if h.pm else 0)
    return datetime(h.year, month, day, hour, h.minute, h.second)


@dataclass
class _Reading:
    """The headers read in one order: dates that cannot exist, steps back to an earlier day, days spanned.

    Days, not times, are compared: around a DST change the wall clock of a time-ordered chat steps back.
    """

    order: Order
    invalid: int = 0
    backwards: int = 0
    last: int = 0
    low: int = 1 << 30
    high: int = 0

    def add(self, h: Header) -> None:
        day, month = (h.a, h.b) if self.order == "dmy" else (h.b, h.a)
        try:
            ordinal = date(h.year, month, day).toordinal()
        except ValueError:
            self.invalid += 1
            return
        self.backwards += ordinal < self.last
        self.last, self.low, self.high = ordinal, min(self.low, ordinal), max(self.high, ordinal)

    @property
    def span(self) -> int:
        return max(self.high - self.low, 0)


@dataclass
class DateSurvey:
    """Every header of one style in a file, to decide day- or month-first once for the whole file.

    Certain: a first field above 12 (or any date impossible month-first) means day-first, and the
    reverse; year-first spellings are ymd. Otherwise, in this order: the user's --date-order; the
    chronology (an export is in time order, so the reading that steps back in time is wrong, and
    with three or more days, one that spreads the chat over three times as many days is too); the
    locale's spelling (`Header.hint`). If none decides, the caller must ask the user.
    """

    year_first: bool = False
    dmy: _Reading = field(default_factory=lambda: _Reading("dmy"))
    mdy: _Reading = field(default_factory=lambda: _Reading("mdy"))
    days: set[tuple[int, int, int]] = field(default_factory=set)
    same: bool = True  # every header has day == month: the order does not matter
    first: Header | None = None  # its spelling gives the locale hint

    def add(self, h: Header) -> None:
        if h.style[2]:
            self.year_first = True
            return
        self.first = self.first or h
        self.dmy.add(h)
        self.mdy.add(h)
        self.same = self.same and h.a == h.b
        if len(self.days) < 8:
            self.days.add((h.year, h.a, h.b))

    def decide(self, given: Order | None) -> tuple[Order | None, str, str]:
        """(order or None, how: certain|given|inferred|assumed|unknown, why)."""
        if self.year_first:
            return "ymd", "certain", "year-first dates"
        ok = {r.order: r for r in (self.dmy, self.mdy) if r.invalid == 0}
        if len(ok) == 1:
            return next(iter(ok)), "certain", "some dates exist only in this order (a field above 12)"
        if not ok:
            return (given, "given", "--date-order") if given in ("dmy", "mdy") else (
                None, "unknown", "the dates fit neither day-first nor month-first")
        if self.same:
            return given if given in ("dmy", "mdy") else "dmy", "certain", "every day equals its month"
        if given in ("dmy", "mdy"):
            return given, "given", "--date-order"
        d, m = self.dmy, self.mdy
        if (d.backwards == 0) != (m.backwards == 0):
            best = d if d.backwards == 0 else m
            return best.order, "inferred", "only this reading keeps the chat in time order"
        if d.backwards == m.backwards == 0 and len(self.days) >= 3:
            for best, other in ((d, m), (m, d)):
                if max(best.span, 1) * 3 <= other.span:
                    return best.order, "inferred", (f"this reading spans {best.span} day(s), the other "
                                                    f"{other.span}")
        if self.first and self.first.hint:
            return self.first.hint, "assumed", self.first.hint_why
        return None, "unknown", "every day and month is 12 or less, and nothing else tells them apart"


def split_author(rest: str, participants: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """(author, body), split at the first ": " (README §4.2), or a known participant's name when one fits."""
    for name in sorted(participants, key=len, reverse=True):
        if name and rest.startswith(name + ": "):
            return name, rest[len(name) + 2:]
    i = rest.find(": ")
    return (None, rest) if i < 0 else (rest[:i], rest[i + 2:])
