"""Instants from a Jira site in Sydney (+1000, then +1100 after 4 October 2026) are kept and
compared as UTC, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.issues import load_epics
from connector.store.models import IssueRow, SyncCursor
from connector.sync import ScopeSpec, sync_scopes
from tests.postgres import scratch_database
from tests.store.test_migrations import upgrade_to
from tests.sync.conftest import NOW, connect, issue, portfolio

SCOPE = ScopeSpec("retail", "Retail", "project = PAY AND issuetype = Epic")
SYDNEY_SUMMER = timezone(timedelta(hours=11))


def sydney_site(deployment: str) -> dict[str, Any]:
    data = portfolio(deployment)
    data["jira"]["timezone"] = "Australia/Sydney"
    data["jira"]["issues"] = [
        # Jira answers 2026-10-04T01:00:00.000+1000 and 2026-10-04T07:00:00.000+1100.
        {
            **issue("PAY-1", "Epic", updated="2026-10-03T20:00:00Z"),
            "created": "2026-10-03T15:00:00Z",
        },
        # Jira answers 2026-11-12T08:00:26.859+1100: still 11 November in UTC.
        issue("PAY-2", "Epic", updated="2026-11-11T21:00:26.859Z"),
    ]
    return data


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_jira_instants_come_back_as_the_same_instants_in_utc(
    engine: Engine, deployment: str
) -> None:
    with Sandbox(sydney_site(deployment)) as sandbox:
        sync_scopes(connect(sandbox), engine, [SCOPE], now=NOW, lookback_ms=0)
    with Session(engine) as session:
        epics = {e.key: e for e in load_epics(session, "retail")}
        cursor = session.get(SyncCursor, "retail")
        assert cursor is not None
        synced_at = cursor.last_sync_at
    assert epics["PAY-1"].created == datetime(2026, 10, 3, 15, 0, tzinfo=UTC)
    assert epics["PAY-1"].updated == datetime(2026, 10, 3, 20, 0, tzinfo=UTC)
    assert epics["PAY-2"].updated == datetime(2026, 11, 11, 21, 0, 26, 859000, tzinfo=UTC)
    # Aware and in UTC, so a report that prints them shows the UTC wall time.
    for epic in epics.values():
        assert epic.updated is not None and epic.updated.tzinfo is UTC
    assert epics["PAY-2"].updated.isoformat() == "2026-11-11T21:00:26.859000+00:00"
    assert synced_at == NOW and synced_at.tzinfo is UTC


def test_instants_compare_as_utc_in_queries(engine: Engine) -> None:
    with Sandbox(sydney_site("Cloud")) as sandbox:
        sync_scopes(connect(sandbox), engine, [SCOPE], now=NOW, lookback_ms=0)
    # 2026-11-12 07:00 in Sydney is 2026-11-11 20:00 UTC: PAY-2 (21:00 UTC) is later.
    sydney_morning = datetime(2026, 11, 12, 7, 0, tzinfo=SYDNEY_SUMMER)
    half_past = datetime(2026, 11, 11, 21, 30, tzinfo=UTC)  # after PAY-2, before 08:00 Sydney
    with Session(engine) as session:

        def later_than(moment: datetime) -> list[str]:
            query = select(IssueRow.key).where(IssueRow.updated > moment).order_by(IssueRow.key)
            return list(session.scalars(query))

        assert later_than(sydney_morning) == ["PAY-2"]
        assert later_than(half_past) == []
        assert later_than(datetime(2026, 10, 3, 19, 59, tzinfo=UTC)) == ["PAY-1", "PAY-2"]


def test_a_naive_instant_is_taken_as_utc(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            SyncCursor(portfolio_id="p", last_sync_at=datetime(2026, 11, 24, 9, 0), epics=0)
        )
    with Session(engine) as session:
        cursor = session.get(SyncCursor, "p")
        assert cursor is not None
        assert cursor.last_sync_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_store_from_before_reads_everything_again_and_keeps_its_team_names(
    store_url: str, tmp_path: Path
) -> None:
    url = store_url if not store_url.startswith("sqlite") else f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_to(url, "0006")
    old = create_engine(url)
    with old.begin() as connection:
        # What the old code wrote on SQLite: Sydney's wall time, its offset lost.
        connection.execute(
            text(
                "INSERT INTO issues (id, key, project, issuetype, is_epic, summary, status,"
                " status_category, labels, created, updated, synced_at, team_key) VALUES"
                " ('10000', 'PAY-1', 'PAY', 'Epic', true, 'Work PAY-1', 'To Do', 'new', '[]',"
                " '2026-10-04 01:00:00', '2026-10-04 07:00:00', '2026-11-24 09:00:00', 'Mobile')"
            )
        )
        connection.execute(
            text("INSERT INTO scope_members (portfolio_id, issue_id) VALUES ('retail', '10000')")
        )
        connection.execute(
            text(
                "INSERT INTO sync_cursors (portfolio_id, last_updated_ms, last_sync_at, epics,"
                " children) VALUES ('retail', 1791057600000, '2026-11-24 09:00:00', 1, 0)"
            )
        )
    old.dispose()
    engine = open_store(url)
    try:
        with Session(engine) as session:
            (epic,) = load_epics(session, "retail")
            assert epic.team_names == ("Mobile",)  # until the next sync reads them all
            cursor = session.get(SyncCursor, "retail")
            assert cursor is not None and cursor.last_updated_ms is None
        with Sandbox(sydney_site("Cloud")) as sandbox:
            (result,) = sync_scopes(connect(sandbox), engine, [SCOPE], now=NOW, lookback_ms=0)
        assert result.full
        with Session(engine) as session:
            epics = {e.key: e for e in load_epics(session, "retail")}
        assert epics["PAY-1"].updated == datetime(2026, 10, 3, 20, 0, tzinfo=UTC)
        assert epics["PAY-1"].team_names == ()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_session_in_another_zone_still_reads_utc() -> None:
    with scratch_database() as url:
        # The server would hand timestamptz values back in the session's zone.
        engine = open_store(f"{url}?options=-c%20timezone%3DAustralia/Sydney")
        try:
            with Sandbox(sydney_site("Cloud")) as sandbox:
                sync_scopes(connect(sandbox), engine, [SCOPE], now=NOW, lookback_ms=0)
            with Session(engine) as session:
                zone = session.execute(text("SHOW timezone")).scalar_one()
                updated = dict(session.execute(select(IssueRow.key, IssueRow.updated)).all())
        finally:
            engine.dispose()
    assert zone == "Australia/Sydney"
    assert updated["PAY-2"].isoformat() == "2026-11-11T21:00:26.859000+00:00"
    assert updated["PAY-1"].isoformat() == "2026-10-03T20:00:00+00:00"
