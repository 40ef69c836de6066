"""Large synthetic inputs for benchmarks, streamed to disk (never built in memory).

* `write_instagram_followers`: an Instagram DYI ZIP (or a bare `followers_1.json`) with `n`
  followers: organic arrivals over six years plus a few bursts of inauthentic accounts.
* `write_telegram_chat`: a Telegram Desktop single-chat `result.json` with `n_messages` messages
  mixing plain strings and entity arrays, replies, forwards, edits, reactions and service messages
  in Arabic, Persian, English, Arabizi and Finglish.

Handles are unique by construction (see `_Namer`), so no set of seen handles has to be kept.
"""

from __future__ import annotations

import calendar
import heapq
import itertools
import random
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NamedTuple

from himaya.synth._util import make_rng, meta_json, zip_info
from himaya.synth.scenario import MARKERS

END = calendar.timegm((2025, 6, 16, 6, 0, 0))
SPAN = 6 * 365 * 86400
FIRST = ("sara", "mina", "leila", "roya", "noor", "zahra", "omid", "samir", "dalia", "yasmin", "kaveh", "rana",
         "ali", "maryam", "hoda", "reza", "farah", "amal", "nasrin", "layal", "hana", "tara", "bahar", "salma",
         "yousef", "arash", "dina", "lina", "shirin", "parisa", "karim", "nour", "maya", "jana", "aida", "rima")
LAST = ("", "", "", "karimi", "haddad", "rahimi", "nasser", "tehrani", "masri", "ahmadi", "khalil", "amini", "saleh")
STEMS = ("watani", "haqq", "vatan", "ghayur", "nashmi", "asad", "sayf", "basir", "jondi", "sarbaz", "fajr", "dir")
ITEM = ('  {\n    "title": "",\n    "media_list_data": [\n      \n    ],\n    "string_list_data": [\n      {\n'
        '        "href": "https://www.instagram.com/%s",\n        "value": "%s",\n        "timestamp": %d\n'
        "      }\n    ]\n  }")


class Wave(NamedTuple):
    at: int          # Unix seconds when the burst starts
    size: int        # accounts in it
    spread_s: int    # seconds it lasts


