"""Running the content detector over stored posts and writing its findings into a case."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from himaya.detectors.content.detector import ContentDetector, ContentResult, DetectorSpec, load_detector
from himaya.detectors.content.taxonomy import THREAT_LABELS
from himaya.findings import Finding, SavedRun, save_findings
from himaya.store import read
from himaya.store.db import Store
from himaya.store.read import StoredPost, iter_posts, scope_for

KIND = "harmful_content"
BATCH = 2000
EVIDENCE_TEXT_CHARS = 4000  # enough to show the spans; a 100,000-character message is not copied whole


@dataclass
class ContentRun:
    posts: int = 0
    flagged: int = 0
    per_label: Counter[str] = field(default_factory=Counter)
    per_language: Counter[str] = field(default_factory=Counter)
    unsupported: int = 0
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"posts": self.posts, "flagged": self.flagged, "per_label": dict(sorted(self.per_label.items())),
                "per_language": dict(sorted(self.per_language.items())), "unsupported_language": self.unsupported}


def _band(result: ContentResult) -> str:
    """'urgent' when a threat or doxing is flagged (someone may be in danger), else 'review'."""
    return "urgent" if set(result.flagged) & (THREAT_LABELS | {"doxing", "incitement"}) else "review"


def finding_for(post: StoredPost, result: ContentResult) -> Finding:
    text = post.text[:EVIDENCE_TEXT_CHARS]
    spans = [s.to_json() for s in result.spans if s.end <= EVIDENCE_TEXT_CHARS]
    return Finding(
        detector="content", kind=KIND, subject_type="post", subject_key=post.key, platform=post.platform,
        score=round(result.score, 4), band=_band(result),
        labels={k: round(v, 4) for k, v in result.labels.items() if k in result.flagged},
        reasons=tuple(result.reasons[:12]),
        evidence={"text": text, "truncated": len(post.text) > EVIDENCE_TEXT_CHARS, "language": result.language.language,
                  "spans": spans, "all_labels": {k: round(v, 4) for k, v in result.labels.items()},
                  "author": post.author, "author_handle": post.author_handle, "url": post.url,
                  "created_at": post.created_at.isoformat() if post.created_at else None},
        model_version=result.model_version)


def _batches(posts: Iterator[StoredPost]) -> Iterator[list[StoredPost]]:
    batch: list[StoredPost] = []
    for post in posts:
        if post.text.strip():
            batch.append(post)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_worker_detector: list[ContentDetector] = []


def _init_worker(spec: DetectorSpec) -> None:
    _worker_detector.append(load_detector(spec.lexicon_dirs, spec.model_dir, spec.model_name))


def _classify_in_worker(texts: list[str], ids: list[str]) -> list[ContentResult]:
    return _worker_detector[0].classify(texts, ids)


def _classified(batches: Iterator[list[StoredPost]], detector: ContentDetector,
                workers: int) -> Iterator[tuple[list[StoredPost], list[ContentResult]]]:
    """Batches with their results, classified here or by `workers` processes (results in input order)."""
    if workers <= 1 or detector.spec is None or detector.transformer is not None:
        for batch in batches:
            yield batch, detector.classify([p.text for p in batch], [p.key for p in batch])
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # no fork of a process holding a database connection
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(detector.spec,)) as pool:
        pending: list[tuple[list[StoredPost], Future[list[ContentResult]]]] = []
        for batch in batches:
            pending.append((batch, pool.submit(_classify_in_worker, [p.text for p in batch], [p.key for p in batch])))
            if len(pending) > 2 * workers:  # bounded: a million posts are never all in memory
                done = pending.pop(0)
                yield done[0], done[1].result()
        for batch, future in pending:
            yield batch, future.result()


def detect(store: Store, case: str | None, detector: ContentDetector,
           advance: Callable[[int], None] | None = None, workers: int = 1) -> ContentRun:
    run = ContentRun()
    for batch, results in _classified(_batches(iter_posts(store, scope_for(store, case))), detector, workers):
        for post, result in zip(batch, results, strict=True):
            run.posts += 1
            run.per_language[result.language.language] += 1
            run.unsupported += result.language.language == "unsupported"
            if result.flagged:
                run.flagged += 1
                run.per_label.update(result.flagged)
                run.findings.append(finding_for(post, result))
        if advance is not None:
            advance(len(batch))
    return run


def save(store: Store, case: str, detector: ContentDetector, run: ContentRun) -> SavedRun:
    return save_findings(store, case, "content", detector.version, run.findings,
                         params={"lexicon": detector.lexicon.version, "model": detector.model.version},
                         summary=run.summary(), kinds=[KIND])


def count_posts(store: Store, case: str | None) -> int:
    return read.count_posts(store, scope_for(store, case))
