"""Synthetic platform exports: small realistic ones for `make demo` and tests, large ones for benchmarks.

Everything is generated locally and deterministically from a seed; nothing is copied from real
data or downloaded. All people, handles, IDs, phone numbers and messages are invented (handles
and names contain `example`, `sample`, `mithal` or `nemuneh`); see docs/synthetic-data.md.

    >>> from himaya.synth import generate_all
    >>> outputs = generate_all(Path("exports"), seed=7)
    >>> outputs["whatsapp"].path, outputs["whatsapp"].cli_options
    (PosixPath('exports/whatsapp/WhatsApp Chat - Banafsha Support (sample) 💜.zip'), ('--timezone', 'Asia/Baghdad'))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from himaya.synth import media as media_copies
from himaya.synth.large import Wave, iter_followers, write_instagram_followers, write_telegram_chat
from himaya.synth.scenario import MARKERS, Person, Scenario, build_scenario
from himaya.synth.writers import (
    facebook,
    generic,
    instagram,
    screenshot,
    telegram,
    whatsapp,
    x_api,
    x_archive,
    zeeschuimer,
)

if TYPE_CHECKING:
    from himaya.ingest.base import ParseOptions

__all__ = ["FORMATS", "MARKERS", "Generated", "Person", "Scenario", "Wave", "build_scenario", "generate_all",
           "iter_followers", "write_instagram_followers", "write_telegram_chat"]


@dataclass(frozen=True)
class Generated:
    """One generated input: where it is, which parser should read it, and the options it needs."""

    path: Path
    parser: str
    timezone: str | None = None   # IANA zone for formats that carry none (WhatsApp)
    description: str = ""

    @property
    def cli_options(self) -> tuple[str, ...]:
        """Extra `himaya ingest` arguments, e.g. `("--timezone", "Asia/Baghdad")`."""
        return ("--timezone", self.timezone) if self.timezone else ()

    def parse_options(self) -> ParseOptions:
        from zoneinfo import ZoneInfo

        from himaya.ingest.base import ParseOptions

        return ParseOptions(timezone=ZoneInfo(self.timezone) if self.timezone else None)


Writer = Callable[[Path, Scenario], Path]
# key → (parser name, writer, needs the zone, description). The first nine are one per format.
FORMATS: dict[str, tuple[str, Writer, bool, str]] = {
    "instagram": ("instagram", instagram.write, False, "Instagram DYI ZIP, 2024+ layout, with the follow wave"),
    "facebook": ("facebook", facebook.write, False, "Facebook DYI ZIP of a defender, with a Messenger thread"),
    "x_archive": ("x_archive", x_archive.write, False, "X account archive ZIP of the collective"),
    "x_api": ("x_api", x_api.write, False, "twarc2 JSONL: a search page and a mentions page"),
    "telegram": ("telegram", telegram.write, False, "Telegram Desktop ChatExport folder (date_unixtime present)"),
    "whatsapp": ("whatsapp", whatsapp.write, True, "WhatsApp iOS ZIP (_chat.txt + Photo A), en_GB"),
    "zeeschuimer": ("zeeschuimer", zeeschuimer.write, False, "Zeeschuimer twitter.com NDJSON capture"),
    "generic": ("generic", generic.write, False, "Himaya generic CSV v1"),
    "screenshot": ("screenshot", screenshot.write, False, "PNG screenshot of a hostile X reply"),
    "whatsapp_android": ("whatsapp", lambda o, s: whatsapp.write(o, s, variant="android"), True,
                         "WhatsApp Android en_US .txt"),
    "zeeschuimer_tiktok": ("zeeschuimer", lambda o, s: zeeschuimer.write(o, s, platform="tiktok-comments"), False,
                           "Zeeschuimer tiktok-comments NDJSON capture"),
    "generic_jsonl": ("generic", lambda o, s: generic.write(o, s, fmt="jsonl"), False, "Himaya generic JSONL v1"),
    "screenshot_exif": ("screenshot", lambda o, s: screenshot.write(o, s, variant="jpeg_exif"), False,
                        "JPEG screenshot with EXIF and fake GPS"),
    # The defamatory picture of the media-matching demo and its altered copies, on three platforms.
    "telegram_media": ("telegram", media_copies.write_telegram, False,
                       "Telegram channel export: the defamatory picture, a screenshot of it, a resized copy"),
    "facebook_media": ("facebook", media_copies.write_facebook, False,
                       "Facebook DYI ZIP: Messenger thread with a captioned and a cropped copy"),
    "whatsapp_media": ("whatsapp", media_copies.write_whatsapp, True,
                       "WhatsApp iOS ZIP: a family group forwarding a recompressed copy"),
}
PRIMARY = ("instagram", "facebook", "x_archive", "x_api", "telegram", "whatsapp", "zeeschuimer", "generic",
           "screenshot")


def generate_all(out_dir: Path, seed: int = 7, *, extras: bool = True) -> dict[str, Generated]:
    """Write one export per supported format (plus variants when `extras`) under `out_dir/<key>/`.

    Same seed, same bytes. Keys are format names; each value says what to ingest and with which options.
    """
    sc = build_scenario(seed)
    out: dict[str, Generated] = {}
    for key, (parser, write, zoned, description) in FORMATS.items():
        if not extras and key not in PRIMARY:
            continue
        path = write(out_dir / key, sc)
        out[key] = Generated(path, parser, sc.timezone if zoned else None, description)
    return out
