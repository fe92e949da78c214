"""Searches side by side (`jira.concurrency`), one writer: the same store and the same number
of requests as one search at a time, a bounded queue between the workers and the writer, and a
429 that pauses every worker, on Cloud and Data Center."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from connector.retry import RetryPolicy
from connector.sandbox import Sandbox
from connector.store.db import open_store
from rules.errors import RateLimited
from tests.sync.conftest import connect, content, issue, portfolio, sync

EPICS = 520  # two chunks of children: 500 epics, then 20
SEARCH = {"Cloud": "/rest/api/3/search/jql", "Server": "/rest/api/2/search"}


def wide(deployment: str) -> dict[str, Any]:
    """520 epics (PAY-1 … PAY-520), each with two children (PAY-1001 … PAY-2040)."""
    data = portfolio(deployment)
    issues = [issue(f"PAY-{n}", "Epic") for n in range(1, EPICS + 1)]
    for n in range(1, EPICS + 1):
        issues += [issue(f"PAY-{1000 + 2 * n - c}", parent=f"PAY-{n}") for c in (1, 0)]
    data["jira"]["issues"] = issues
    return data


@pytest.fixture
def wide_sandbox(deployment: str) -> Any:
    with Sandbox(wide(deployment)) as running:
        yield running


def searches(sandbox: Sandbox) -> int:
    return len([r for r in sandbox.requests if "/search" in r.path])


def children_query(sandbox: Sandbox) -> str:
    """What every children query says, and no other: by parent on Cloud, Epic Link on DC."""
    return "parent in (" if sandbox.jira.deployment == "Cloud" else "cf[10100] in ("


def test_four_searches_at_once_store_what_one_at_a_time_stores_with_a_page_more_a_chunk(
    wide_sandbox: Sandbox, tmp_path: Path
) -> None:
    stores, counts = {}, {}
    for concurrency in (1, 4):
        engine = open_store(f"sqlite:///{tmp_path / f'c{concurrency}.db'}")
        wide_sandbox.reset_requests()
        full = sync(wide_sandbox, engine, full=True, page_size=50, concurrency=concurrency)
        after_full = searches(wide_sandbox)
        again = sync(wide_sandbox, engine, page_size=50, concurrency=concurrency)
        counts[concurrency] = (after_full, searches(wide_sandbox) - after_full)
        stores[concurrency] = content(engine)
        engine.dispose()
        assert (full.epics, full.children, full.fetched) == (520, 1040, 1560)
        assert (again.epics, again.children) == (520, 1040)
    assert stores[4] == stores[1]
    assert len(stores[4][0]) == 1560
    # Full: the epics' ids (1 page), the epics (520 / 50 = 11 pages), and the children in
    # chunks of equal size, as many as a multiple of the searches in flight: one at a time,
    # 2 chunks of 260 epics (520 children: 11 pages each); four at a time, 4 chunks of 130
    # (260 children: 6 pages each): each chunk's last page is part-filled.
    # Incremental: every issue has the cursor's `updated`, so the epics (11) and the children
    # (22 or 24) again; the epics' ids (1 page) and the children's ids (chunks of at most 500
    # epics: 2 pages).
    assert counts[1] == (1 + 11 + 22, 11 + 1 + 22 + 2)
    assert counts[4] == (1 + 11 + 24, 11 + 1 + 24 + 2)


def test_a_writer_that_stops_reading_stops_the_fetch_at_the_queue_bound(tmp_path: Path) -> None:
    with Sandbox(wide("Server")) as sandbox:
        source = connect(sandbox, page_size=10, concurrency=4)
        epic_ids = sorted(source.epic_ids("issuetype = Epic"))
        pool = source.searcher.pool
        sandbox.reset_requests()
        pages = source.child_pages(epic_ids)
        assert len(next(pages)) == 10  # the writer takes one page, then stalls
        deadline = time.monotonic() + 60
        while pool.full_waits < 4 and time.monotonic() < deadline:  # all four workers wait
            time.sleep(0.01)
        assert pool.full_waits == 4
        # Each worker holds the page it cannot queue; the queue holds 8; the writer has one.
        assert searches(sandbox) <= 1 + 8 + 4
        assert pool.high_water == 8 == pool.buffer
        rest = sum(len(page) for page in pages)
        assert rest == 1040 - 10
        assert pool.high_water == 8


def test_one_429_pauses_every_worker_for_what_jira_asks(
    wide_sandbox: Sandbox, tmp_path: Path
) -> None:
    made_during: list[int] = []
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        before = searches(wide_sandbox)
        time.sleep(0.5)  # long enough for the other workers to run ahead, were they not held
        made_during.append(searches(wide_sandbox) - before)

    # The first children query to arrive is refused; the others have just started theirs.
    query = children_query(wide_sandbox)
    wide_sandbox.faults.fail_next(429, retry_after=7, path_prefix="/rest/api", query_contains=query)
    engine = open_store(f"sqlite:///{tmp_path / 'paused.db'}")
    wide_sandbox.reset_requests()
    options = {"page_size": 10, "child_chunk": 50, "concurrency": 4}
    result = sync(wide_sandbox, engine, policy=RetryPolicy(sleep=sleep), **options)
    engine.dispose()
    assert asked == [7.0]
    # Requests already on their way when the 429 came may land during the pause; no new one.
    assert made_during[0] <= 3
    assert result.children == 1040
    # The epics' ids (1 page); 52 pages of epics; 12 chunks of 43 or 44 epics (4 workers x 3,
    # at most 50 epics each), 9 pages of 86 or 88 children each; and the refused one again.
    assert searches(wide_sandbox) == 1 + 52 + 12 * 9 + 1


def test_a_429_that_persists_ends_the_sync_within_the_retry_budget(
    wide_sandbox: Sandbox, tmp_path: Path
) -> None:
    query = children_query(wide_sandbox)
    faults = wide_sandbox.faults
    faults.fail_next(429, count=1000, retry_after=0, path_prefix="/rest/api", query_contains=query)
    engine = open_store(f"sqlite:///{tmp_path / 'limited.db'}")
    wide_sandbox.reset_requests()
    policy = RetryPolicy(max_attempts=3, sleep=lambda _: None)
    options = {"page_size": 10, "child_chunk": 50, "concurrency": 4}
    with pytest.raises(RateLimited) as limited:
        sync(wide_sandbox, engine, policy=policy, **options)
    engine.dispose()
    assert limited.value.exit_code == 3
    refused = [r for r in wide_sandbox.requests if r.status == 429]
    assert 3 <= len(refused) <= 4 * 3  # each of the four workers tries 3 times at most
    assert content(engine) == (set(), set())  # nothing half-written
