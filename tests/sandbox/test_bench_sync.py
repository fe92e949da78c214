"""The sync benchmark runs end to end at a tiny scale (its figures are not checked: no timing
assertions; BENCHMARKS.md holds measured figures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_sync_runs_at_a_tiny_scale_beside_the_plain_jira_script() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "bench_sync.py")]
    command += ["--epics", "5", "--children", "3", "--latency-ms", "0", "--repeat", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("5 epics, 15 children (20 issues)") for line in lines)
    rows = {line[:26].strip(): line[26:].split() for line in lines if len(line) > 26}
    full = rows["full, concurrency 1"]
    # searches = bound: one page of epic ids, one of epics, one of children
    assert full[1:4] == ["3", "3", "1.00"]
    assert "incr. 1% changed, c 1" in rows
    # serverInfo twice (the library, then the script), the fields, the epics, one per epic
    assert rows["plain jira script"][0] == "9"
    assert "full, concurrency 4" in rows
