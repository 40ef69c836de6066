"""`himaya media …` and `himaya eval media`: perceptual-hash matching of pictures and videos.

Exit codes: 0 all done; 3 done, but some files or rows could not be read (reported); 1 nothing
usable; 2 bad arguments or unknown case/item.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from himaya.errors import HimayaError

if TYPE_CHECKING:
    from himaya.cli.main import Groups
    from himaya.detectors.media.signals import MediaSignals

EXIT_PARTIAL = 3
media_app = typer.Typer(no_args_is_help=True, help="Perceptual-hash matching: every copy of a known picture or video.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (stable keys).")]


def register(groups: Groups) -> None:
    groups.app.add_typer(media_app, name="media")
    media_app.command("hash")(hash_cmd)
    media_app.command("add-known")(add_known_cmd)
    media_app.command("known")(known_cmd)
    media_app.command("match")(match_cmd)
    media_app.command("export-hashes")(export_cmd)
    media_app.command("import-hashes")(import_cmd)
    media_app.command("show")(show_cmd)
    media_app.command("views")(views_cmd)
    media_app.command("report")(report_cmd)
    groups.eval.command("media")(eval_cmd)


def _read(path: Path) -> bytes:
    from himaya.detectors.media.decode import UnreadableMedia

    try:
        if not path.is_file():
            raise UnreadableMedia(f"{path}: not a regular file")
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableMedia(f"{path}: cannot read ({exc.strerror or exc})") from None


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, even when it existed before with wider permissions."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(data)


def _signals_json(name: str, s: MediaSignals) -> dict[str, Any]:
    return {"file": name, "sha256": s.sha256, "kind": s.kind, "format": s.format, "width": s.width,
            "height": s.height, "pdq": s.pdq_hex, "quality": s.quality,
            "content_pdq": s.content.hex() if s.content else None,
            "frames": [{"pdq": f.pdq.hex(), "quality": f.quality, "ts": round(f.ts, 3)} for f in s.frames],
            "duration_s": round(s.duration_s, 3), "truncated": s.truncated, "error": None}


def _hash_files(paths: list[Path], *, reference: bool) -> tuple[list[tuple[str, MediaSignals]], list[dict[str, str]]]:
    from himaya.detectors.media.decode import MediaError
    from himaya.detectors.media.signals import hash_bytes

    ok, errors = [], []
    for p in paths:
        try:
            ok.append((str(p), hash_bytes(_read(p), str(p), reference=reference)))
        except MediaError as exc:
            errors.append({"file": str(p), "code": exc.code, "error": exc.message})
    return ok, errors


def _exit_for(ok: int, bad: int) -> int:
    return 0 if not bad else (1 if not ok else EXIT_PARTIAL)


def hash_cmd(
    files: Annotated[list[Path], typer.Argument(help="Pictures or videos (JPEG, PNG, WebP, GIF, AVIF, MP4, MOV, WebM).")],
    as_json: JsonOpt = False,
) -> None:
    """sha256, PDQ (+quality) and, for videos and animations, vPDQ frame hashes of files."""
    from himaya.cli.main import emit_json, err
    from himaya.ingest.text import for_display

    ok, errors = _hash_files(files, reference=False)
    if as_json:
        emit_json({"files": [_signals_json(n, s) for n, s in ok],
                   "errors": [{"file": e["file"], "code": e["code"], "error": e["error"]} for e in errors]})
    else:
        t = Table(title=f"{len(ok)} file(s) hashed")
        for col in ("file", "kind", "sha256", "pdq", "quality", "frames"):
            t.add_column(col, overflow="fold")
        for n, s in ok:
            t.add_row(for_display(n), s.kind, s.sha256[:16] + "…", s.pdq_hex or "", str(s.quality), str(len(s.frames)))
        Console().print(t)
        for e in errors:
            err.print(f"error: {for_display(e['error'])}", markup=False)
    raise typer.Exit(_exit_for(len(ok), len(errors)))


def add_known_cmd(
    file: Annotated[Path | None, typer.Argument(help="A picture or video to upload onto the case's known list.")] = None,
    media_key: Annotated[str | None, typer.Option("--media-key", help="Mark a stored media item instead (key from `himaya media match --json` or findings).")] = None,
    case: Annotated[str, typer.Option("--case", help="Case whose known list gets the item.")] = ...,  # type: ignore[assignment]
    category: Annotated[str, typer.Option("--category", help="Policy category: defamation, harassment, non_consensual_intimate, doxing, impersonation, threat, terrorism_violent_extremism, other.")] = "defamation",
    label: Annotated[str | None, typer.Option("--label", help="Analyst's note (stored encrypted, never exported).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who marked it.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a picture or video as abusive: every copy of it will be found."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.media.signals import hash_bytes
    from himaya.detectors.media.store import add_known, stored_blob
    from himaya.store.db import open_store

    if (file is None) == (media_key is None):
        raise fail(_usage("give either FILE or --media-key, not both"))
    try:
        store = open_store(settings())
        if file is not None:
            data = _read(file)
            signals = hash_bytes(data, str(file), reference=True)
            _, blob, _, _ = store.blobs.put_bytes(data)
            source, key = "upload", None
        else:
            assert media_key is not None
            blob = stored_blob(store, media_key)
            signals = hash_bytes(store.blobs.read_bytes(blob), media_key, reference=True)
            source, key = "stored", media_key
        known_id, created = add_known(store, case, signals, source=source, category=category, media_key=key,
                                      blob=blob, label=label, added_by=by)
    except HimayaError as exc:
        raise fail(exc) from None
    out = {"id": known_id, "case": case, "created": created, "source": source, "media_key": key,
           "sha256": signals.sha256, "kind": signals.kind, "pdq": signals.pdq_hex, "quality": signals.quality,
           "category": category, "variants": len(signals.windows)}
    if as_json:
        emit_json(out)
    else:
        typer.echo(f"known item #{known_id} on case {case!r}: {signals.kind}, PDQ {signals.pdq_hex} "
                   f"(quality {signals.quality}){'' if created else ' (already on the list)'}")


def _usage(message: str) -> HimayaError:
    e = HimayaError(message)
    e.exit_code = 2
    return e


def known_cmd(
    case: Annotated[str | None, typer.Option("--case", help="Only this case's list.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The known-media lists."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.media.store import load_known
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    try:
        items = load_known(open_store(settings()), case)
    except HimayaError as exc:
        raise fail(exc) from None
    rows = [{"id": k.id, "case": k.case, "source": k.source, "media_key": k.media_key, "sha256": k.sha256,
             "kind": k.signals.kind, "pdq": k.signals.pdq_hex, "quality": k.signals.quality, "category": k.category,
             "partner": k.partner, "added_by": k.added_by, "added_at": k.added_at.isoformat()} for k in items]
    if as_json:
        emit_json(rows)
        return
    t = Table(title=f"{len(rows)} known item(s)")
    for col in ("id", "case", "source", "kind", "category", "pdq"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), for_display(str(r["case"])), str(r["source"]), str(r["kind"]), str(r["category"]),
                  str(r["pdq"] or ""))
    Console().print(t)


def match_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="With --against: the files to look for.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Only this case's known list (default: every case's).")] = None,
    against: Annotated[Path | None, typer.Option("--against", help="A folder of known pictures/videos: match FILE... against it, without a store.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Match stored media (hashing new files first) against the known lists and store `media_match` findings.

    With --against DIR, no store is used: FILE... are matched against the pictures and videos in DIR.
    """
    from himaya.cli.main import fail

    if against is not None:
        _match_against(against, files or [], as_json)
        return
    if files:
        raise fail(_usage("FILE arguments need --against DIR (stored media are matched otherwise)"))
    _match_store(case, as_json)