def default_waves(n: int) -> tuple[Wave, ...]:
    """Three bursts: the big one two days before the export, and two smaller earlier ones."""
    return (Wave(END - 2 * 86400 + 1800, max(12, n // 250), 240), Wave(END - 41 * 86400, max(6, n // 1000), 600),
            Wave(END - 203 * 86400, max(6, n // 2000), 1800))


def _times(n: int, rng: random.Random, waves: Sequence[Wave]) -> Iterator[tuple[int, int]]:
    """(timestamp, wave number or -1 for organic), newest first, `n` in all."""
    organic = max(0, n - sum(w.size for w in waves))
    mean_gap = SPAN / max(organic, 1)

    def organic_times() -> Iterator[tuple[int, int]]:
        t = float(END)
        for _ in range(organic):
            t -= rng.expovariate(1.0 / mean_gap)
            yield int(max(t, END - SPAN)), -1

    bursts = [sorted(((w.at + int(rng.random() * w.spread_s), k) for _ in range(w.size)), reverse=True)
              for k, w in enumerate(waves)]
    yield from itertools.islice(heapq.merge(organic_times(), *bursts, reverse=True), n)


class _Namer:
    """Realistic handles that never repeat, without remembering them.

    A handle is a digit-free skeleton (`sara.sample`, `user_mithal`) with at most one run of digits
    inserted. Each skeleton has a counter: its first organic user gets no digits, later ones get
    `counter + offset`. Different skeletons can never give the same handle, and the digits tell the
    counter value apart within a skeleton, so every handle is unique; memory grows with the number of
    skeletons (tens of thousands), not with `n`.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: dict[str, int] = {}

    def _join(self, head: str, tail: str, bot: bool) -> str:
        skel = head + tail
        c = self.seen.get(skel, 0)
        self.seen[skel] = c + 1
        if not bot and c == 0:
            return skel
        off = zlib.crc32(skel.encode()) % (90_000 if bot else 97) + (1000 if bot else 1)
        return f"{head}{off + c}{tail}"

    def handle(self, wave: int) -> str:
        r = self.rng.random
        marker = MARKERS[int(r() * 4)]
        if wave >= 0:  # bot-like: a stem, "user" or random consonants, digits, then the marker
            p = int(r() * 3)
            head = (f"{STEMS[int(r() * len(STEMS))]}_", "user",
                    "".join("bcdfghjklmnpqrstvwxz"[int(r() * 20)] for _ in range(3)))[p]
            return self._join(head, f"_{marker}", True)
        first, last = FIRST[int(r() * len(FIRST))], LAST[int(r() * len(LAST))]
        p = int(r() * 4)
        if p == 1:
            return self._join(f"{first}_{last}_{marker}" if last else f"{first}_{marker}", "", False)
        head, tail = ((f"{first}.{marker}", ""), ("", ""), (f"{marker}.{first}", ""), (first, f".{marker}"))[p]
        return self._join(head, tail, False)


def iter_followers(n: int, seed: int, waves: Sequence[Wave] | None = None) -> Iterator[tuple[str, int]]:
    """(handle, follow time), newest first, as `followers_1.json` lists them."""
    rng = make_rng(f"{seed}:followers")
    namer = _Namer(make_rng(f"{seed}:handles"))
    for ts, wave in _times(n, rng, default_waves(n) if waves is None else waves):
        yield namer.handle(wave), ts


def _write_followers(fh: IO[bytes], n: int, seed: int, waves: Sequence[Wave] | None) -> None:
    if n <= 0:
        fh.write(b"[\n  \n]")
        return
    fh.write(b"[\n")
    chunk: list[str] = []
    for i, (h, ts) in enumerate(iter_followers(n, seed, waves)):
        chunk.append(ITEM % (h, h, ts))
        if len(chunk) == 2000:
            fh.write(((",\n" if i >= 2000 else "") + ",\n".join(chunk)).encode("ascii"))
            chunk = []
    if chunk:
        fh.write(((",\n" if n > len(chunk) else "") + ",\n".join(chunk)).encode("ascii"))
    fh.write(b"\n]")


def write_instagram_followers(path: Path, n: int, seed: int, waves: Sequence[Wave] | None = None) -> Path:
    """A DYI ZIP (`path` ending in .zip) or a bare `followers_1.json` (any other suffix) with `n` followers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".zip":
        with path.open("wb") as fh:
            _write_followers(fh, n, seed, waves)
        return path
    owner = "banafsha.collective.sample"
    when = (2025, 6, 16, 8, 0, 0)
    profile = {"profile_user": [{"title": "", "string_map_data": {
        "Username": {"href": "", "value": owner, "timestamp": 0},
        "Name": {"href": "", "value": "Banafsha Collective (sample)", "timestamp": 0}}}]}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zip_info("personal_information/personal_information/personal_information.json", when),
                    meta_json(profile))
        with _member(zf, "connections/followers_and_following/followers_1.json", when) as fh:
            _write_followers(fh, n, seed, waves)
        following = {"relationships_following": [
            {"title": h, "media_list_data": [], "string_list_data": [
                {"href": f"https://www.instagram.com/_u/{h}", "timestamp": END - 400 * 86400}]}
            for h in ("nadia.example", "shirin.nemuneh", "huda.mithal")]}
        zf.writestr(zip_info("connections/followers_and_following/following.json", when), meta_json(following))
    return path


@contextmanager
def _member(zf: zipfile.ZipFile, name: str, when: tuple[int, int, int, int, int, int]) -> Iterator[IO[bytes]]:
    info = zip_info(name, when)
    with zf.open(info, "w", force_zip64=True) as raw:
        yield raw


def write_telegram_chat(path: Path, n_messages: int, seed: int) -> Path:
    """A `result.json` single-chat export: `path` is the ChatExport folder, or the .json file itself."""
    from himaya.synth._telegram_large import write_chat

    target = path if path.suffix.lower() == ".json" else path / "result.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        write_chat(fh, n_messages, seed)
    return path
