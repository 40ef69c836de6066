"""Demo step: mark the defamatory picture as known, find every copy on three platforms, report blurred."""

from __future__ import annotations

import hashlib
from typing import Any

from himaya.demos import DemoContext

TITLE = "Every copy of a defamatory picture (PDQ, crop variants, vPDQ): find, report blurred, export hashes"
EXPECTED_PLATFORMS = {"telegram", "facebook", "whatsapp"}


def run(ctx: DemoContext) -> int:
    from himaya.synth import build_scenario
    from himaya.synth.media import COPIES, copies, video

    failures = 0
    key = "sha256:" + hashlib.sha256(copies()["original"]).hexdigest()
    ctx.console.print("An analyst marks the channel's picture (stored in the Telegram export) as defamatory:")
    failures += ctx.himaya("media", "add-known", "--media-key", key, "--case", ctx.case, "--category", "defamation",
                           "--label", "staged 'embassy' picture (synthetic)", "--by", "demo-analyst") != 0
    video_key = "sha256:" + hashlib.sha256(video()).hexdigest()
    ctx.console.print("…and the channel's video made from it:")
    failures += ctx.himaya("media", "add-known", "--media-key", video_key, "--case", ctx.case, "--category",
                           "defamation", "--by", "demo-analyst") != 0
    upload = ctx.out / "known-upload" / "forged-photo-a.jpg"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(build_scenario(7).photo_a)
    ctx.console.print("…and uploads the forged Photo A a defender sent in:")
    failures += ctx.himaya("media", "add-known", str(upload), "--case", ctx.case, "--by", "demo-analyst") != 0
    failures += ctx.himaya("media", "match", "--case", ctx.case) not in (0, 3)
    reports = ctx.out / "reports"
    report = reports / "media.html"
    failures += ctx.himaya("media", "report", "--case", ctx.case, "--out", str(report), "--by", "demo-analyst") != 0
    failures += ctx.himaya("media", "export-hashes", "--case", ctx.case, "--format", "csv",
                           "--out", str(reports / "media-hashes.csv")) != 0
    failures += _check(ctx, key, len(COPIES), video_key)
    ctx.console.print(f"  report with blurred thumbnails: {report}")
    ctx.console.print(f"  hash list for platforms (ThreatExchange/HMA CSV): {reports / 'media-hashes.csv'}")
    return failures


def _check(ctx: DemoContext, key: str, n_copies: int, video_key: str) -> int:
    """Every copy was found, on all three platforms, and the video's re-encode by vPDQ (read back from the store)."""
    from pathlib import Path

    from himaya.config import Settings
    from himaya.findings import load_findings
    from himaya.store.db import open_store

    store = open_store(Settings(home=Path(ctx.env["HIMAYA_HOME"])))
    try:
        found = load_findings(store, ctx.case, detector="media", kind="media_match")
    finally:
        store.close()

    def of(known_id: int) -> list[Any]:
        return [f for f in found if any(k["id"] == known_id for k in f.finding.evidence.get("known", []))]

    picture, clip = of(1), of(2)
    platforms = {str(p["platform"]) for f in picture for p in f.finding.evidence.get("posts", [])}
    by_vpdq = [f for f in clip if f.finding.subject_key != video_key
               and any(k["kind"] == "vpdq" for k in f.finding.evidence["known"])]
    ctx.console.print(f"  copies of the defamatory picture found: {len(picture)} of {n_copies} on "
                      f"{', '.join(sorted(platforms))}; of the video: {len(clip)} ({len(by_vpdq)} re-encoded, by "
                      f"vPDQ); of Photo A: {len(found) - len(picture) - len(clip)}")
    ok = (len(picture) >= n_copies and EXPECTED_PLATFORMS <= platforms
          and any(f.finding.subject_key == key for f in picture) and len(by_vpdq) >= 1)
    if not ok:
        ctx.console.print("[bold red]  expected every copy on telegram, facebook and whatsapp, and the video's copy[/]")
    return 0 if ok else 1