def _match_against(folder: Path, files: list[Path], as_json: bool) -> None:
    from himaya.cli.main import emit_json, err, fail
    from himaya.detectors.media.matcher import Known, KnownMatcher
    from himaya.ingest.text import for_display

    if not folder.is_dir():
        raise fail(_usage(f"{folder}: --against needs a folder"))
    if not files:
        raise fail(_usage("name the files to match against the folder"))
    known_paths = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    known, known_errors = _hash_files(known_paths, reference=True)
    queries, errors = _hash_files(files, reference=False)
    matcher = KnownMatcher([Known(i, s) for i, (_, s) in enumerate(known)])
    matches = [{"query": name, "match": known[m.known_id][0], "distance": m.distance, "kind": m.matcher,
                "score": m.score, "query_pct": m.query_pct, "compared_pct": m.compared_pct}
               for name, s in queries for m in matcher.match(s)]
    if as_json:
        emit_json({"matches": matches, "errors": errors + known_errors, "known": len(known)})
    else:
        t = Table(title=f"{len(matches)} match(es) against {len(known)} known file(s)")
        for col in ("query", "match", "kind", "distance"):
            t.add_column(col, overflow="fold")
        for m in matches:
            t.add_row(for_display(str(m["query"])), for_display(str(m["match"])), str(m["kind"]), str(m["distance"]))
        Console().print(t)
        for e in errors + known_errors:
            err.print(f"error: {for_display(e['error'])}", markup=False)
    raise typer.Exit(_exit_for(len(queries), len(errors)))


