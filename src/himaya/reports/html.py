"""Writing a report: one self-contained HTML file, rendered with autoescaping, under a strict CSP.

The page runs no script and loads nothing: its one stylesheet is inline and allowed by hash,
images (charts, blurred thumbnails) are `data:` URIs. It works in Tor Browser's "Safest" mode and
can be handed to a platform or a lawyer as a single file. User text is isolated (`<bdi>`, `dir=auto`)
so Arabic and Persian names never reorder the text around them.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from himaya import __version__

RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


@cache
def _css() -> str:
    return resources.files("himaya.reports").joinpath("static/report.css").read_text(encoding="utf-8")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("himaya.reports", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else f"{n:,.2f}"
    env.filters["pct"] = lambda x: f"{100 * x:.1f} %"
    env.filters["utc"] = lambda d: d.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if d else "—"
    return env


def csp_for(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")


def render(template: str, *, title: str, lang: str = "en", case: str | None = None, **context: Any) -> str:
    css = _css()
    return environment().get_template(template).render(
        title=title, lang=lang, dir="rtl" if lang in RTL_LANGS else "ltr", case=case, css=css, csp=csp_for(css),
        version=__version__, generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), **context)


def write_report(out: Path, template: str, *, title: str, lang: str = "en", case: str | None = None,
                 **context: Any) -> Path:
    """Render `template` (which extends base.html) to `out`, readable by its owner only, written atomically."""
    html = render(template, title=title, lang=lang, case=case, **context)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)
    tmp.replace(out)
    return out


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
