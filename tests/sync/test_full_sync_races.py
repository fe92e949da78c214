"""A full sync lists the scope's epic ids, then reads the epics by id beside their children
(connector/sync.py): what changes on the site between the two reads must not corrupt the store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from connector.sandbox import Sandbox
from tests.sync.conftest import content, fresh_full_sync, sync


def test_an_epic_deleted_after_the_ids_were_listed_leaves_the_scope(
    sandbox: Sandbox, engine: Engine, tmp_path: Path
) -> None:
    sandbox.faults.act_before_next(
        lambda: sandbox.jira.delete_issue("PAY-5"), path_prefix="/rest/api", query_contains="id in"
    )
    # One search at a time, children first (`JiraSource.scope_pages`): with more, whether the
    # children's page or the epics' is answered first is a race, and so is whether PAY-6 is read.
    result = sync(sandbox, engine, full=True, concurrency=1)
    # PAY-5 was listed, its child PAY-6 read, then PAY-5 deleted before its own fields were
    # read: PAY-5 is not stored and not in the scope, and its child is not counted.
    assert (result.epics, result.children) == (3, 5)
    rows, scope = content(engine)
    fresh_rows, fresh_scope = fresh_full_sync(sandbox, tmp_path)
    assert scope == fresh_scope
    assert {row[1] for row in rows} - {row[1] for row in fresh_rows} == {"PAY-6"}
    assert "PAY-5" not in {row[1] for row in rows}
    # The next sync no longer sees PAY-6 under any epic of the scope: it goes.
    sync(sandbox, engine)
    assert content(engine) == (fresh_rows, fresh_scope)


def test_the_same_race_with_searches_side_by_side_keeps_the_scope_right(
    sandbox: Sandbox, engine: Engine, tmp_path: Path
) -> None:
    sandbox.faults.act_before_next(
        lambda: sandbox.jira.delete_issue("PAY-5"), path_prefix="/rest/api", query_contains="id in"
    )
    result = sync(sandbox, engine, full=True, concurrency=4)
    # Whichever page is answered first, the scope and the counts are those of a fresh sync;
    # PAY-6 is stored only if its page came before the deletion, and goes on the next sync.
    assert (result.epics, result.children) == (3, 5)
    rows, scope = content(engine)
    fresh_rows, fresh_scope = fresh_full_sync(sandbox, tmp_path)
    assert scope == fresh_scope
    assert {row[1] for row in rows} - {row[1] for row in fresh_rows} <= {"PAY-6"}
    sync(sandbox, engine)
    assert content(engine) == (fresh_rows, fresh_scope)
