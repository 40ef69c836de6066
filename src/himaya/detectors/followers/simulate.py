"""Follower scenarios with ground truth: organic growth with cycles and viral spikes, plus attack waves.

Organic follows arrive as an inhomogeneous Poisson process, over-dispersed hour by hour (a gamma
mixture), whose rate drifts slowly, follows a daily and a weekly cycle and jumps after viral posts
(then decays over hours to days). Attack waves add 150–4,000 accounts each over 10 minutes to six
hours, with one of three handle styles: template families (`name_####`), random strings, or
realistic handles copied from real-looking people (the style that defeats handle rules). Profile
fields overlap on purpose: organic followers include new, empty, picture-less accounts, and the
attackers with stolen handles carry stolen-looking profiles too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

HOUR = 3600.0
DAY = 86400.0
FIRST = ("sara", "mina", "leila", "roya", "noor", "zahra", "omid", "samir", "dalia", "yasmin", "kaveh", "rana",
         "ali", "maryam", "hoda", "reza", "farah", "amal", "nasrin", "layal", "hana", "tara", "bahar", "salma",
         "yousef", "arash", "dina", "lina", "shirin", "parisa", "karim", "nour", "maya", "jana", "aida", "rima",
         "fatemeh", "hamid", "niloufar", "soheil", "mahsa", "elham", "ghazal", "hadi", "rania", "widad", "sanaa",
         "khadija", "mohammad", "amir", "golnar", "pegah", "azadeh", "sepideh", "yara", "lamia", "souad", "nadia")
LAST = ("karimi", "haddad", "rahimi", "nasser", "tehrani", "masri", "ahmadi", "khalil", "amini", "saleh", "hosseini",
        "moradi", "jafari", "sadeghi", "bakr", "haddadi", "qasim", "mansour", "farsi", "shirazi", "tabrizi", "alavi")
WORDS = ("art", "photo", "design", "life", "official", "studio", "books", "music", "travel", "green", "free", "azadi",
         "zan", "hayat", "nour", "sky", "moon", "rose", "gol", "bahar", "dream", "story", "cafe", "yoga")
STEMS = ("watani", "haqq", "vatan", "ghayur", "nashmi", "asad", "sayf", "basir", "jondi", "sarbaz", "fajr", "dir")
ARABIC_NAMES = ("سارا", "مینا", "لیلا", "زهرا", "نور", "فرح", "أمل", "ريم", "سلمى", "هدى", "علی", "رضا")
BIOS = ("feminist", "artist | Tehran", "mother, teacher", "photography", "زن زندگی آزادی", "حقوق المرأة",
        "student of law", "books and tea", "journalist", "كاتبة", "")
STYLES = ("template", "random", "stolen")
TEMPLATES = ("{first}_{last}{d4}", "user{d8}", "{first}.{d4}", "{stem}_{first}{d2}", "{first}{last}_{d3}",
             "{stem}{d6}")


@dataclass(frozen=True)
class TrueWave:
    start: float
    end: float
    size: int
    style: str


@dataclass(frozen=True)
class ViralSpike:
    at: float
    multiplier: float
    decay_h: float


@dataclass
class Scenario:
    """Followers in arrival order (oldest first) with the truth about each one."""

    seed: int
    target: str
    start: float
    end: float
    handles: list[str]
    times: NDArray[np.float64]
    wave_of: NDArray[np.int32]       # index into `waves`, -1 for organic
    profiles: dict[str, Any]         # column → list or array, aligned with `handles`
    waves: list[TrueWave]
    spikes: list[ViralSpike]
    organic_rate_h: float
    notes: list[str] = field(default_factory=list)

    @property
    def attacker(self) -> NDArray[np.bool_]:
        return self.wave_of >= 0


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choices("0123456789", k=n))


class _HandleMaker:
    """Handles from the name pools; uniqueness is enforced by the caller's `taken` set.

    Per-handle draws use the standard library generator (seeded from the scenario's): numpy's
    per-call overhead made a million handles take minutes.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = random.Random(int(rng.integers(2**62)))  # noqa: S311 - simulation, not secrets

    def organic(self) -> str:
        r = self.rng
        first, last, word = r.choice(FIRST), r.choice(LAST), r.choice(WORDS)
        pattern = r.randrange(12)
        base = (first, f"{first}.{last}", f"{first}_{last}", f"{first}{last}", f"{first}.{word}", f"{word}.{first}",
                f"the.{first}", f"{first}_{word}", f"{last}.{first}", f"{first}{last[0]}", f"{first}.{last}.{word}",
                f"{word}_{last}")[pattern]
        roll = r.random()
        if roll < 0.25:
            base += str(r.randrange(70, 100)) if r.random() < 0.5 else str(r.randrange(1, 1000))
        elif roll < 0.32:
            base += f"_{r.randrange(1970, 2008)}"
        elif roll < 0.36:
            base += "_" * r.randrange(1, 3)
        return base

    def stolen(self) -> str:
        """A real person's handle with the small edit that makes it free: `_`, a doubled letter, `1`, `.x`."""
        h = self.organic()
        kind = self.rng.randrange(5)
        if kind == 0:
            return h + "_"
        if kind == 1:
            i = self.rng.randrange(1, len(h))
            return h[:i] + h[i - 1] + h[i:] if h[i - 1].isalpha() else h + "."
        if kind == 2:
            return h + str(self.rng.randrange(1, 10))
        if kind == 3:
            return "_" + h if not h.startswith("_") else h + "x"
        return h

    def generated(self, style: str, template: str) -> str:
        r = self.rng
        if style == "random":
            s = "".join(r.choices("abcdefghijklmnopqrstuvwxyz", k=r.randrange(7, 13)))
            return s + (_digits(r, r.randrange(1, 4)) if r.random() < 0.5 else "")
        return template.format(first=r.choice(FIRST), last=r.choice(LAST), stem=r.choice(STEMS), d2=_digits(r, 2),
                               d3=_digits(r, 3), d4=_digits(r, 4), d6=_digits(r, 6), d8=_digits(r, 8))


def _unique(make: Any, taken: set[str], r: random.Random) -> str:
    h: str = make()[:30]
    while h in taken:
        h = (h[:26] + _digits(r, r.randrange(1, 4)))[:30]
    taken.add(h)
    return h


def organic_rate(hours: NDArray[np.float64], base: float, phase_h: float, daily_amp: float, weekend: float,
                 drift: float, span_h: float, spikes: list[ViralSpike], start: float) -> NDArray[np.float64]:
    """Organic follows per hour at hour starts `hours` (hours since `start`)."""
    hod = (hours + start / HOUR) % 24
    dow = ((hours + start / HOUR) // 24 + 4) % 7  # 1970-01-01 was a Thursday: 5, 6 = Saturday, Sunday
    rate = base * np.exp(drift * (hours / span_h - 0.5))
    rate = rate * (1 + daily_amp * np.cos(2 * np.pi * (hod - phase_h) / 24)) * np.where(dow >= 5, weekend, 1.0)
    for s in spikes:
        dt = hours - (s.at - start) / HOUR
        rate = rate * (1 + np.where(dt >= 0, (s.multiplier - 1) * np.exp(-np.clip(dt, 0, None) / s.decay_h), 0.0))
    return rate


def simulate(seed: int, *, days: float = 60.0, n_followers: int | None = None, waves: int | None = None,
             target: str = "banafsha.collective", end: float = 1_750_000_000.0, profiles: bool = True) -> Scenario:
    """One scenario. `n_followers` scales the organic rate so the total is about that many."""
    rng = np.random.default_rng(seed)
    start = end - days * DAY
    span_h = int(days * 24)
    hours = np.arange(span_h, dtype=np.float64)
    base = float(rng.uniform(1.5, 8.0))
    spikes = [ViralSpike(start + float(rng.uniform(0.1, 0.9)) * days * DAY, float(rng.uniform(3, 12)),
                         float(rng.uniform(6, 36))) for _ in range(int(rng.integers(0, 4)))]
    shape = dict(phase_h=float(rng.uniform(14, 22)), daily_amp=float(rng.uniform(0.3, 0.7)),
                 weekend=float(rng.uniform(0.75, 1.25)), drift=float(rng.uniform(-0.7, 0.7)))
    rate = organic_rate(hours, base, span_h=span_h, spikes=spikes, start=start, **shape)
    n_waves = waves if waves is not None else int(rng.integers(1, 6))
    sizes = np.exp(rng.uniform(np.log(150), np.log(4000), n_waves)).astype(int)
    if n_followers is not None:
        scale = max(n_followers - int(sizes.sum() * max(1.0, n_followers / 40000)), 1) / max(rate.sum(), 1e-9)
        rate = rate * scale
        base *= scale
        sizes = (sizes * max(1.0, n_followers / 40000)).astype(int)
    # Over-dispersion: some hours bring more than the rate says (stories, shares), as in real accounts.
    counts = rng.poisson(rate * rng.gamma(8.0, 1 / 8.0, span_h))
    organic_t = start + np.repeat(hours, counts) * HOUR + rng.uniform(0, HOUR, int(counts.sum()))
    slots = rng.permutation(np.arange(1, int(days) - 1))[:n_waves]
    truth: list[TrueWave] = []
    wave_t: list[NDArray[np.float64]] = []
    styles: list[str] = []
    for k in range(n_waves):
        duration = float(np.exp(rng.uniform(np.log(10 * 60), np.log(6 * HOUR))))
        t0 = start + float(slots[k]) * DAY + float(rng.uniform(0, DAY - duration))
        ts = t0 + np.sort(rng.uniform(0, duration, int(sizes[k])))
        ts[0], ts[-1] = t0, t0 + duration
        style = STYLES[k % 3] if k < 3 else STYLES[int(rng.integers(0, 3))]
        truth.append(TrueWave(t0, t0 + duration, int(sizes[k]), style))
        wave_t.append(ts)
        styles.append(style)
    times = np.concatenate([organic_t, *wave_t])
    wave_of = np.concatenate([np.full(organic_t.size, -1, np.int32),
                              *[np.full(w.size, k, np.int32) for k, w in enumerate(wave_t)]])
    order = np.argsort(times, kind="stable")
    times, wave_of = times[order], wave_of[order]
    handles = _handles(rng, wave_of, styles)
    fields = _profiles(rng, wave_of, styles, times) if profiles else {}
    return Scenario(seed, target, start, end, handles, times, wave_of, fields, truth, spikes, base)


def _handles(rng: np.random.Generator, wave_of: NDArray[np.int32], styles: list[str]) -> list[str]:
    maker = _HandleMaker(rng)
    templates = [TEMPLATES[int(rng.integers(0, len(TEMPLATES)))] for _ in styles]
    taken: set[str] = set()
    out: list[str] = []
    r = maker.rng
    for w in wave_of.tolist():
        if w < 0:
            out.append(_unique(maker.organic, taken, r))
        elif styles[w] == "stolen" or r.random() < 0.1:  # every generated wave also carries some stolen handles
            out.append(_unique(maker.stolen, taken, r))
        else:
            out.append(_unique(lambda w=w: maker.generated(styles[w], templates[w]), taken, r))
    return out


def _profiles(rng: np.random.Generator, wave_of: NDArray[np.int32], styles: list[str],
              times: NDArray[np.float64]) -> dict[str, Any]:
    n = wave_of.size
    fake = wave_of >= 0
    stolen = np.array([w >= 0 and styles[w] == "stolen" for w in wave_of.tolist()], dtype=bool)
    # Organic followers: mostly established people, but a fifth are new or near-empty accounts.
    lurker = rng.random(n) < 0.2
    posts = np.where(lurker, rng.lognormal(0.8, 1.0, n), rng.lognormal(4.0, 1.4, n))
    followers = np.where(lurker, rng.lognormal(3.0, 1.2, n), rng.lognormal(5.5, 1.4, n))
    following = rng.lognormal(6.0, 1.0, n)
    pic = rng.random(n) < np.where(lurker, 0.7, 0.95)
    private = rng.random(n) < 0.35
    age_d = np.where(lurker, rng.uniform(5, 700, n), rng.uniform(200, 4000, n))
    bio = rng.random(n) < np.where(lurker, 0.3, 0.7)
    # Attackers: bought or farmed accounts; the stolen-handle kind copies profiles and looks older.
    f_posts = np.where(stolen, rng.lognormal(2.5, 1.3, n), rng.lognormal(0.9, 1.1, n))
    f_followers = np.where(stolen, rng.lognormal(4.0, 1.3, n), rng.lognormal(2.8, 1.3, n))
    f_following = rng.lognormal(6.6, 0.9, n)
    f_pic = rng.random(n) < np.where(stolen, 0.85, 0.55)
    f_private = rng.random(n) < 0.5
    f_age = np.where(rng.random(n) < 0.7, rng.uniform(1, 120, n), rng.uniform(120, 2500, n))
    f_bio = rng.random(n) < np.where(stolen, 0.5, 0.2)
    posts, followers = np.where(fake, f_posts, posts), np.where(fake, f_followers, followers)
    following, pic = np.where(fake, f_following, following), np.where(fake, f_pic, pic)
    private, age_d, bio = np.where(fake, f_private, private), np.where(fake, f_age, age_d), np.where(fake, f_bio, bio)
    created = times - age_d * DAY
    r = random.Random(int(rng.integers(2**62)))  # noqa: S311 - simulation, not secrets
    names = [r.choice(ARABIC_NAMES) if r.random() < 0.3 else r.choice(FIRST).title() for _ in range(n)]
    has_name = rng.random(n) < np.where(fake, 0.6, 0.85)
    bios = [r.choice(BIOS[:-1]) if b else "" for b in bio.tolist()]
    return {"full_name": [nm if h else "" for nm, h in zip(names, has_name.tolist(), strict=True)],
            "posts": posts.astype(np.int64), "followers": followers.astype(np.int64),
            "following": following.astype(np.int64), "has_profile_pic": pic, "is_private": private,
            "account_created": created, "bio": bios}
