"""What an incremental sync costs in requests on a portfolio shaped like a real one: epics with
very uneven numbers of children (none, a few, dozens), after a few edits, a deletion, a move and
a new child. Small pages stand in for Jira's large ones (ids pages of 100 for Cloud's 5,000,
queries of at most 25 epics for 500), so a few thousand issues show what 100,000 would."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from connector.jira_source import filling_pages
from connector.sandbox import Sandbox
from tests.sync.conftest import connect, content, fresh_full_sync, issue, portfolio, sync

EPICS = 200
START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
OPTIONS = {"page_size": 100, "id_page_size": 100, "child_chunk": 25}


def uneven(deployment: str) -> tuple[dict[str, Any], int]:
    """PAY-1 … PAY-200 with 0 to 124 children each, most a handful (a long-tailed spread, as
    on real sites), numbered after the epics."""
    data = portfolio(deployment)
    rng = random.Random(5)
    sizes = [int(rng.lognormvariate(1.5, 1.0)) for _ in range(EPICS)]
    issues = [issue(f"PAY-{n}", "Epic") for n in range(1, EPICS + 1)]
    number = EPICS
    for epic, size in enumerate(sizes, start=1):
        for _ in range(size):
            number += 1
            issues.append(issue(f"PAY-{number}", parent=f"PAY-{epic}"))
    for second, item in enumerate(issues):  # distinct times, all before the edits below
        item["updated"] = (START + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data["jira"]["issues"] = issues
    return data, sum(sizes)


@pytest.fixture
def shaped(deployment: str) -> Iterator[tuple[Sandbox, int]]:
    data, children = uneven(deployment)
    with Sandbox(data) as running:
        yield running, children


def searches(sandbox: Sandbox) -> list[str]:
    """The JQL of each search the sandbox answered."""
    return [r.query["jql"][0] for r in sandbox.requests if "/search" in r.path]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_an_incremental_sync_reads_the_children_s_ids_in_full_pages(
    shaped: tuple[Sandbox, int], engine: Engine, tmp_path: Path, concurrency: int
) -> None:
    sandbox, children = shaped
    assert children == 1433
    sync(sandbox, engine, full=True, concurrency=concurrency, **OPTIONS)
    for key in ("PAY-250", "PAY-700", "PAY-1100", "PAY-1600"):
        sandbox.jira.update_issue(key, status="Done")
    sandbox.jira.delete_issue("PAY-900")
    sandbox.jira.update_issue("PAY-1000", parent="PAY-2")  # moved to an epic that had none
    sandbox.jira.add_issue(issue("PAY-2000", parent="PAY-9", updated="2026-10-06T09:00:00Z"))
    sandbox.reset_requests()

    result = sync(sandbox, engine, concurrency=concurrency, **OPTIONS)

    assert (result.full, result.children) == (False, children)  # one gone, one new
    asked = searches(sandbox)
    # The children's ids: by parent on Cloud, by Epic Link on Data Center; no `updated` bound.
    ids_pass = [jql for jql in asked if jql.startswith(("parent in", "cf[10100] in"))]
    # 1,433 ids at 100 a page: 15 pages at the least, and 15 it takes. Chunks of 25 epics in
    # order would take 19 (175 to 250 ids each: every query ends on a part-filled page).
    assert len(ids_pass) == 15
    # Besides: the changed epics (1 page), the epics' ids (2) and, for each of the 8 chunks of
    # 25 epics, its changed children (1 page).
    assert len(asked) == 15 + 1 + 2 + 8
    assert content(engine) == fresh_full_sync(sandbox, tmp_path)


def test_on_data_center_no_query_of_the_ids_pass_passes_the_search_window(
    engine: Engine,
) -> None:
    """Jira Data Center serves at most its window of results per search; a query past it is
    split by `updated` (several more requests). The ids pass keeps each query within it."""
    data, children = uneven("Server")
    with Sandbox(data) as sandbox:
        sandbox.faults.search_window = 200  # chunks of 25 epics hold up to 250 children
        options = {**OPTIONS, "search_window": 200}
        sync(sandbox, engine, full=True, **options)
        sandbox.jira.update_issue("PAY-250", status="Done")
        sandbox.reset_requests()

        result = sync(sandbox, engine, **options)

        assert result.children == children
        asked = searches(sandbox)
        assert [jql for jql in asked if "updated <" in jql or "ORDER BY updated" in jql] == []
        assert len(asked) == 15 + 1 + 2 + 8  # the same pages as in the test above


def test_every_epic_is_asked_about_once_within_the_limits_whatever_the_counts() -> None:
    """The counts shape the chunks only: an epic the store counts no children for is still
    asked about, one past the window goes alone, and no chunk passes 25 epics."""
    rng = random.Random(3)
    ids = [str(n) for n in range(10_000, 10_300)]
    counts = {i: int(rng.lognormvariate(1.5, 1.2)) for i in ids if rng.random() < 0.7}
    counts["10007"] = 450  # more than the window by itself
    chunks = list(filling_pages(ids, counts, most=25, page=100, cap=300))
    assert [i for chunk in chunks for i in chunk] == ids
    assert all(len(chunk) <= 25 for chunk in chunks)
    totals = [sum(counts.get(i, 0) for i in chunk) for chunk in chunks]
    assert all(total <= 300 for total, chunk in zip(totals, chunks, strict=True) if len(chunk) > 1)
    assert ["10007"] in chunks


def test_a_chunk_cut_by_counts_still_halves_round_an_epic_deleted_mid_sync(
    sandbox: Sandbox,
) -> None:
    source = connect(sandbox)
    pay1, pay5 = sandbox.jira.get("PAY-1"), sandbox.jira.get("PAY-5")
    assert pay1 is not None and pay5 is not None
    sandbox.jira.delete_issue("PAY-5")  # deleted after the sync listed the scope's epics
    epics = [str(pay1.id), str(pay5.id)]
    ids = [
        i for page in source.child_id_pages(epics, {str(pay1.id): 3, str(pay5.id): 1}) for i in page
    ]
    assert len(ids) == 3  # PAY-1's children; PAY-5's child lost its parent with it
    refused = [r.query["jql"][0] for r in sandbox.requests if r.status == 400]
    assert refused[0].startswith(source.children_jql(epics))  # the whole chunk, at first
