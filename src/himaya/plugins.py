"""The parser registry: built-ins first, then third-party entry points (group `himaya.parsers`).

Built-ins go through the same path as plugins. Names must be unique; a clash is refused at
start-up rather than letting one parser silently shadow another.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from himaya.errors import ConfigError
from himaya.ingest.base import Parser

# Order matters only for sniffing: more specific formats first, the catch-alls last.
BUILTIN_PARSERS: tuple[str, ...] = (
    "himaya.ingest.instagram:InstagramParser",
    "himaya.ingest.facebook:FacebookParser",
    "himaya.ingest.x_archive:XArchiveParser",
    "himaya.ingest.x_api:XApiParser",
    "himaya.ingest.telegram:TelegramParser",
    "himaya.ingest.whatsapp:WhatsAppParser",
    "himaya.ingest.zeeschuimer:ZeeschuimerParser",
    "himaya.ingest.screenshot:ScreenshotParser",
    "himaya.ingest.generic:GenericParser",
)


def _load(spec: str) -> type[Parser]:
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Parser)):
        raise ConfigError(f"{spec} is not a Parser")
    return cls


@cache
def parsers() -> dict[str, Parser]:
    found: dict[str, Parser] = {}
    specs = [(s, "built-in") for s in BUILTIN_PARSERS]
    specs += [(f"{ep.module}:{ep.attr}", f"plugin {ep.name}") for ep in entry_points(group="himaya.parsers")]
    for spec, origin in specs:
        cls = _load(spec)
        if cls.name in found:
            raise ConfigError(f"two parsers are named {cls.name!r} ({origin} {spec} clashes with an earlier one)")
        found[cls.name] = cls()
    return found


def parser(name: str) -> Parser:
    try:
        return parsers()[name]
    except KeyError:
        raise ConfigError(f"no parser named {name!r}; known: {', '.join(parsers())}") from None
