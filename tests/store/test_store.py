"""The store on SQLite and PostgreSQL: migrations, upserts, child statistics, publish records."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from connector.store import history
from connector.store.db import MIGRATIONS, migrate
from connector.store.issues import IssueRecord, load_epics, replace_scope, upsert_issues
from connector.store.models import IssueRow
from rules.model import StatusCategory

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def issue(key: str, **changes: object) -> IssueRecord:
    values: dict[str, object] = {
        "id": str(10000 + int(key.split("-")[1])),
        "key": key,
        "project": key.split("-")[0],
        "issuetype": "Story",
        "is_epic": False,
        "summary": f"Summary of {key}",
        "status": "To Do",
        "status_category": "new",
        "assignee": None,
        "labels": [],
        "parent_key": None,
        "story_points": None,
        "created": datetime(2026, 10, 2, tzinfo=UTC),
        "updated": datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    }
    values.update(changes)
    return IssueRecord(**values)  # type: ignore[arg-type]


def test_the_migrations_create_every_table_at_head(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "issues",
        "scope_members",
        "sync_cursors",
        "runs",
        "snapshots",
        "publish_records",
        "run_locks",
    } <= tables
    with engine.connect() as connection:
        version = connection.execute(text("select version_num from alembic_version")).scalar()
    assert version == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    migrate(engine)  # a second upgrade is a no-op
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from alembic_version")).scalar() == 1


def test_upsert_by_id_updates_in_place_and_keeps_one_row(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        upsert_issues(session, [issue("PAY-1", summary="Old", labels=["a"])], synced_at=NOW)
    with Session(engine) as session, session.begin():
        upsert_issues(
            session, [issue("PAY-1", summary="New", labels=["okr:P1.KR1"])], synced_at=NOW
        )
    with Session(engine) as session:
        rows = session.scalars(select(IssueRow)).all()
        assert [(r.key, r.summary, r.labels) for r in rows] == [("PAY-1", "New", ["okr:P1.KR1"])]


def test_epics_come_back_with_child_statistics_computed_from_children(engine: Engine) -> None:
    records = [
        issue(
            "PAY-1",
            is_epic=True,
            issuetype="Epic",
            status="In Progress",
            status_category="indeterminate",
            labels=["okr:P1.KR1"],
        ),
        issue("PAY-2", parent_key="PAY-1", status="Done", status_category="done", story_points=3.0),
        issue("PAY-3", parent_key="PAY-1", status="Done", status_category="done", story_points=5.0),
        issue(
            "PAY-4",
            parent_key="PAY-1",
            status="In Progress",
            status_category="indeterminate",
            story_points=8.0,
        ),
        issue("PAY-5", parent_key="PAY-1"),
        issue("PAY-6", is_epic=True, issuetype="Epic"),
    ]
    with Session(engine) as session, session.begin():
        upsert_issues(session, records, synced_at=NOW)
        replace_scope(
            session,
            "retail",
            ["10001", "10006"],
            synced_at=NOW,
            last_updated_ms=1_795_000_000_000,
            children=4,
        )
    with Session(engine) as session:
        epics = {e.key: e for e in load_epics(session, "retail")}
    assert set(epics) == {"PAY-1", "PAY-6"}
    pay1 = epics["PAY-1"].children
    assert pay1.total == 4
    assert pay1.done == 2
    assert pay1.by_category == {
        StatusCategory.DONE: 2,
        StatusCategory.IN_PROGRESS: 1,
        StatusCategory.NEW: 1,
    }
    assert (pay1.points_total, pay1.points_done) == (16.0, 8.0)
    assert epics["PAY-1"].labels == ("okr:P1.KR1",)
    assert epics["PAY-6"].children.total == 0


def test_a_new_scope_replaces_the_old_one(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        upsert_issues(
            session, [issue("PAY-1", is_epic=True), issue("PAY-2", is_epic=True)], synced_at=NOW
        )
        replace_scope(
            session, "retail", ["10001", "10002"], synced_at=NOW, last_updated_ms=None, children=0
        )
    with Session(engine) as session, session.begin():
        replace_scope(session, "retail", ["10002"], synced_at=NOW, last_updated_ms=None, children=0)
    with Session(engine) as session:
        assert [e.key for e in load_epics(session, "retail")] == ["PAY-2"]


def test_publish_records_round_trip_and_update(engine: Engine) -> None:
    for version in (1, 2):
        with Session(engine) as session, session.begin():
            history.record_publish(
                session,
                portfolio_id="retail",
                page_key="overview",
                page_id="42",
                title="Retail — Outcomes",
                version=version,
                body_hash="h" * 64,
                published_at=NOW,
            )
    with Session(engine) as session:
        record = history.publish_record(session, "retail", "overview")
        assert record is not None
        assert (record.page_id, record.version) == ("42", 2)
        assert history.publish_record(session, "retail", "unaligned") is None


def test_snapshots_keep_history_newest_last(engine: Engine) -> None:
    for day in ("2026-11-23", "2026-11-24"):
        with Session(engine) as session, session.begin():
            history.save_snapshot(
                session,
                run_id=None,
                portfolio_id="retail",
                cycle_id="2026-Q4",
                as_of=day,
                created_at=NOW,
                data={"objectives": {"P1": {"score": 0.5}}},
            )
    with Session(engine) as session:
        latest = history.latest_snapshot(session, "retail")
        assert latest is not None
        assert latest.as_of == "2026-11-24"
        assert latest.data == {"objectives": {"P1": {"score": 0.5}}}
