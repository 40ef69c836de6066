"""Golden files for parsers: what a sample parses to, pinned as JSON and compared in tests.

Regenerate after a deliberate change with HIMAYA_UPDATE_GOLDEN=1, then read the diff: a golden
file is only as good as the review it got. Tests also assert the README's expected facts directly.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from himaya.records import Account, Follow, MediaItem, Post, Problem, Record

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def kind_of(r: Record) -> str:
    if isinstance(r, Post):
        return f"post:{r.post_type}"
    if isinstance(r, Follow):
        return f"follow:{r.relation}"
    if isinstance(r, Account):
        return "account"
    if isinstance(r, MediaItem):
        return "media"
    raise TypeError(r)


def summarise(records: list[Record], problems: list[Problem]) -> dict[str, Any]:
    counts = Counter(kind_of(r) for r in records)
    return {
        "counts": dict(sorted(counts.items())),
        "problems": sorted(f"{p.severity}|{p.code}|{p.path}|{p.position}" for p in problems),
        "records": [r.model_dump(mode="json") for r in records],
    }


def check_golden(name: str, records: list[Record], problems: list[Problem]) -> dict[str, Any]:
    """Compare against tests/golden/<name>.json (written when HIMAYA_UPDATE_GOLDEN is set)."""
    path = GOLDEN / f"{name}.json"
    got: dict[str, Any] = json.loads(json.dumps(summarise(records, problems), ensure_ascii=False))
    if os.environ.get("HIMAYA_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert path.exists(), f"golden file {path} missing: run with HIMAYA_UPDATE_GOLDEN=1 and review it"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["counts"] == want["counts"], f"{name}: record counts changed"
    assert got["problems"] == want["problems"], f"{name}: problems changed"
    assert got["records"] == want["records"], f"{name}: records changed (HIMAYA_UPDATE_GOLDEN=1 to accept)"
    return got
