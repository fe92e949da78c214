"""Benchmark: full and incremental sync against the sandbox, beside a plain `jira` script.

    python benchmarks/bench_sync.py                       # 1,000 and 5,000 epics, 20 children each
    python benchmarks/bench_sync.py --epics 1000,5000,20000 --repeat 3
    python benchmarks/bench_sync.py --quick               # 100 epics, once: under a minute

The sandbox (Jira Cloud, --latency-ms added to every request) runs in a process of its own,
seeded by a generator (no dataset file), so it competes with the client only for the CPU. Each
sync runs in a child process: its wall time, CPU time (process_time) and peak memory (VmHWM, its
own peak resident memory) are its alone, timed from connecting to Jira (the store is opened
first). Figures per row:

- reqs: every request the sandbox answered; search: the sync's searches (its own count), and
  the lower bound: the sum over queries of ceil(issues / page size), with the page size the
  server actually returned; ratio = search / bound;
- wall: the median of --repeat runs; floor: lower bound x latency / concurrency;
- sandbox ms/req: the sandbox's own time per request, without the added latency (wall, and
  the CPU time of its handling threads, which a loaded machine inflates less), and how many
  answers came from its cache of answers (kept until the data changes).

Incremental: --changed of the issues are edited in the sandbox, then a sync runs on a copy of
the full sync's store (each repeat on a fresh copy, after editing the same issues again). The
baseline (baseline_plain_jira.py) is what a team writes instead: the epics by JQL, then one
search per epic for its children.
Concurrency (`jira.concurrency`) is used where the settings have it; otherwise its rows say n/a.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import multiprocessing
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from baseline_plain_jira import peak_rss_mb  # noqa: E402

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


# -- the sandbox, in a process of its own ---------------------------------------------------------
def serve(epics: int, children: int, latency_ms: int, conn: Connection) -> None:
    """Run the sandbox; answer the benchmark's commands on ``conn`` until told to stop."""
    from connector.sandbox import Sandbox

    sandbox = Sandbox(dataset(epics, children))
    sandbox.faults.latency_ms = latency_ms
    conn.send(sandbox.start())
    while True:
        command, *args = conn.recv()
        if command == "stats":
            conn.send(sandbox.stats())
            sandbox.reset_stats()
        elif command == "change":
            share, seed = args
            keys = [r.key for r in sandbox.jira.all_issues()]
            changed = random.Random(seed).sample(keys, int(len(keys) * share))
            for key in changed:
                sandbox.jira.update_issue(key, summary=f"Changed {key} ({seed})")
            conn.send(len(changed))
        else:
            sandbox.stop()
            conn.send("stopped")
            return


class SandboxProcess:
    def __init__(self, epics: int, children: int, latency_ms: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=serve, args=(epics, children, latency_ms, theirs), daemon=True
        )
        self.process.start()
        self.url: str = self.conn.recv()

    def ask(self, *command: Any) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def close(self) -> None:
        self.ask("stop")
        self.process.join(timeout=30)


# -- one sync, in a child process ----------------------------------------------------------------
def concurrency_supported() -> bool:
    from service.settings import JiraSettings

    return "concurrency" in JiraSettings.model_fields


def _with_concurrency(call: Any, concurrency: int) -> dict[str, Any]:
    """``concurrency=`` for whichever of the connector's calls takes it (none: {})."""
    takes = "concurrency" in inspect.signature(call).parameters
    return {"concurrency": concurrency} if takes else {}


def child(url: str, store: str, full: bool, concurrency: int) -> None:
    """One sync, in its own process; prints its figures as JSON."""
    from connector.jira_source import JiraCredentials, JiraSource
    from connector.store.db import open_store
    from connector.sync import ScopeSpec, sync_scopes

    engine = open_store(store)
    wall, cpu = time.perf_counter(), time.process_time()  # from connecting, as the baseline
    credentials = JiraCredentials(url, token=TOKEN, email=USER, timeout=60)
    source = JiraSource(credentials, **_with_concurrency(JiraSource, concurrency))
    (result,) = sync_scopes(
        source,
        engine,
        [ScopeSpec("big", "Big", JQL)],
        now=datetime.now(UTC),
        full=full,
        lookback_ms=0,
        **_with_concurrency(sync_scopes, concurrency),
    )
    stats = source.searcher.stats
    bound = sum(math.ceil(issues / page) for issues, page in stats.queries if page)
    bound += sum(1 for issues, page in stats.queries if not page)  # an empty answer is 1 request
    figures = {
        "issues": result.fetched,
        "searches": stats.requests,
        "lower_bound": bound,
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "peak_rss_mb": peak_rss_mb(),
    }
    engine.dispose()
    print(json.dumps(figures))


def run_json(command: list[str]) -> dict[str, Any]:
    answer = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT.parent)
    figures: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return figures


