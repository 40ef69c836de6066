"""Small generic-format inputs built inside tests, and a fingerprint of a store's state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from himaya.store import schema
from himaya.store.db import Store


def generic_row(i: int, **over: Any) -> dict[str, Any]:
    row = {"schema_version": "himaya.generic/1", "platform": "x", "record_type": "reply", "post_id": str(1000 + i),
           "created_at": f"2025-03-10T19:{i // 60 % 60:02d}:{i % 60:02d}Z", "author_handle": f"attacker_sample{i % 50}",
           "text": f"reply number {i} #فضح_ريحانة", "reply_to": "999", "target_handle": "rayhana_sample"}
    row.update(over)
    return row


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def table_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        out = {}
        for t in schema.metadata.sorted_tables:
            q = sa.select(sa.func.count()).select_from(t)
            if "org_id" in t.c:
                q = q.where(t.c.org_id == store.org_id)
            out[t.name] = conn.execute(q).scalar_one()
        return out


def blob_listing(store: Store) -> list[str]:
    root = store.blobs.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
