"""A 200 MB single line, in a line format and in a JSON export: reported or streamed, never loaded whole
(SECURITY.md T32; the foundation issue's "a 200 MB single line")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.helpers import generic_row

SIZE = 200 * 1024 * 1024
MEASURE = """
import json, sys
from pathlib import Path
from himaya.ingest.sniff import parse_path
records, problems, _ = parse_path(Path(sys.argv[1]))
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"records": len(records), "hwm_kib": hwm,
                  "problems": [[p.severity, p.code, p.position] for p in problems]}))
"""


STREAM = """
import json, sys
from pathlib import Path
from himaya.config import ArchiveLimits
from himaya.ingest.base import ParseContext
from himaya.ingest.sniff import parse_tree, sniff
from himaya.ingest.tree import open_tree
tree = open_tree(Path(sys.argv[1]), ArchiveLimits())
ctx = ParseContext(tree=tree)
n = sum(1 for _ in parse_tree(tree, ctx, sniff(tree)))
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"records": n, "hwm_kib": hwm, "problems": [[p.severity, p.code, p.position] for p in ctx.problems]}))
"""


def _measure(path: Path, script: str = MEASURE) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                         timeout=300, env={**os.environ, "HIMAYA_MAX_LINE_BYTES": str(16 * 1024 * 1024)})
    return json.loads(out.stdout)


@pytest.mark.slow
def test_200mb_line_in_jsonl_is_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(generic_row(1)) + "\n")
        head = json.dumps(generic_row(2, text=""))[:-1] + ', "text": "'
        fh.write(head)
        chunk = "x" * (1 << 20)
        for _ in range(SIZE // len(chunk)):
            fh.write(chunk)
        fh.write('"}\n')
        fh.write(json.dumps(generic_row(3)) + "\n")
    result = _measure(path)
    assert result["records"] == 2
    assert result["problems"] == [["error", "line_too_long", "line 2"]]
    assert int(result["hwm_kib"]) < 300 * 1024  # the line never sits in memory whole


@pytest.mark.slow
def test_200mb_single_line_json_export_is_streamed(tmp_path: Path) -> None:
    """An Instagram followers file written on one 200 MB line: parsed as a stream, memory bounded."""
    path = tmp_path / "followers_1.json"
    n = 0
    with path.open("w", encoding="ascii") as fh:
        fh.write("[")
        while fh.tell() < SIZE:
            items = []
            for _ in range(10_000):
                h = f"user{n}_sample"
                items.append(json.dumps({"title": "", "media_list_data": [], "string_list_data": [
                    {"href": f"https://www.instagram.com/{h}", "value": h, "timestamp": 1741635600 + n}]},
                    separators=(",", ":")))
                n += 1
            fh.write(("," if n > 10_000 else "") + ",".join(items))
        fh.write("]")
    result = _measure(path, STREAM)
    assert result["records"] == n and result["problems"] == [["warning", "owner_unknown", ""]]  # a file alone
    assert int(result["hwm_kib"]) < 500 * 1024  # T32: ≤ 500 MB while streaming a 200 MB one-line document
