"""What `followers analyze` hands over: the ranked CSV, the HTML report, the summary, the findings.

The CSV is the defender's removal list: ranked by score, columns exactly `handle, score, band,
wave, reasons`, every cell neutralised against spreadsheet formulas (a handle cannot start with
`=` on Instagram, but a generic CSV export can carry anything).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from himaya.detectors.followers import DETECTOR, VERSION
from himaya.detectors.followers.data import FollowerSet
from himaya.detectors.followers.order import OrderBlock
from himaya.detectors.followers.profiles import Profiles
from himaya.detectors.followers.rate_model import HOUR
from himaya.detectors.followers.scoring import BANDS, REVIEW_THRESHOLD, Scored, wave_sentence
from himaya.detectors.followers.waves import WaveResult
from himaya.findings import Finding
from himaya.ingest.csv_safe import neutralise_cell

CSV_COLUMNS = ("handle", "score", "band", "wave", "reasons")
_PLAIN_HANDLE = re.compile(r"[a-z0-9_][a-z0-9._]*")  # nothing to quote, no formula prefix
MAX_CHART_BINS = 6000
REPORT_ROWS = 300


@dataclass
class Analysis:
    followers: FollowerSet
    waves: WaveResult
    scored: Scored
    profiles: Profiles | None = None
    problems: list[dict[str, str]] = field(default_factory=list)
    blocks: list[OrderBlock] = field(default_factory=list)


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def ranking(scored: Scored) -> np.ndarray:
    """Indices, highest score first (ties: remove before review before keep, then listing order)."""
    return np.lexsort((-scored.band, -scored.score))


def write_csv(path: Path, a: Analysis) -> int:
    """The ranked list. Plain rows (a handle of `a-z 0-9 . _`, no reasons: most of a million) are
    written directly; anything else goes through `csv.writer` and `neutralise_cell`."""
    fs, sc, wr = a.followers, a.scored, a.waves
    order = ranking(sc)
    handles, score, band, wave_of, reasons = fs.handles, sc.score.tolist(), sc.band.tolist(), wr.wave_of.tolist(), sc.reasons
    numbers = [str(x.number) for x in wr.waves]
    plain = _PLAIN_HANDLE.fullmatch
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for i in order.tolist():
            h, k = handles[i], wave_of[i]
            if not reasons[i] and k < 0 and plain(h):
                fh.write(f"{h},{score[i]:.4f},{BANDS[band[i]]},,\r\n")
            else:
                w.writerow((neutralise_cell(h), f"{score[i]:.4f}", BANDS[band[i]], numbers[k] if k >= 0 else "",
                            neutralise_cell("; ".join(reasons[i]))))
    return len(order)


def write_changes(path: Path, fs: FollowerSet) -> int:
    """`changes.csv`: who appeared in and who disappeared from each export after the first."""
    names = [s.name for s in fs.snapshots]
    first, last = fs.first_snap.tolist(), fs.last_snap.tolist()
    final = len(names) - 1
    rows = []
    for i, h in enumerate(fs.handles):
        if first[i] > 0:
            rows.append((h, "appeared", names[first[i] - 1], names[first[i]]))
        if last[i] < final:
            rows.append((h, "disappeared", names[last[i]], names[last[i] + 1]))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("handle", "change", "after_export", "in_export"))
        w.writerows([neutralise_cell(c) for c in row] for row in rows)
    return len(rows)


def summary(a: Analysis, *, csv_path: Path | None = None, report_path: Path | None = None) -> dict[str, Any]:
    """The stable `--json` document (keys listed in docs/detectors/followers.md)."""
    fs, wr, sc = a.followers, a.waves, a.scored
    timed = int(fs.timed.sum())
    waves = []
    for k, w in enumerate(wr.waves):
        members = wr.wave_of == k
        waves.append({"number": w.number, "start": _iso(w.start), "end": _iso(w.end), "follows": w.follows,
                      "expected": round(w.expected, 2), "excess": round(w.excess, 1), "log10_p": round(w.log10_p, 1)
                      if np.isfinite(w.log10_p) else 999.0, "peak_per_hour": round(w.peak_per_h, 1),
                      "usual_per_hour": round(w.usual_per_h, 2), "remove": int((members & (sc.band == 2)).sum()),
                      "review": int((members & (sc.band == 1)).sum()), "description": wave_sentence(w)})
    prof: dict[str, Any] = {"given": a.profiles is not None, "matched": 0, "unmatched": 0}
    if a.profiles is not None:
        prof.update(matched=int(a.profiles.known.sum()), unmatched=a.profiles.unmatched)
    return {
        "detector": DETECTOR, "version": VERSION, "platform": fs.platform, "target": fs.target,
        "followers": len(fs), "timed_followers": timed, "status": wr.status, "message": wr.message,
        "time_basis": "follow_times" if wr.status == "ok" else "order_and_snapshots",
        "usual_per_hour": round(float(np.median(wr.expected)), 2) if wr.expected.size else None,
        "dispersion": round(wr.dispersion, 2),
        "snapshots": [{"name": s.name, "followers": s.followers, "timed": s.timed, "latest": _iso(s.latest),
                       "appeared": s.appeared, "disappeared": s.disappeared, "skew_hours": round(s.skew_s / HOUR, 2)}
                      for s in fs.snapshots],
        "waves": waves,
        "surges": [{"start": _iso(s.start), "follows": s.follows, "decay_hours": round(s.decay_h, 1)} for s in wr.surges],
        "families": [{"wave": wr.waves[f.wave].number, "pattern": f.pattern, "members": f.members,
                      "organic_share": round(f.organic_share, 4), "lift": round(f.lift, 1), "examples": list(f.examples)}
                     for f in sc.families],
        "near_identical_groups": [{"wave": wr.waves[k].number, "members": len(g),
                                   "examples": [fs.handles[i] for i in g[:5]]} for k, g in sc.clusters],
        "order_blocks": [{"first_position": b.first + 1, "last_position": b.last + 1, "pattern": b.pattern,
                          "matching": b.matching, "size": b.size, "overall_share": round(b.overall_share, 4),
                          "examples": list(b.examples)} for b in a.blocks],
        "bands": sc.counts(), "threshold": sc.threshold, "review_threshold": REVIEW_THRESHOLD,
        "duplicates": fs.duplicates, "profiles": prof, "notes": list(fs.notes), "problems": a.problems,
        "outputs": {"csv": str(csv_path) if csv_path else None, "report": str(report_path) if report_path else None,
                    "changes": str(csv_path.with_name("changes.csv")) if csv_path and len(fs.snapshots) > 1 else None},
    }


def _chart(wr: WaveResult) -> str | None:
    from himaya.reports.charts import svg_data_uri, timeline_svg

    if wr.counts.size == 0:
        return None
    step = max(1, int(np.ceil(wr.counts.size / MAX_CHART_BINS)))
    n = wr.counts.size // step * step or wr.counts.size
    counts = wr.counts[:n].reshape(-1, step).mean(axis=1) if step > 1 else wr.counts.astype(float)
    expected = wr.expected[:n].reshape(-1, step).mean(axis=1) if step > 1 else wr.expected
    times = [datetime.fromtimestamp(wr.origin + i * step * HOUR, UTC) for i in range(counts.size)]
    visible = max(step * HOUR, wr.counts.size * HOUR / 250)  # a 10-minute wave must still show on a year
    shaded = [(datetime.fromtimestamp(w.start, UTC), datetime.fromtimestamp(max(w.end, w.start + visible), UTC),
               f"wave {w.number}") for w in wr.waves]
    label = "follows per hour" + (f" (mean of {step} h)" if step > 1 else "")
    return svg_data_uri(timeline_svg(times, counts.tolist(), shaded=shaded, expected=expected.tolist(),
                                     title="Follows per hour, whole history (waves shaded; green: usual rate)", ylabel=label))


def _zoom(fs: FollowerSet, wr: WaveResult, k: int) -> str:
    from himaya.reports.charts import svg_data_uri, timeline_svg

    w = wr.waves[k]
    pad = max(3 * HOUR, w.end - w.start)
    lo, hi = w.start - pad, w.end + pad
    width = max(300.0, (hi - lo) / 150)
    edges = np.arange(lo, hi + width, width)
    t = fs.times[(fs.times >= lo) & (fs.times < hi)]
    counts = np.histogram(t, bins=edges)[0] * (HOUR / width)
    hours = np.clip(((edges[:-1] - wr.origin) // HOUR).astype(int), 0, wr.expected.size - 1)
    times = [datetime.fromtimestamp(x, UTC) for x in edges[:-1]]
    return svg_data_uri(timeline_svg(times, counts.tolist(), expected=wr.expected[hours].tolist(),
                                     shaded=[(datetime.fromtimestamp(w.start, UTC), datetime.fromtimestamp(w.end, UTC),
                                              f"wave {w.number}")],
                                     title=f"Wave {w.number}: follows per hour, {width / 60:.0f}-minute bins",
                                     ylabel="follows per hour", height=2.4))


def write_html(path: Path, a: Analysis, info: dict[str, Any], *, case: str | None) -> Path:
    from himaya.reports.html import write_report

    fs, sc = a.followers, a.scored
    top = [{"handle": fs.handles[i], "score": float(sc.score[i]), "band": BANDS[int(sc.band[i])],
            "wave": info["waves"][int(a.waves.wave_of[i])]["number"] if a.waves.wave_of[i] >= 0 else "",
            "reasons": sc.reasons[i]} for i in ranking(sc)[:REPORT_ROWS].tolist() if sc.band[i] > 0]
    zooms = [{"number": w.number, "uri": _zoom(fs, a.waves, k)} for k, w in enumerate(a.waves.waves[:8])]
    gone = [fs.handles[i] for i in np.flatnonzero(fs.last_snap < len(fs.snapshots) - 1)[:REPORT_ROWS].tolist()]
    return write_report(path, "followers.html", title=f"Follower waves: {fs.target}", case=case, info=info,
                        chart=_chart(a.waves), zooms=zooms, top=top, report_rows=REPORT_ROWS, gone=gone)


def findings(a: Analysis) -> Iterator[Finding]:
    """Waves as `follower_wave`, followers in the remove and review bands as `inauthentic_follower`."""
    fs, wr, sc = a.followers, a.waves, a.scored
    plat = fs.platform
    model = f"{DETECTOR}/{VERSION}"
    for k, w in enumerate(wr.waves):
        members = np.flatnonzero(wr.wave_of == k)
        yield Finding(detector=DETECTOR, kind="follower_wave", subject_type="wave",
                      subject_key=f"{plat}|{fs.target}|wave|{int(w.start)}-{int(w.end)}", platform=plat,
                      score=float(np.clip(w.excess / max(w.follows, 1), 0.0, 1.0)), band=None,
                      reasons=(wave_sentence(w),),
                      evidence={"target": fs.target, "start": _iso(w.start), "end": _iso(w.end), "follows": w.follows,
                                "expected": w.expected, "log10_p": w.log10_p if np.isfinite(w.log10_p) else 999.0,
                                "members_remove": int((sc.band[members] == 2).sum()),
                                "members_review": int((sc.band[members] == 1).sum())},
                      model_version=model)
    for i in np.flatnonzero(sc.band > 0).tolist():
        h = fs.handles[i]
        key = h if h.startswith("id:") else f"h:{h}"
        k = int(wr.wave_of[i])
        yield Finding(detector=DETECTOR, kind="inauthentic_follower", subject_type="account",
                      subject_key=f"{plat}|{key}", platform=plat, score=float(sc.score[i]), band=BANDS[int(sc.band[i])],
                      labels={"inauthentic": float(sc.score[i])}, reasons=sc.reasons[i],
                      evidence={"target": fs.target, "handle": h, "wave": wr.waves[k].number if k >= 0 else None,
                                "followed_at": _iso(float(fs.times[i])) if not np.isnan(fs.times[i]) else None},
                      model_version=model)
