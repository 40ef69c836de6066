"""SIGKILL during a large ingest leaves the store as before, and a re-run completes it (SECURITY.md T42)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from himaya.config import Settings
from himaya.store.db import open_store
from himaya.store.fsck import fsck
from tests.store.helpers import generic_row, table_counts, write_jsonl


def _ingest(settings: Settings, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HIMAYA_HOME": str(settings.home), "HIMAYA_ORG": settings.org}
    if settings.database_url:
        env["HIMAYA_DATABASE_URL"] = settings.database_url
    else:
        env.pop("HIMAYA_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "himaya", "ingest", str(path), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun(store_settings: Settings, tmp_path: Path) -> None:
    import uuid

    settings = store_settings.model_copy(update={"org": f"crash-{uuid.uuid4().hex[:8]}"})
    small = write_jsonl(tmp_path / "small.jsonl", [generic_row(i) for i in range(5)])
    big = write_jsonl(tmp_path / "big.jsonl", [generic_row(i, post_id=str(10_000_000 + i)) for i in range(60_000)])
    assert _ingest(settings, small).wait(120) == 0
    store = open_store(settings)
    before = table_counts(store)

    for delay in (0.8, 1.6, 2.6):
        proc = _ingest(settings, big)
        time.sleep(delay)
        if proc.poll() is not None:
            pytest.skip("ingest finished before the kill; machine too fast for this delay")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert table_counts(store) == before, f"store changed after SIGKILL at {delay}s"
        report = fsck(store)
        assert report.integrity == "ok" and not report.missing_blobs

    t0 = time.perf_counter()
    done = _ingest(settings, big)
    _, errout = done.communicate(timeout=600)
    assert done.returncode == 0, errout.decode()
    after = table_counts(store)
    assert after["posts"] == before["posts"] + 60_000
    report = fsck(store, repair=True)
    assert report.integrity == "ok" and not report.missing_blobs
    assert fsck(store).ok
    assert time.perf_counter() - t0 < 300
    store.close()
