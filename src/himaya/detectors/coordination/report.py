"""The campaigns report: one HTML file with a timeline chart and a network figure per campaign.

Figures are matplotlib SVGs embedded as `data:` URIs (the report loads nothing and runs nothing).
The network figure draws the strongest links only (they are what the evidence stores), coloured
by platform, core accounts larger, laid out with igraph's Fruchterman–Reingold (seeded: the same
campaign gives the same picture).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from himaya.reports.charts import svg_data_uri, timeline_svg

PLATFORM_COLOURS = {"x": "#1d3557", "facebook": "#457b9d", "telegram": "#2a9d8f", "instagram": "#e76f51",
                    "whatsapp": "#588157", "tiktok": "#6d597a", "youtube": "#bc4749"}
MAX_MEMBERS_SHOWN = 200


def _timeline_uri(campaign: dict[str, Any]) -> str | None:
    tl = campaign.get("timeline") or {}
    counts = tl.get("counts") or []
    if not counts:
        return None
    start = datetime.strptime(tl["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    step = timedelta(seconds=int(tl["bin_seconds"]))
    times = [start + i * step for i in range(len(counts) + 1)]
    return svg_data_uri(timeline_svg(times, [*counts, counts[-1]], title="Campaign posts over time",
                                     ylabel=f"posts per {int(tl['bin_seconds']) // 60} min", height=2.6))


def network_svg(campaign: dict[str, Any]) -> str | None:
    import igraph as ig

    from himaya.reports.charts import figure, to_svg

    edges = campaign.get("edges") or []
    if not edges:
        return None
    role = {m["account"]: m for m in campaign.get("members", [])}
    names = sorted({e["a"] for e in edges} | {e["b"] for e in edges})
    index = {n: i for i, n in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[e["a"]], index[e["b"]]) for e in edges])
    layout = g.layout_fruchterman_reingold(seed=[(i % 7, i // 7) for i in range(len(names))], niter=300)
    xy = layout.coords
    with figure(7, 5) as (fig, ax):
        for e in edges:
            a, b = xy[index[e["a"]]], xy[index[e["b"]]]
            ax.plot([a[0], b[0]], [a[1], b[1]], color="#999", linewidth=0.3 + min(e["coactions"], 20) / 20, alpha=0.5)
        for plat in sorted({n.split("|", 1)[0] for n in names}):
            sel = [i for i, n in enumerate(names) if n.startswith(plat + "|")]
            sizes = [40 if role.get(names[i], {}).get("role") == "core" else 14 for i in sel]
            ax.scatter([xy[i][0] for i in sel], [xy[i][1] for i in sel], s=sizes, label=plat, zorder=3,
                       color=PLATFORM_COLOURS.get(plat, "#777"), edgecolors="white", linewidths=0.4)
        ax.legend(fontsize=7, loc="best", frameon=False)
        ax.set_axis_off()
        ax.set_title(f"Strongest {len(edges)} links (large dots: core accounts)", fontsize=9)
        return to_svg(fig)


def write_campaigns_report(out: Path, campaigns: list[dict[str, Any]], surges: list[dict[str, Any]], *,
                           case: str | None) -> Path:
    from himaya.reports.html import write_report

    shown = []
    for c in campaigns:
        net = network_svg(c)
        shown.append({**c, "members_shown": c.get("members", [])[:MAX_MEMBERS_SHOWN], "timeline_uri": _timeline_uri(c),
                      "network_uri": svg_data_uri(net) if net else None})
    return write_report(out, "campaigns.html", title="Coordinated campaigns", case=case, campaigns=shown,
                        surges=surges, max_members=MAX_MEMBERS_SHOWN)
