"""Micro-benchmark: client CPU per issue to turn Jira's answers into records and store them.

    python benchmarks/bench_store.py [--issues 100000] [--postgres URL]

What a sync does for every issue after Jira answered, without the HTTP: `JiraSource.record` on a
raw issue as Jira sends it (timestamps in the site's `+1100` form) and `upsert_issues` in pages of
100, all in one transaction, as the sync commits. Only this process's CPU is counted
(`time.process_time`): the sandbox serves one `/field` request before the clock starts, and a
PostgreSQL server's own work is its process's. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from connector.jira_source import JiraCredentials, JiraSource  # noqa: E402
from connector.sandbox import Sandbox  # noqa: E402
from connector.store.db import open_store  # noqa: E402
from connector.store.issues import upsert_issues  # noqa: E402

USER, TOKEN = "bench@example.com", "bench-token"
PAGE = 100
POINTS = "customfield_10016"
_SYDNEY = ZoneInfo("Australia/Sydney")  # Jira writes the site's offset: +1000, +1100


def raw_issues(count: int) -> list[dict[str, Any]]:
    """Issues as the search answers them: an epic, then its twenty children, and so on."""
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    issues = []
    for n in range(count):
        when = (start + timedelta(seconds=n)).astimezone(_SYDNEY)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{n % 1000:03d}" + when.strftime("%z")
        epic = n % 21 == 0
        fields: dict[str, Any] = {
            "summary": f"Issue {n}",
            "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
            "issuetype": {"name": "Epic" if epic else "Story"},
            "project": {"key": "BIG"},
            "assignee": {"displayName": "Ada Lovelace"} if n % 3 else None,
            "labels": ["okr:P1.KR1"] if epic else [],
            "parent": None if epic else {"key": f"BIG-{n - n % 21 + 1}"},
            "created": stamp,
            "updated": stamp,
            POINTS: None if epic else float(n % 8),
        }
        issues.append({"id": str(10000 + n), "key": f"BIG-{n + 1}", "fields": fields})
    return issues


def measure(source: JiraSource, url: str, raws: list[dict[str, Any]]) -> tuple[float, float]:
    """(seconds building records, seconds storing them), this process's CPU only."""
    engine = open_store(url)
    now = datetime.now(UTC)
    build = store = 0.0
    try:
        with Session(engine) as session, session.begin():
            for start in range(0, len(raws), PAGE):
                page = [(r, r["fields"]["parent"] is None) for r in raws[start : start + PAGE]]
                t0 = time.process_time()
                records = [source.record(raw, is_epic=epic) for raw, epic in page]
                t1 = time.process_time()
                upsert_issues(session, records, synced_at=now, mark="bench")
                t2 = time.process_time()
                build += t1 - t0
                store += t2 - t1
    finally:
        engine.dispose()
    return build, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--postgres", help="also measure against this (empty) PostgreSQL store")
    args = parser.parse_args()
    data = {
        "auth": [{"user": USER, "token": TOKEN}],
        "jira": {
            "fields": [{"id": POINTS, "name": "Story Points", "type": "number"}],
            "projects": [{"key": "BIG", "name": "Big"}],
            "issues": [],
        },
    }
    with Sandbox(data) as sandbox:
        source = JiraSource(JiraCredentials(sandbox.url, TOKEN, USER, timeout=30))
    raws = raw_issues(args.issues)
    stores = []
    with tempfile.TemporaryDirectory() as tmp:
        stores.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"))
        if args.postgres:
            stores.append(("PostgreSQL", args.postgres))
        for name, url in stores:
            build, store = measure(source, url, raws)
            per = 1e6 / len(raws)
            print(
                f"{name}: {len(raws)} issues, client CPU {(build + store) * per:.1f} µs per issue"
                f" (records {build * per:.1f} µs, storing {store * per:.1f} µs)"
            )


if __name__ == "__main__":
    main()
