"""Benchmark: full and incremental sync against the sandbox with a large portfolio.

    python benchmarks/bench_sync.py [--epics 5000] [--children 20] [--latency-ms 20]

The sandbox runs in this process; each sync runs in a child process, so its peak memory
(max RSS) is its own. Requests are counted by the connector's search statistics and checked
against the lower bound: the sum over queries of ceil(issues / page size), where the page size is
the largest page the server actually returned for that query. Figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER, TOKEN = "bench@example.com", "bench-token"
JQL = "project = BIG AND issuetype = Epic"


def dataset(epics: int, children: int) -> dict[str, Any]:
    rng = random.Random(7)
    start = datetime(2026, 9, 1, tzinfo=UTC)  # all in the past: Jira has no future timestamps
    issues: list[dict[str, Any]] = []
    number = 0
    for _ in range(epics):
        number += 1
        epic = f"BIG-{number}"
        issues.append(_issue(epic, "Epic", None, start, number, rng))
        for _ in range(children):
            number += 1
            issues.append(_issue(f"BIG-{number}", "Story", epic, start, number, rng))
    return {
        "auth": [{"user": USER, "token": TOKEN}],
        "jira": {
            "deployment": "Cloud",
            "fields": [{"id": "customfield_10016", "name": "Story Points", "type": "number"}],
            "projects": [{"key": "BIG", "name": "Big portfolio"}],
            "issues": issues,
        },
    }


def _issue(
    key: str, type_: str, parent: str | None, start: datetime, n: int, rng: random.Random
) -> dict[str, Any]:
    when = (start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "key": key,
        "type": type_,
        "summary": f"Work item {key}",
        "status": rng.choice(["To Do", "In Progress", "Done"]),
        "labels": [f"okr:P{rng.randint(1, 4)}.KR{rng.randint(1, 3)}"] if type_ == "Epic" else [],
        "parent": parent,
        "created": when,
        "updated": when,
        "fields": {} if type_ == "Epic" else {"customfield_10016": rng.choice([1, 2, 3, 5, 8])},
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM). Not ru_maxrss: that one
    carries over from before exec, when the freshly forked child still shared the parent's
    pages, so it would report the parent's size (the sandbox's) rather than the sync's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(url: str, store: str, full: bool) -> None:
    """One sync, in its own process; prints its figures as JSON."""
    from connector.jira_source import JiraCredentials, JiraSource
    from connector.store.db import open_store
    from connector.sync import ScopeSpec, sync_scopes

    engine = open_store(store)
    source = JiraSource(JiraCredentials(url, token=TOKEN, email=USER, timeout=60))
    started = time.perf_counter()
    (result,) = sync_scopes(
        source,
        engine,
        [ScopeSpec("big", "Big", JQL)],
        now=datetime.now(UTC),
        full=full,
        lookback_ms=0,
    )
    seconds = time.perf_counter() - started
    stats = source.searcher.stats
    bound = sum(math.ceil(issues / page) for issues, page in stats.queries if page)
    bound += sum(1 for issues, page in stats.queries if not page)  # an empty answer is 1 request
    print(
        json.dumps(
            {
                "full": result.full,
                "fetched": result.fetched,
                "epics": result.epics,
                "children": result.children,
                "requests": stats.requests,
                "lower_bound": bound,
                "seconds": round(seconds, 2),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )
    engine.dispose()


def run_child(url: str, store: str, full: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", url, "--store", store]
    if full:
        command.append("--full")
    answer = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    figures: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epics", type=int, default=5000)
    parser.add_argument("--children", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share changed before the incremental run"
    )
    parser.add_argument("--child")
    parser.add_argument("--store")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.store, args.full)
        return

    from connector.sandbox import Sandbox

    total = args.epics * (1 + args.children)
    print(
        f"Sandbox: {args.epics} epics, {args.epics * args.children} children ({total} issues),"
        f" {args.latency_ms} ms latency; {platform.machine()}, {platform.python_version()}"
    )
    with (
        Sandbox(dataset(args.epics, args.children)) as sandbox,
        tempfile.TemporaryDirectory() as tmp,
    ):
        sandbox.faults.latency_ms = args.latency_ms
        store = f"sqlite:///{Path(tmp) / 'bench.db'}"
        full = run_child(sandbox.url, store, full=True)
        print("full       ", json.dumps(full))
        rng = random.Random(11)
        keys = [r.key for r in sandbox.jira.all_issues()]
        for key in rng.sample(keys, int(len(keys) * args.changed)):
            sandbox.jira.update_issue(key, summary=f"Changed {key}")
        incremental = run_child(sandbox.url, store, full=False)
        print("incremental", json.dumps(incremental))
        print(
            f"full: {full['requests']} requests (lower bound {full['lower_bound']},"
            f" ratio {full['requests'] / full['lower_bound']:.3f}); incremental:"
            f" {incremental['requests']} requests ="
            f" {incremental['requests'] / full['requests']:.1%} of full"
        )


if __name__ == "__main__":
    main()
