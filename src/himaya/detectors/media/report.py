"""The media-match report of a case: known items and every copy found, thumbnails blurred.

Only blurred thumbnails go into the HTML (as `data:` URIs); an original is never embedded. Writing
the report is itself logged in the media view audit log (view `report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from himaya.detectors.media import DETECTOR
from himaya.detectors.media.decode import MediaError
from himaya.detectors.media.protect import blurred_thumbnail, placeholder
from himaya.detectors.media.store import KnownMediaError, load_known, log_view, stored_blob
from himaya.errors import StoreError
from himaya.findings import load_findings
from himaya.reports.html import data_uri, write_report
from himaya.store.db import Store
from himaya.store.read import iter_accounts


def _thumb(store: Store, blob: str | None, name: str) -> str:
    if not blob:
        return data_uri(placeholder(), "image/jpeg")
    try:
        return data_uri(blurred_thumbnail(store.blobs.read_bytes(blob), name), "image/jpeg")
    except (MediaError, StoreError):
        return data_uri(placeholder(), "image/jpeg")


def _media_thumb(store: Store, media_key: str) -> str:
    try:
        return _thumb(store, stored_blob(store, media_key), media_key)
    except KnownMediaError:
        return data_uri(placeholder(), "image/jpeg")


def build_context(store: Store, case: str) -> dict[str, Any]:
    known = load_known(store, case)
    known_rows = []
    for k in known:
        blob = k.blob
        if blob is None and k.media_key:
            try:
                blob = stored_blob(store, k.media_key)
            except KnownMediaError:
                blob = None
        known_rows.append({"id": k.id, "category": k.category, "source": k.source, "kind": k.signals.kind,
                           "pdq": k.signals.pdq_hex or "", "quality": k.signals.quality, "label": k.label or "",
                           "partner": k.partner or "", "thumb": _thumb(store, blob, f"known:{k.id}")})
    matches = []
    for f in load_findings(store, case, detector=DETECTOR, kind="media_match"):
        ev = f.finding.evidence
        matches.append({"id": f.id, "media_key": f.finding.subject_key, "score": f.finding.score,
                        "band": f.finding.band or "", "status": f.status,
                        "known": ev.get("known", []), "posts": ev.get("posts", []),
                        "thumb": _media_thumb(store, f.finding.subject_key)})
    names = _account_names(store, {str(p["account"]) for m in matches for p in m["posts"] if p.get("account")})
    for m in matches:
        m["posts"] = [{**p, "account_name": names.get(str(p.get("account")), "")} for p in m["posts"]]
    platforms = sorted({str(p.get("platform")) for m in matches for p in m["posts"]})
    return {"known": known_rows, "matches": matches, "platforms": platforms,
            "copies": len(matches), "posts": sum(len(m["posts"]) for m in matches)}


def _account_names(store: Store, subjects: set[str]) -> dict[str, str]:
    """`platform|account_key` → handle or display name, for people reading the report."""
    keys = {s.split("|", 1)[1] for s in subjects if "|" in s}
    out = {}
    for a in iter_accounts(store, keys=keys):
        if a.key in subjects:
            out[a.key] = f"@{a.handle}" if a.handle else (a.display_name or "")
    return out


def write_media_report(store: Store, case: str, out: Path, viewer: str) -> Path:
    ctx = build_context(store, case)
    path = write_report(out, "media.html", title="Copies of known abusive media", case=case, **ctx)
    log_view(store, subject=f"report:{case}", view="report", viewer=viewer, case=case)
    return path
