"""The large benchmark writers: streamed, deterministic, exact layouts, unique handles, bounded memory."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from himaya.synth import MARKERS, write_instagram_followers, write_telegram_chat
from himaya.synth._util import local, meta_json, telegram_json
from himaya.synth.large import Wave, iter_followers

ZWNJ = "\u200c"


def digest_tree(root: Path) -> dict[str, str]:
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(root.rglob("*")) if f.is_file()}


def fictional(s: str) -> bool:
    return any(m in s for m in MARKERS)


def test_large_writers_are_deterministic(tmp_path: Path) -> None:
    for d in ("a", "b"):
        write_instagram_followers(tmp_path / d / "ig.zip", 3000, seed=5)
        write_telegram_chat(tmp_path / d / "tg", 1500, seed=5)
    assert digest_tree(tmp_path / "a") == digest_tree(tmp_path / "b")


def test_followers_writer_layout_and_uniqueness(tmp_path: Path) -> None:
    for n in (0, 1, 7, 2000, 5003):
        raw = write_instagram_followers(tmp_path / f"f{n}.json", n, seed=2).read_bytes()
        items = json.loads(raw)
        assert len(items) == n and meta_json(items) == raw
        handles = [i["string_list_data"][0]["value"] for i in items]
        times = [i["string_list_data"][0]["timestamp"] for i in items]
        assert len(set(handles)) == n and times == sorted(times, reverse=True)
        assert all(re.fullmatch(r"[a-z0-9._]{1,30}", h) and fictional(h) for h in handles)
    z = write_instagram_followers(tmp_path / "ig.zip", 1000, seed=2)
    with zipfile.ZipFile(z) as zf:
        assert {"connections/followers_and_following/followers_1.json",
                "personal_information/personal_information/personal_information.json"} <= set(zf.namelist())


def test_followers_contain_the_bursts() -> None:
    waves = (Wave(1_749_000_000, 500, 240),)
    times = [t for _, t in iter_followers(20_000, seed=3, waves=waves)]
    burst = [t for t in times if 1_749_000_000 <= t < 1_749_000_240]
    assert len(times) == 20_000 and len(burst) >= 500


def test_telegram_writer_layout(tmp_path: Path) -> None:
    folder = write_telegram_chat(tmp_path / "ChatExport_big", 3000, seed=4)
    raw = (folder / "result.json").read_bytes()
    doc = json.loads(raw)
    assert telegram_json(doc) == raw
    msgs = doc["messages"]
    assert [m["id"] for m in msgs] == list(range(1, 3001))
    assert all(m["date"] == local(int(m["date_unixtime"]), 3 * 3600) for m in msgs)
    assert any(isinstance(m.get("text"), list) for m in msgs) and any(isinstance(m.get("text"), str) for m in msgs)
    assert sum("reply_to_message_id" in m for m in msgs) > 100 and sum("forwarded_from" in m for m in msgs) > 50
    assert any(ZWNJ in json.dumps(m, ensure_ascii=False) for m in msgs)
    assert json.loads(write_telegram_chat(tmp_path / "empty.json", 0, seed=4).read_bytes())["messages"] == []


# VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork+exec into
# ru_maxrss, so under a large pytest process it would measure pytest, not the writer.
MEASURE = """
import sys
from pathlib import Path
from himaya.synth import write_instagram_followers
write_instagram_followers(Path(sys.argv[1]), int(sys.argv[2]), seed=1)
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


@pytest.mark.parametrize("suffix", [".zip", ".json"])
def test_followers_writer_memory_is_bounded(tmp_path: Path, suffix: str) -> None:
    """200,000 followers in a fresh process: peak RSS stays far below what holding them would take."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / f"f{suffix}"), "200000"],
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    peak_mb = int(proc.stdout.strip()) / 1024  # VmHWM is in KiB
    assert peak_mb < 120, f"peak RSS {peak_mb:.0f} MB"
    assert (tmp_path / f"f{suffix}").stat().st_size > 1_000_000
