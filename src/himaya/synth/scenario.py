"""The story every synthetic export tells, built deterministically from a seed.

A fictional feminist collective, Banafsha (بنفسج / بنفشه, "violet"), publishes a guide on gender
equality. That evening a wave of brand-new accounts follows it within four minutes; the same
accounts then send threats, "foreign agent" smears and the "gender means homosexuality"
narrative in Arabic (Iraqi, Levantine and Gulf flavour), Persian, English, Arabizi and Finglish,
call for mass reporting, post a doxing message with a fake phone number, and repost one forged
picture (Photo A, plus a resized re-encoded copy) across platforms. Three defenders (Nadia
Example, Shirin Nemuneh, Huda Mithal) document it.

Every name and handle contains `example`, `sample`, `mithal` (Arabic مثال, "example") or
`nemuneh` (Persian نمونه, "sample"); phone numbers sit in an unassigned `000` block. Nothing here
describes a real person. The same seed always gives the same scenario (`random.Random(seed)`).
"""

from __future__ import annotations

import calendar
import random
import time
from dataclasses import dataclass, field
from functools import cached_property

from himaya.synth import images
from himaya.synth._util import DateTime, make_rng, snowflake, tiktok_id
from himaya.synth.texts import LINES, Line

MARKERS = ("example", "sample", "mithal", "nemuneh")
TIMEZONE = "Asia/Baghdad"
TZ_OFFSET = 3 * 3600  # Asia/Baghdad, no DST since 2008

# (handle stem, display name) of the attacking personas: transliterated nicknames typical of such waves.
_PERSONAS = (
    ("watani", "حارس الوطن"), ("haqq", "صوت الحق"), ("dir3", "درع الأمة"), ("vatan", "وطن‌دوست"),
    ("ghayur", "غیور"), ("nashmi", "نشمي"), ("asad", "أسد الرافدين"), ("sayf", "سيف الحق"),
    ("basir", "بصير"), ("jondi", "جندي مجهول"), ("sarbaz", "سرباز وطن"), ("fajr", "فجر"),
)
_FIRST = ("sara", "mina", "leila", "roya", "noor", "zahra", "omid", "samir", "dalia", "yasmin", "kaveh", "rana")


@dataclass(frozen=True)
class Person:
    key: str
    name: str            # display name, always with a fictional marker
    handle: str          # Instagram / TikTok style: [a-z0-9._]{1,30}
    x_handle: str        # X style: [A-Za-z0-9_]{1,15}
    x_id: str
    tg_id: str           # Telegram `from_id`
    tt_id: str           # TikTok uid
    role: str            # collective, defender, channel, attacker, follower
    created: int         # account creation, Unix seconds


@dataclass
class Scenario:
    seed: int
    wave_start: int
    collective: Person
    defenders: tuple[Person, ...]
    channel: Person
    attackers: tuple[Person, ...]
    organic: tuple[tuple[Person, int], ...]        # earlier followers and when they followed
    wave: tuple[tuple[Person, int], ...]           # the inauthentic wave and when each followed
    phone: str
    ids: dict[str, str] = field(default_factory=dict)  # IDs that several exports share (cross-source merging)
    timezone: str = TIMEZONE
    tz_offset: int = TZ_OFFSET

    def rng(self, name: str) -> random.Random:
        """A generator private to one writer, so writers do not depend on each other's order."""
        return make_rng(f"{self.seed}:{name}")

    def at(self, offset_s: int) -> int:
        """A time relative to the start of the follow wave (Unix seconds)."""
        return self.wave_start + offset_s

    def text(self, key: str) -> str:
        return LINES[key].text.replace("{phone}", self.phone).replace("{handle}", self.collective.handle)

    def line(self, key: str) -> Line:
        return LINES[key]._replace(text=self.text(key))

    @property
    def nadia(self) -> Person:
        return self.defenders[0]

    @property
    def shirin(self) -> Person:
        return self.defenders[1]

    @property
    def huda(self) -> Person:
        return self.defenders[2]

    @property
    def export_ts(self) -> int:
        return self.at(2 * 86400 - (self.wave_start % 86400) + 8 * 3600)  # 08:00 UTC two days later

    @property
    def export_date(self) -> str:
        return _ymd(self.export_ts)

    @property
    def zip_time(self) -> DateTime:
        y, mo, d = (int(x) for x in self.export_date.split("-"))
        return (y, mo, d, 8, 0, 0)

    @cached_property
    def photo_a(self) -> bytes:
        return images.photo_a()

    @cached_property
    def photo_a_small(self) -> bytes:
        return images.photo_a_small()

    @cached_property
    def photo_b(self) -> bytes:
        return images.photo_b()

    @cached_property
    def photo_c(self) -> bytes:
        return images.photo_c()

    def people(self) -> list[Person]:
        return [self.collective, *self.defenders, self.channel, *self.attackers, *(p for p, _ in self.organic)]