def _match_store(case: str | None, as_json: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from himaya.cli.main import emit_json, err, fail, settings
    from himaya.detectors.media.scan import match_and_save
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    try:
        store = open_store(settings())
        with Progress(TextColumn("hashing media"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("hash", total=None)
            report, matches, written = match_and_save(
                store, case, progress=lambda i, n: bar.update(task, completed=i, total=n))
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"hashed": report.hashed, "reused": report.reused, "failed": report.failed,
                   "matches": [m.as_json() for m in matches], "findings": written})
    else:
        typer.echo(f"hashed {report.hashed} new file(s), {report.reused} already hashed, {len(report.failed)} unreadable")
        t = Table(title=f"{len(matches)} copy/copies of known media")
        for col in ("case", "known", "media", "kind", "distance", "where"):
            t.add_column(col, overflow="fold")
        for m in matches:
            platforms: dict[str, int] = {}
            for p in m.posts:
                platforms[str(p["platform"])] = platforms.get(str(p["platform"]), 0) + 1
            where = ", ".join(f"{pl} ({n} post{'s' if n > 1 else ''})" for pl, n in sorted(platforms.items()))
            short = m.media_key if len(m.media_key) <= 24 else m.media_key[:23] + "…"
            t.add_row(for_display(m.case), f"#{m.known.id}", for_display(short), m.match.matcher,
                      str(m.match.distance), for_display(where))
        Console().print(t)
        for f in report.failed:
            err.print(f"warning: {for_display(f['error'])}", markup=False)
        typer.echo("findings written: " + ", ".join(f"{for_display(c)} {n}" for c, n in written.items()))
    raise typer.Exit(EXIT_PARTIAL if report.failed else 0)


def export_cmd(
    case: Annotated[str, typer.Option("--case", help="Case whose known list is exported.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, json (HMA bank-add bodies) or txt (`pdq <hex>` lines).")] = "csv",
    category: Annotated[str | None, typer.Option("--category", help="Policy category for every row (default: each item's own).")] = None,
    bank: Annotated[str, typer.Option("--bank", help="Bank name for the JSON list (CAPS_AND_UNDERSCORE).")] = "HIMAYA_SHARED",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Export a case's hashes as a PDQ/vPDQ hash list that ThreatExchange and HMA banks import."""
    from himaya.cli.main import fail, settings
    from himaya.detectors.media.exchange import export_list
    from himaya.detectors.media.store import CATEGORIES, load_known
    from himaya.store.db import open_store

    if category is not None and category not in CATEGORIES:
        raise fail(_usage(f"--category must be one of {', '.join(CATEGORIES)}"))
    try:
        items = load_known(open_store(settings()), case)
        if not items:
            raise _usage(f"case {case!r} has no known media to export")
        text = export_list(items, fmt, bank=bank, category=category)
    except ValueError as exc:
        raise fail(_usage(str(exc))) from None
    except HimayaError as exc:
        raise fail(exc) from None
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        _write_private(out, text.encode("utf-8"))
    except OSError as exc:
        raise fail(_usage(f"{out}: cannot write ({exc.strerror or exc})")) from None


def import_cmd(
    file: Annotated[Path, typer.Argument(help="A partner's hash list (csv, json or txt, detected from content).")],
    case: Annotated[str, typer.Option("--case", help="Case whose known list receives the hashes.")],
    partner: Annotated[str | None, typer.Option("--partner", help="Who shared the list (kept with each hash).")] = None,
    category: Annotated[str, typer.Option("--category", help="Category for rows that carry none.")] = "defamation",
    by: Annotated[str | None, typer.Option("--by", help="Who imported it.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a partner's PDQ/vPDQ hash list onto a case's known list (bad rows reported, good ones kept)."""
    from himaya.cli.main import emit_json, err, fail, settings
    from himaya.detectors.media.exchange import parse_list
    from himaya.detectors.media.store import CATEGORIES, add_known_many
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    if category not in CATEGORIES:
        raise fail(_usage(f"--category must be one of {', '.join(CATEGORIES)}"))
    try:
        raw = file.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise fail(_usage(f"{file}: cannot read ({exc.strerror or exc})")) from None
    except UnicodeDecodeError:
        raise fail(_usage(f"{file}: not UTF-8 text")) from None
    items, problems = parse_list(text, default_category=category)
    if not items:
        for p in problems[:50]:
            err.print(f"{for_display(str(file))}, {for_display(str(p))}", markup=False)
        raise fail(HimayaError(f"{file}: no usable hash in the list ({len(problems)} bad row(s))"))
    try:
        added, present = add_known_many(open_store(settings()), case, [(i.signals, i.category, None) for i in items],
                                        source="partner", partner=partner, added_by=by)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"added": added, "already_known": present, "problems": [
            {"position": p.position, "error": p.message} for p in problems]})
    else:
        typer.echo(f"{added} hash(es) added to case {case!r}, {present} already there, {len(problems)} bad row(s)")
        for p in problems[:50]:
            err.print(f"{for_display(str(file))}, {for_display(str(p))}", markup=False)
    raise typer.Exit(EXIT_PARTIAL if problems else 0)


def show_cmd(
    subject: Annotated[str, typer.Argument(help="A stored media key (sha256:…) or known:<id>.")],
    out: Annotated[Path, typer.Option("--out", help="File to write the (blurred, or with --original, original) picture to.")],
    by: Annotated[str, typer.Option("--by", help="Who is looking (written to the audit log).")],
    original: Annotated[bool, typer.Option("--original", help="The original file, unblurred. Logged.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the original is needed (logged, encrypted).")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case the view is for (logged).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a blurred thumbnail of a media item, or with --original the original; every view is audit-logged."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.media.protect import blurred_thumbnail
    from himaya.detectors.media.store import KnownMediaError, known_item, log_view, stored_blob
    from himaya.store.db import open_store

    try:
        store = open_store(settings())
        if subject.startswith("known:"):
            try:
                item = known_item(store, int(subject.split(":", 1)[1]))
            except ValueError:
                raise _usage(f"{subject!r}: known items are named known:<number>") from None
            blob = item.blob or (stored_blob(store, item.media_key) if item.media_key else None)
            if blob is None:
                raise KnownMediaError(f"{subject} came from a partner's hash list: there is no picture to show")
        else:
            blob = stored_blob(store, subject)
        data = store.blobs.read_bytes(blob)
        payload = data if original else blurred_thumbnail(data, subject)
        audit_id = log_view(store, subject=subject, view="original" if original else "blurred", viewer=by,
                            case=case, reason=reason)
        _write_private(out, payload)
    except OSError as exc:
        raise fail(_usage(f"{out}: cannot write ({exc.strerror or exc})")) from None
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"subject": subject, "view": "original" if original else "blurred", "out": str(out),
                   "bytes": len(payload), "audit_id": audit_id})
    else:
        typer.echo(f"{'original' if original else 'blurred thumbnail'} written to {out} (audit #{audit_id})")


def views_cmd(
    subject: Annotated[str | None, typer.Option("--subject", help="Only views of this item.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The media view audit log: who opened which picture, blurred or original, and when."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.media.store import list_views
    from himaya.ingest.text import for_display
    from himaya.store.db import open_store

    try:
        rows = list_views(open_store(settings()), subject)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(rows)
        return
    t = Table(title=f"{len(rows)} view(s)")
    for col in ("id", "when", "viewer", "view", "subject", "reason"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), r["viewed_at"], for_display(r["viewer"]), r["view"], for_display(r["subject"]),
                  for_display(r["reason"] or ""))
    Console().print(t)


def report_cmd(
    case: Annotated[str, typer.Option("--case", help="Case to report on.")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    by: Annotated[str, typer.Option("--by", help="Who the report is for (logged).")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """HTML report of a case's known media and the copies found, thumbnails blurred."""
    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.media.report import write_media_report
    from himaya.store.db import open_store

    try:
        path = write_media_report(open_store(settings()), case, out, by)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json({"report": str(path)})
    else:
        typer.echo(f"report written to {path}")


def eval_cmd(
    originals: Annotated[int, typer.Option("--originals", min=2, help="Pictures on the known list.")] = 200,
    background: Annotated[int, typer.Option("--background", min=1, help="Unrelated pictures (false-match check).")] = 10_000,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Processes (default: CPUs, at most 4).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recall under the transform suite and false-match rate against unrelated pictures (procedural)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from himaya.cli.main import emit_json
    from himaya.detectors.media.evaluate import STAGES, run_eval
    from himaya.detectors.media.transforms import TRANSFORMS

    total = originals * (1 + len(TRANSFORMS)) + background
    with Progress(TextColumn("eval media"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("eval", total=total)
        res = run_eval(originals, background, workers=workers, tick=lambda: bar.advance(task))
    if as_json:
        emit_json(res)
        return
    t = Table(title=f"media eval: {originals} originals × {len(TRANSFORMS)} transforms, {background:,} unrelated")
    t.add_column("transform")
    for s in STAGES:
        t.add_column(f"recall {s}", justify="right")
    for name, row in res["transforms"].items():
        t.add_row(name, *(f"{row[s]:.3f}" for s in STAGES))
    t.add_row("all", *(f"{res['recall_by_stage'][s]:.3f}" for s in STAGES))
    Console().print(t)
    typer.echo(f"false-match rate: {res['false_match_rate_images']:.2e} per picture, "
               f"{res['false_match_rate_pairs']:.2e} per pair; nearest unrelated pair "
               f"{res['nearest_background_distance']} bits; {res['seconds']} s")
