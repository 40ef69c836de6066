"""What every benchmark measures the same way: peak RSS (VmHWM) and child processes timed with it.

Run the benchmarks as scripts (`python bench/bench_x.py`): their folder is then on `sys.path`.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from typing import Any


def hwm_kib(pid: int | str = "self") -> int:
    """Peak resident memory of a process (VmHWM), in KiB; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def hwm_mib(pid: int | str = "self") -> float:
    return hwm_kib(pid) / 1024


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child process; wall seconds and its own peak RSS.

    Peak RSS is the child's VmHWM, polled while it runs (a high-water mark, so the last reading
    is the peak): ru_maxrss from wait4 would include the parent's mark carried across fork+exec.
    Exit codes 0 and 3 (stored, some records rejected) count as success.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen(args, env=env, stdout=out_f, stderr=err_f)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, hwm_kib(proc.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        out_f.seek(0)
        err_f.seek(0)
        out, errout = out_f.read().decode(), err_f.read().decode()
    code = proc.returncode
    if code not in (0, 3):
        raise SystemExit(f"{' '.join(args)} failed with {code}:\n{out}\n{errout}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(peak / 1024, 1), "exit": code, "stdout": out}
