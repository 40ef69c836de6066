"""Charts as SVG (matplotlib, no fonts or scripts fetched), embedded in reports as data: URIs."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from himaya.reports.html import data_uri


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "himaya"  # stable ids: the same data gives the same file
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt

    return plt


def timeline_svg(times: Sequence[datetime], counts: Sequence[float], *, shaded: Sequence[tuple[datetime, datetime, str]] = (),
                 expected: Sequence[float] | None = None, title: str = "", ylabel: str = "count",
                 width: float = 11.0, height: float = 3.2) -> str:
    """A step chart of counts per bin, optional expected line, shaded spans labelled (e.g. waves)."""
    with figure(width, height) as (fig, ax):
        ax.step(list(times), list(counts), where="post", linewidth=0.8, color="#444")
        if expected is not None:
            ax.plot(list(times), list(expected), linewidth=0.8, color="#2a7", label="expected")
        for start, end, label in shaded:
            ax.axvspan(start, end, color="#c33", alpha=0.25, linewidth=0)
            ax.annotate(label, xy=(start, 1.0), xycoords=("data", "axes fraction"), fontsize=7, va="bottom")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title, fontsize=10)
        ax.margins(x=0)
        fig.autofmt_xdate()
        return to_svg(fig)


@contextmanager
def figure(width: float, height: float) -> Iterator[tuple[Any, Any]]:
    """A matplotlib figure with one axes, closed afterwards (pyplot keeps every open figure alive)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(width, height))
    try:
        yield fig, ax
    finally:
        plt.close(fig)


def to_svg(fig: Any) -> str:
    """The figure as SVG text, laid out tightly, without a creation date (same data, same bytes)."""
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def svg_data_uri(svg: str) -> str:
    return data_uri(svg.encode("utf-8"), "image/svg+xml")