def _ymd(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def _person(rng: random.Random, key: str, name: str, handle: str, x_handle: str, role: str, created: int) -> Person:
    assert any(m in handle for m in MARKERS) and any(m in name.lower() for m in MARKERS), (handle, name)
    assert len(handle) <= 30 and len(x_handle) <= 15, (handle, x_handle)
    return Person(key, name, handle, x_handle, snowflake(created, rng), f"user{rng.randrange(5_000_000_000, 7_999_999_999)}",
                  tiktok_id(created, rng), role, created)


def _attacker(rng: random.Random, i: int, stem: str, base: str, created: int) -> Person:
    marker = MARKERS[i % 4]
    n = rng.randrange(10, 99999)
    handle = (f"{stem}_{n}_sample", f"user_{rng.getrandbits(28):07x}_example", f"{stem}.mithal.{n % 100}",
              f"nemuneh_{stem}{n % 1000}", f"{''.join(rng.choice('bcdfghjklmnpqrstvwxz') for _ in range(3))}{n}_sample",
              )[i % 5]
    x_handle = f"{stem[:5]}{n % 100:02d}_{marker}"
    return _person(rng, f"attacker{i}", f"{base} ({marker})", handle, x_handle, "attacker", created)


def build_scenario(seed: int = 7) -> Scenario:
    rng = make_rng(seed)
    wave_start = calendar.timegm((2025, 6, 14, 18, 20, 0)) + rng.randrange(0, 600)
    day = 86400
    collective = _person(rng, "collective", "تجمّع بنفسج | Banafsha Collective (sample)", "banafsha.collective.sample",
                         "banafsha_sample", "collective", calendar.timegm((2019, 3, 8, 10, 0, 0)))
    defenders = (
        _person(rng, "nadia", "Nadia Example", "nadia.example", "nadia_example", "defender",
                calendar.timegm((2016, 11, 25, 9, 0, 0))),
        _person(rng, "shirin", "Shirin Nemuneh", "shirin.nemuneh", "shirin_nemuneh", "defender",
                calendar.timegm((2017, 3, 8, 12, 0, 0))),
        _person(rng, "huda", "Huda Mithal", "huda.mithal", "huda_mithal", "defender",
                calendar.timegm((2018, 9, 1, 7, 30, 0))),
    )
    channel = _person(rng, "channel", "أخبار الحقيقة | Haqiqa News (sample)", "haqiqa.news.sample", "haqiqa_sample",
                      "channel", wave_start - 12 * day + rng.randrange(day))
    personas = list(_PERSONAS)
    rng.shuffle(personas)
    attackers = tuple(_attacker(rng, i, stem, base, wave_start - rng.randrange(day // 2, 4 * day))
                      for i, (stem, base) in enumerate(personas))
    offsets = sorted(rng.sample(range(0, 230), len(attackers)))
    wave = tuple((p, wave_start + o) for p, o in zip(attackers, offsets, strict=True))
    organic: list[tuple[Person, int]] = []
    for i, first in enumerate(rng.sample(_FIRST, 8)):
        marker = MARKERS[i % 4]
        handle = (f"{first}.{marker}", f"{first}_{marker}_{rng.randrange(10, 99)}", f"{marker}.{first}")[i % 3]
        created = calendar.timegm((2015 + i % 6, 1 + i, 10, 9, 0, 0))
        p = _person(rng, f"follower{i}", f"{first.title()} {marker.title()}", handle, f"{first[:6]}_{marker}",
                    "follower", created)
        organic.append((p, created + rng.randrange(30 * day, 600 * day)))
    organic += [(d, d.created + rng.randrange(100 * day, 900 * day)) for d in defenders]
    organic.sort(key=lambda pt: pt[1])
    phone = f"+964 770 000 0{rng.randrange(100, 999)}"
    sc = Scenario(seed, wave_start, collective, defenders, channel, attackers, tuple(organic), wave, phone)
    sc.ids.update({
        "campaign_tweet": snowflake(sc.at(-5 * 3600), rng),
        "statement_tweet": snowflake(sc.at(2 * 3600), rng),
        "reply_ar": snowflake(sc.at(2 * 3600 + 331), rng),
        "reply_fa": snowflake(sc.at(2 * 3600 + 470), rng),
        "reply_fa_media": snowflake(sc.at(2 * 3600 + 465), rng),
        "reply_arabizi": snowflake(sc.at(2 * 3600 + 602), rng),
        "channel_tweet": snowflake(sc.at(-40 * 60), rng),
        "tiktok_video": tiktok_id(sc.at(-4 * 3600), rng),
    })
    return sc
