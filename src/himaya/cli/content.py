"""`himaya classify`, `himaya detect content`, `himaya eval content`, `himaya model train --org`.

Exit codes: 0 done; 1 bad input lines were reported (the good ones were still classified); 2 the input
or a model/lexicon cannot be used (named in the error).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from himaya.errors import HimayaError

if TYPE_CHECKING:
    from himaya.cli.main import Groups
    from himaya.detectors.content.detector import ContentDetector, ContentResult

EXIT_BAD_LINES = 1
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
LexiconDirs = Annotated[list[Path] | None, typer.Option("--lexicon-dir", help="Extra lexicon folder (<language>/<label>.toml, allow.toml); repeatable.")]
TransformerDir = Annotated[Path | None, typer.Option("--transformer", help="Local Hugging Face model folder to add as the transformer layer.")]
ShippedOnly = Annotated[bool, typer.Option("--shipped-model", help="Use the shipped model even if this organisation has trained its own.")]


class InputError(HimayaError):
    exit_code = 2


def register(groups: Groups) -> None:
    groups.app.command("classify")(classify)
    groups.detect.command("content")(detect_content)
    groups.eval.command("content")(eval_content)
    groups.model.command("train")(train_org_model)


def _detector(lexicon_dirs: list[Path] | None, transformer: Path | None, shipped_only: bool) -> ContentDetector:
    from himaya.cli.main import settings
    from himaya.detectors.content.detector import load_detector
    from himaya.detectors.content.feedback import ORG_MODEL_NAME, org_model_dir

    s = settings()
    org_dir = org_model_dir(s.home, s.org)
    use_org = not shipped_only and (org_dir / f"{ORG_MODEL_NAME}.npz").is_file()
    return load_detector(lexicon_dirs or (), org_dir if use_org else None, ORG_MODEL_NAME if use_org else None, transformer)


def read_messages(path: str) -> tuple[list[str], list[str], list[str]]:
    """(ids, texts, problems) from a file or stdin: one message per line, or JSONL with `text` (and `id`)."""
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    name = "stdin" if path == "-" else path
    text = raw.decode("utf-8", errors="surrogateescape")
    lines = text.splitlines()
    jsonl = any(line.lstrip().startswith("{") for line in lines[:5])
    ids, texts, problems = [], [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if _UNDECODABLE.search(line):
            problems.append(f"{name}:{number}: not valid UTF-8")
            continue
        if not jsonl:
            ids.append(str(number))
            texts.append(line)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{name}:{number}: not JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            problems.append(f"{name}:{number}: a JSON object with a string 'text' field is needed")
            continue
        ids.append(str(obj.get("id", number)))
        texts.append(obj["text"])
    return ids, texts, problems


def styled(text: str, spans: list[tuple[int, int, str]], limit: int = 400) -> Text:
    """The message with its spans highlighted, every piece escaped for the terminal (bidi controls,
    escapes) without shifting the highlights."""
    from himaya.ingest.text import for_display

    shown = text[:limit]
    styles: list[str] = [""] * len(shown)
    for start, end, source in spans:
        for i in range(max(0, start), min(end, len(shown))):
            styles[i] = styles[i] or ("bold red underline" if source == "lexicon" else "bold magenta underline")
    out = Text()
    i = 0
    while i < len(shown):
        j = i
        while j < len(shown) and styles[j] == styles[i]:
            j += 1
        out.append(for_display(shown[i:j]), style=styles[i] or None)
        i = j
    if len(text) > limit:
        out.append(f" … ({len(text):,} characters)")
    return out


def render_result(console: Console, text: str, result: ContentResult) -> None:
    lang = result.language.language
    head = f"[{result.id}] {lang}" + (f" ({result.note})" if result.note else "")
    console.print(head, style="bold", markup=False, highlight=False)
    console.print(styled(text, [(sp.start, sp.end, sp.source) for sp in result.spans]))
    if result.flagged:
        console.print("  flagged: " + ", ".join(f"{lab} {result.labels[lab]:.2f}" for lab in result.flagged),
                      style="red", markup=False, highlight=False)
        for reason in result.reasons[:6]:
            console.print(f"    · {reason}", markup=False, highlight=False)
    elif result.language.supported:
        top = sorted(result.labels.items(), key=lambda kv: -kv[1])[:2]
        console.print("  nothing flagged (highest: " + ", ".join(f"{k} {v:.2f}" for k, v in top) + ")",
                      markup=False, highlight=False, style="green")


def classify(
    messages: Annotated[list[str] | None, typer.Argument(help="Messages to classify.")] = None,
    file: Annotated[str | None, typer.Option("--file", help="One message per line, or JSONL with 'text' (and 'id'); '-' reads stdin.")] = None,
    lexicon_dir: LexiconDirs = None,
    transformer: TransformerDir = None,
    shipped_model: ShippedOnly = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per message, in input order: id, language, labels, flagged, spans.")] = False,
) -> None:
    """Label messages (threats, sexual harassment, misogyny, doxing, incitement...) with scores and spans."""
    from himaya.cli.main import err, fail

    if bool(messages) == bool(file):
        err.print("error: give messages as arguments or --file PATH (or --file - for stdin), not both or neither")
        raise typer.Exit(2)
    problems: list[str] = []
    try:
        if file is not None:
            ids, texts, problems = read_messages(file)
        else:
            texts = list(messages or [])
            ids = [str(i) for i in range(1, len(texts) + 1)]
        detector = _detector(lexicon_dir, transformer, shipped_model)
        results = detector.classify(texts, ids)
    except HimayaError as exc:
        raise fail(exc) from None
    console = Console(highlight=False)
    for text, result in zip(texts, results, strict=True):
        if as_json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        else:
            render_result(console, text, result)
    for problem in problems:
        err.print(f"error: {problem}", markup=False)
    if problems:
        raise typer.Exit(EXIT_BAD_LINES)


def detect_content(
    case: Annotated[str | None, typer.Option("--case", help="Classify this case's posts and store the findings in it (without it: the whole store, nothing stored).")] = None,
    lexicon_dir: LexiconDirs = None,
    transformer: TransformerDir = None,
    shipped_model: ShippedOnly = False,
    show: Annotated[int, typer.Option("--show", min=0, help="Also print the N highest-scoring flagged posts (one per distinct text) with their spans highlighted.")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes to classify with (each loads the detector, about 1 s; not with --transformer).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary (stable keys, see docs/detectors/content.md).")] = False,
) -> None:
    """Classify every stored post and write one finding per harmful post (labels, scores, spans)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from himaya.cli.main import emit_json, fail, settings
    from himaya.detectors.content.store import count_posts, detect, save
    from himaya.store.db import open_store

    try:
        store = open_store(settings())
        detector = _detector(lexicon_dir, transformer, shipped_model)
        total = count_posts(store, case)
        with Progress(TextColumn("classifying posts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("posts", total=total)
            run = detect(store, case, detector, advance=lambda n: bar.advance(task, n), workers=workers)
        saved = save(store, case, detector, run) if case is not None else None
    except HimayaError as exc:
        raise fail(exc) from None
    data = {**run.summary(), "case": case, "model_version": detector.version,
            "run_id": saved.run_id if saved else None, "findings_written": saved.written if saved else 0,
            "findings_removed": saved.removed if saved else 0}
    if as_json:
        emit_json(data)
        return
    c = Console(highlight=False)
    c.print(f"{run.posts:,} posts classified, {run.flagged:,} flagged ({detector.version})", markup=False)
    for label, n in sorted(run.per_label.items(), key=lambda kv: -kv[1]):
        c.print(f"  {label:24} {n:,}", markup=False)
    if run.unsupported:
        c.print(f"  {run.unsupported:,} posts in an unsupported language (not classified; doxing still checked)", markup=False)
    if show:
        distinct: dict[str, Any] = {}
        for f in sorted(run.findings, key=lambda f: -f.score):  # one example of each text: campaigns repeat it
            distinct.setdefault(str(f.evidence.get("text", "")), f)
        _show_findings(c, list(distinct.values())[:show])
    if saved:
        c.print(f"case {case}: {saved.written:,} findings stored (run {saved.run_id}); `himaya findings list --detector content`",
                markup=False)
    else:
        c.print("no --case: nothing stored", markup=False)


def _show_findings(console: Console, findings: list[Any]) -> None:
    from himaya.ingest.text import for_display

    for f in findings:
        text = str(f.evidence.get("text", ""))
        shown = styled(text, [(sp["start"], sp["end"], sp["source"]) for sp in f.evidence.get("spans", [])])
        console.print(f"[{f.band}] {for_display(f.subject_key)} ({f.evidence.get('language')}): "
                      + ", ".join(f"{k} {v:.2f}" for k, v in f.labels.items()), style="bold", markup=False, highlight=False)
        console.print(shown)


def eval_content(
    data: Annotated[Path | None, typer.Option("--data", help="The shared datasets folder (default: ../shared/data).")] = None,
    cross_dataset: Annotated[bool, typer.Option("--cross-dataset", help="Also train without one dialect's dataset and test on it (a few minutes).")] = False,
    org_model: Annotated[bool, typer.Option("--org-model", help="Evaluate this organisation's model instead of the shipped one (still on the public test splits only).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable results (stable keys, see docs/detectors/content.md).")] = False,
) -> None:
    """Precision, recall, F1 and ROC-AUC per language and label on the public test splits; curated sentences."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from himaya.cli.main import emit_json, err, fail
    from himaya.detectors.content.datasets import default_data_root
    from himaya.detectors.content.evaluation import cross_dataset as run_cross
    from himaya.detectors.content.evaluation import curated, evaluate

    root = data or default_data_root()
    try:
        detector = _detector(None, None, not org_model)
        result: dict[str, Any] = {"curated": curated(detector)}
        if (root / "SOURCES.md").is_file():
            with Progress(TextColumn("test splits"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True),
                          transient=True) as bar:
                task = bar.add_task("test", total=None)
                result["test"] = evaluate(detector, root, progress=lambda n: bar.advance(task, n))
            if cross_dataset:
                result["cross_dataset"] = run_cross(root, log=lambda m: err.print(m, markup=False))
        else:
            result["test"] = None
            err.print(f"note: {root}: shared datasets not found; only the curated sentences were checked", markup=False)
    except HimayaError as exc:
        raise fail(exc) from None
    if as_json:
        emit_json(result)
        return
    _print_eval(result)


def _print_eval(result: dict[str, Any]) -> None:
    from rich.table import Table

    c = Console(highlight=False)
    if result.get("test"):
        for section in ("per_language", "per_dataset"):
            table = Table(title=f"{section.replace('_', ' ')} (test splits, {result['test']['model_version']})")
            for col in ("group", "label", "n", "pos", "precision", "recall", "F1", "ROC-AUC"):
                table.add_column(col)
            for group, labels in result["test"][section].items():
                for label, m in labels.items():
                    table.add_row(group, label, str(m["n"]), str(m["positives"]), f"{m['precision']:.3f}",
                                  f"{m['recall']:.3f}", f"{m['f1']:.3f}", "-" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}")
            c.print(table)
    for name, r in (result.get("cross_dataset") or {}).items():
        m = r["insult"]
        c.print(f"cross-dataset {name} ({r['setting']}): P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
                f"AUC {m['roc_auc']}", markup=False)
    cur = result["curated"]
    c.print(f"curated sentences: {cur['passed']}/{cur['cases']} pass", markup=False)
    for f in cur["failures"]:
        c.print(f"  ✗ {f['text']!r}: expected {f['expected']} not {f['not']}, flagged {f['flagged']}", markup=False)


def train_org_model(
    org: Annotated[str, typer.Option("--org", help="Organisation whose confirmed and rejected content findings to learn from.")],
    data: Annotated[Path | None, typer.Option("--data", help="Shared datasets folder: retrain from it plus the decisions (default: fine-tune the shipped model).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Build this organisation's content model from the shipped model (or data) plus analysts' decisions."""
    from himaya.cli.main import emit_json, err, fail, settings
    from himaya.detectors.content.feedback import (
        ORG_MODEL_NAME,
        as_examples,
        confirmed_labels,
        fine_tune,
        org_model_dir,
    )
    from himaya.detectors.content.model import load_model
    from himaya.store.db import open_store

    try:
        s = settings().model_copy(update={"org": org})
        store = open_store(s)
        decisions = confirmed_labels(store)
        if not decisions:
            raise InputError(f"organisation {org!r} has no confirmed or rejected content findings yet "
                             "(`himaya findings review ID --decision confirmed --by NAME`)")
        examples = as_examples(decisions)
        if data is not None:
            from himaya.detectors.content.datasets import load_examples
            from himaya.detectors.content.lexicon import load_lexicon
            from himaya.detectors.content.training import prepare, train

            public = [e for e in load_examples(data) if e.split != "test"]
            model = train(prepare(public + examples, load_lexicon()),
                          meta={"org_examples": len(examples), "method": "retrain"},
                          log=lambda m: err.print(m, markup=False))
        else:
            model = fine_tune(load_model(), examples)
        out = org_model_dir(s.home, org)
        version = model.save(out, ORG_MODEL_NAME)
    except HimayaError as exc:
        raise fail(exc) from None
    positives = sum(v for e in examples for v in e.labels.values())
    summary = {"org": org, "model_version": version, "path": str(out), "decisions": len(examples),
               "positive_labels": positives, "negative_labels": sum(len(e.labels) for e in examples) - positives,
               "method": model.meta.get("method")}
    if as_json:
        emit_json(summary)
    else:
        typer.echo(f"organisation model {version} for {org}: {len(examples)} analyst decisions "
                   f"({summary['method']}), saved in {out}. Used by classify/detect content unless --shipped-model.")
