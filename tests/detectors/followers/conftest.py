from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from himaya.detectors.followers.exports import write_scenario
from himaya.detectors.followers.simulate import simulate
from tests.store.conftest import backend, store, store_settings  # noqa: F401 - the store fixtures, SQLite and PostgreSQL


@pytest.fixture(scope="session")
def sim_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Seed 3: two waves (random-letter handles, then a `name.####` template), 3,774 followers, one export."""
    out = tmp_path_factory.mktemp("sim")
    return write_scenario(simulate(3), out)


@pytest.fixture(scope="session")
def sim_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same scenario as two exports, the later one's clock 3.5 h ahead."""
    out = tmp_path_factory.mktemp("snap")
    return write_scenario(simulate(3), out, snapshots=2, skew_h=3.5, profiles=False)


def write_generic_follows(path: Path, rows: list[tuple[str, str]], target: str = "banafsha.collective") -> Path:
    """Generic CSV v1 follow rows: (follower handle, RFC 3339 time)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("schema_version", "platform", "record_type", "post_id", "created_at", "author_handle", "target_handle"))
        w.writerows(("himaya.generic/1", "instagram", "follow", f"f{i}", t, h, target) for i, (h, t) in enumerate(rows))
    return path