def measured(sandbox: SandboxProcess, command: list[str], before: Any = None) -> dict[str, Any]:
    """Run ``command`` (after ``before()``), with the sandbox's figures for it alone."""
    if before is not None:
        before()
    sandbox.ask("stats")  # reset
    figures = run_json(command)
    figures["sandbox"] = sandbox.ask("stats")
    return figures


# -- the table ------------------------------------------------------------------------------------
def row(name: str, runs: list[dict[str, Any]], latency_ms: int, concurrency: int) -> str:
    if not runs:
        return f"{name:<26} n/a (the settings have no jira.concurrency yet)"
    last = runs[-1]
    requests = last["sandbox"]["requests"]
    bound = last.get("lower_bound")
    wall = statistics.median(r["seconds"] for r in runs)
    parts = [f"{name:<26}", f"{requests:>6}"]
    if bound:
        searches = last["searches"]
        floor = bound * latency_ms / 1000 / concurrency
        parts += [f"{searches:>6}", f"{bound:>6}", f"{searches / bound:>5.2f}"]
        parts += [f"{wall:>7.1f}", f"{floor:>6.1f}"]
    else:
        parts += [f"{'-':>6}", f"{'-':>6}", f"{'-':>5}", f"{wall:>7.1f}", f"{'-':>6}"]
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    box = last["sandbox"]
    parts += [
        f"{cpu:>6.1f}",
        f"{peak:>7.1f}",
        f"{box['ms_per_request']:>6.2f}",
        f"{box['cpu_ms_per_request']:>6.2f}",
        f"{box['cached']:>6}",
    ]
    return " ".join(parts)


HEADER = (
    f"{'':<26} {'reqs':>6} {'search':>6} {'bound':>6} {'ratio':>5} {'wall s':>7} {'floor':>6}"
    f" {'cpu s':>6} {'peak MB':>7} {'sbx ms':>6} {'sbxcpu':>6} {'cached':>6}"
)


def bench_scale(args: argparse.Namespace, epics: int) -> None:
    total = epics * (1 + args.children)
    started = time.perf_counter()
    sandbox = SandboxProcess(epics, args.children, args.latency_ms)
    print(
        f"\n{epics:,} epics, {epics * args.children:,} children ({total:,} issues),"
        f" {args.latency_ms} ms latency; sandbox ready in {time.perf_counter() - started:.0f} s"
    )
    print(HEADER)
    me = [sys.executable, __file__]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for concurrency in args.concurrency:
                if concurrency > 1 and not concurrency_supported():
                    print(row(f"full, concurrency {concurrency}", [], 0, 1))
                    continue
                base = Path(tmp) / f"c{concurrency}"
                fulls = []
                for n in range(args.repeat):
                    store = f"sqlite:///{base}-full{n}.db"
                    command = [*me, "--child", sandbox.url, "--store", store, "--full"]
                    command += ["--concurrency", str(concurrency)]
                    fulls.append(measured(sandbox, command))
                print(row(f"full, concurrency {concurrency}", fulls, args.latency_ms, concurrency))
                incrementals = []
                for n in range(args.repeat):
                    copy = Path(f"{base}-incr{n}.db")
                    shutil.copy(f"{base}-full{args.repeat - 1}.db", copy)
                    command = [*me, "--child", sandbox.url, "--store", f"sqlite:///{copy}"]
                    command += ["--concurrency", str(concurrency)]
                    # The same issues each repeat: each copy of the store then lacks the
                    # --changed share alone (other seeds would add up: 3% by the third run).
                    seed = concurrency * 100
                    change = lambda s=seed: sandbox.ask("change", args.changed, s)  # noqa: E731
                    incrementals.append(measured(sandbox, command, change))
                name = f"incr. {args.changed:.0%} changed, c {concurrency}"
                print(row(name, incrementals, args.latency_ms, concurrency))
            if not args.no_baseline:
                script = str(ROOT / "baseline_plain_jira.py")
                command = [sys.executable, script, sandbox.url, USER, TOKEN, JQL]
                runs = [measured(sandbox, command) for _ in range(args.repeat)]
                print(row("plain jira script", runs, args.latency_ms, 1))
    finally:
        sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epics", default="1000,5000", help="scales, comma-separated")
    parser.add_argument("--children", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the median wall")
    parser.add_argument("--concurrency", default="1,4", help="comma-separated")
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (incremental)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain jira script")
    parser.add_argument("--quick", action="store_true", help="100 epics, once (under a minute)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.concurrency = [int(c) for c in str(args.concurrency).split(",")]
    if args.child:
        child(args.child, args.store, args.full, args.concurrency[0])
        return
    if args.quick:
        args.epics, args.repeat = "100", 1
    print(
        f"bench_sync: {platform.machine()}, Python {platform.python_version()},"
        f" {multiprocessing.cpu_count()} cores; repeat {args.repeat} (median wall);"
        " peak memory = VmHWM of the client process"
    )
    for epics in (int(e) for e in str(args.epics).split(",")):
        bench_scale(args, epics)


if __name__ == "__main__":
    main()
