"""Benchmark: the sandbox's own time per request for each kind of search the sync makes.

    python benchmarks/bench_sandbox.py                    # 5,000 epics x 20 children
    python benchmarks/bench_sandbox.py --epics 20000
    python benchmarks/bench_sandbox.py --epics 50 --kinds children,dc-windows

Each kind gets a sandbox of its own, built in this process from the sync benchmark's generator
(bench_sync.dataset; Data Center kinds: the same issues on a Server site with an Epic Link field)
and served on a background thread; plain `requests` asks what the sync asks, page by page. Before
the first pass, 1% of the issues are edited (the incremental kinds ask for what changed since).
Three passes per kind, the same requests each time:

- first: every answer asked for the first time, in a fresh sandbox (nothing cached but what the
  pass itself leaves for its own later pages);
- after write: once 1% more of the issues have changed (the answers kept are stale): what a
  sync that runs again meets;
- cached: asked again, unchanged: answers come from the cache of answers.

Figures per pass: requests, and the sandbox's own ms and CPU ms per request from
`Sandbox.stats()` (from reading the request to the answer's bytes, no added latency; CPU is the
handling thread's). The client runs in this process too, but waits while the sandbox answers.
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench_sync import TOKEN, USER, dataset  # noqa: E402

from connector.jira_source import BASE_FIELDS  # noqa: E402
from connector.sandbox import Sandbox  # noqa: E402

FIELDS = [*BASE_FIELDS, "customfield_10016"]  # what the sync asks for, with Story Points
EPIC_LINK = "customfield_10100"
CHUNK = 500  # epics per children query, as the sync chunks them
DC_WINDOW = 10_000
EPICS_JQL = "project = BIG AND issuetype = Epic"
STORIES_JQL = "project = BIG AND issuetype = Story"


def dc_dataset(epics: int, children: int) -> dict[str, Any]:
    """The same issues on Data Center: children reach their epic through the Epic Link field."""
    data = dataset(epics, children)
    jira = data["jira"]
    jira["deployment"] = "Server"
    jira["fields"] = [*jira["fields"], {"id": EPIC_LINK, "name": "Epic Link", "type": "epiclink"}]
    return data


# -- asking, as the sync asks ---------------------------------------------------------------------
class Client:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.auth = (USER, TOKEN)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.session.post(self.url + path, json=body, timeout=120)
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data

    def cloud(self, jql: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """Every page of an enhanced search (`/search/jql`), following nextPageToken."""
        size = 100 if fields != ["id"] else 5000
        token = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": size}
            if token:
                body["nextPageToken"] = token
            page = self.post("/rest/api/2/search/jql", body)
            yield page
            token = page.get("nextPageToken")
            if page.get("isLast") or not token:
                return

    def dc(
        self, jql: str, fields: list[str], start: int = 0, upto: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Data Center's `/search`, `startAt` pages (100 with fields, 1,000 ids)."""
        size = 100 if fields != ["id"] else 1000
        while True:
            body = {"jql": jql, "fields": fields, "startAt": start, "maxResults": size}
            page = self.post("/rest/api/2/search", body)
            yield page
            start += len(page["issues"])
            end = page["total"] if upto is None else min(upto, page["total"])
            if not page["issues"] or start >= end:
                return


@dataclass
class Scope:
    """What the kinds ask about: epic ids, the changed-since mark, the time span of updates."""

    epic_ids: list[str]
    since_ms: int
    oldest_ms: int
    newest_ms: int


def chunks(ids: list[str]) -> Iterator[str]:
    for start in range(0, len(ids), CHUNK):
        yield ", ".join(ids[start : start + CHUNK])


def children(c: Client, s: Scope) -> int:
    return sum(1 for ids in chunks(s.epic_ids) for _ in c.cloud(f"parent in ({ids})", FIELDS))


def children_ids(c: Client, s: Scope) -> int:
    return sum(1 for ids in chunks(s.epic_ids) for _ in c.cloud(f"parent in ({ids})", ["id"]))


def epics(c: Client, s: Scope) -> int:
    return sum(1 for _ in c.cloud(EPICS_JQL, FIELDS))


def epics_ids(c: Client, s: Scope) -> int:
    return sum(1 for _ in c.cloud(EPICS_JQL, ["id"]))


def incr_epics(c: Client, s: Scope) -> int:
    return sum(1 for _ in c.cloud(f"({EPICS_JQL}) AND updated >= {s.since_ms}", FIELDS))


def incr_children(c: Client, s: Scope) -> int:
    jqls = [f"(parent in ({ids})) AND updated >= {s.since_ms}" for ids in chunks(s.epic_ids)]
    return sum(1 for jql in jqls for _ in c.cloud(jql, FIELDS))


def id_in(c: Client, s: Scope) -> int:
    return sum(1 for ids in chunks(s.epic_ids) for _ in c.cloud(f"id in ({ids})", FIELDS))


def dc_children(clause: str, fields: list[str]) -> Callable[[Client, Scope], int]:
    def run(c: Client, s: Scope) -> int:
        jqls = [f"{clause} in ({ids}) ORDER BY key ASC" for ids in chunks(s.epic_ids)]
        return sum(1 for jql in jqls for _ in c.dc(jql, fields))

    return run


def dc_windows(c: Client, s: Scope) -> int:
    """The stories (more than the result window) by `updated` windows, halved until each holds
    at most 10,000, as the sync splits them: the oldest and newest first."""
    asked = 2
    for order in ("ASC", "DESC"):
        next(c.dc(f"{STORIES_JQL} ORDER BY updated {order}", ["updated"]))
    spans = [(s.oldest_ms, s.newest_ms + 1)]
    while spans:
        start, end = spans.pop()
        jql = f"({STORIES_JQL}) AND updated >= {start} AND updated < {end} ORDER BY key ASC"
        pages = c.dc(jql, FIELDS)
        first = next(pages)
        asked += 1
        if first["total"] > DC_WINDOW:
            middle = (start + end) // 2
            spans += [(middle, end), (start, middle)]
        else:
            asked += sum(1 for _ in pages)
    return asked


def dc_key_after(c: Client, s: Scope) -> int:
    """A millisecond window read in key order after a key (the bulk-import path): 200 asks."""
    rng = random.Random(3)
    asked = 0
    for _ in range(200):
        start = rng.randrange(s.oldest_ms, s.newest_ms)
        number = rng.randrange(1, len(s.epic_ids) * 21)
        window = f"({STORIES_JQL}) AND updated >= {start} AND updated < {start + 1}"
        jql = f'({window}) AND project = "BIG" AND key > "BIG-{number}" ORDER BY key ASC'
        asked += sum(1 for _ in c.dc(jql, FIELDS))
    return asked


KINDS: dict[str, tuple[str, Callable[[Client, Scope], int]]] = {
    # name: (deployment, what it asks)
    "children": ("Cloud", children),
    "children-ids": ("Cloud", children_ids),
    "epics": ("Cloud", epics),
    "epics-ids": ("Cloud", epics_ids),
    "incr-epics": ("Cloud", incr_epics),
    "incr-children": ("Cloud", incr_children),
    "id-in": ("Cloud", id_in),
    "dc-epic-link": ("Server", dc_children('"Epic Link"', FIELDS)),
    "dc-epic-link-ids": ("Server", dc_children('"Epic Link"', ["id"])),
    "dc-cf": ("Server", dc_children("cf[10100]", FIELDS)),
    "dc-windows": ("Server", dc_windows),
    "dc-key-after": ("Server", dc_key_after),
}


# -- measuring ------------------------------------------------------------------------------------
def change(sandbox: Sandbox, share: float, seed: int) -> None:
    keys = [r.key for r in sandbox.jira.all_issues()]
    for key in random.Random(seed).sample(keys, max(1, int(len(keys) * share))):
        sandbox.jira.update_issue(key, summary=f"Changed {key} ({seed})")


def scope_of(sandbox: Sandbox) -> Scope:
    issues = sandbox.jira.all_issues()
    stamps = [int(r.updated.timestamp() * 1000) for r in issues]
    ids = [str(r.id) for r in issues if r.type == "Epic"]
    return Scope(ids, 0, min(stamps), max(stamps))


def measure(sandbox: Sandbox, ask: Callable[[], int]) -> dict[str, Any]:
    gc.collect()  # no full collection the writes left due lands in the pass (nor in the client)
    sandbox.reset_stats()
    ask()
    return sandbox.stats()


def bench_kind(name: str, epics_count: int, children_count: int) -> str:
    deployment, kind = KINDS[name]
    build = dataset if deployment == "Cloud" else dc_dataset
    started = time.perf_counter()
    sandbox = Sandbox(build(epics_count, children_count))
    scope = scope_of(sandbox)
    scope.since_ms = math.floor(datetime.now(UTC).timestamp() * 1000)
    change(sandbox, 0.01, 1)  # what an incremental sync finds changed
    ready = time.perf_counter() - started
    with sandbox:
        client = Client(sandbox.url)
        first = measure(sandbox, lambda: kind(client, scope))
        change(sandbox, 0.01, 2)
        again = measure(sandbox, lambda: kind(client, scope))
        cached = measure(sandbox, lambda: kind(client, scope))
    cells = [f"{name:<17}", f"{first['requests']:>6}"]
    for figures in (first, again, cached):
        cells += [f"{figures['ms_per_request']:>7.2f}", f"{figures['cpu_ms_per_request']:>7.2f}"]
    cells.append(f"{cached['cached']:>6} {ready:>6.1f}")
    return " ".join(cells)


HEADER = (
    f"{'':<17} {'reqs':>6} {'first':>7} {'cpu':>7} {'after w':>7} {'cpu':>7}"
    f" {'cached':>7} {'cpu':>7} {'hits':>6} {'build':>6}"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epics", type=int, default=5000)
    parser.add_argument("--children", type=int, default=20)
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS)
    )
    args = parser.parse_args()
    total = args.epics * (1 + args.children)
    print(
        f"bench_sandbox: {platform.machine()}, Python {platform.python_version()},"
        f" {multiprocessing.cpu_count()} cores; {args.epics:,} epics, {total:,} issues;"
        " ms per request, the sandbox's own (wall, and its thread's CPU)"
    )
    print(HEADER)
    for name in args.kinds.split(","):
        print(bench_kind(name.strip(), args.epics, args.children), flush=True)
        gc.collect()


if __name__ == "__main__":
    main()
