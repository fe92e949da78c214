"""The sync's bulk upsert writes each column exactly as the ORM would.

`upsert_issues` hands the driver values it prepared itself (JSON as text, instants in UTC, on
SQLite as text), bypassing SQLAlchemy's type processing for speed. Every other reader and writer
of the issues table goes through SQLAlchemy, so the stored form must be the same byte for byte:
a SQLite instant in another text form would sort and compare wrongly against bound parameters.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from connector.store.issues import IssueRecord, upsert_issues
from connector.store.models import IssueRow

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# Offsets Jira sites write (Sydney in summer and winter, New York, India, UTC) and naive times.
ZONES = [UTC, *(timezone(timedelta(minutes=m)) for m in (660, 600, -300, 330))]

# PostgreSQL keeps no NUL in text, whichever path writes it.
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
maybe_names = st.none() | names
instants = st.none() | st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    st.sampled_from(ZONES),
)
links = st.lists(st.fixed_dictionaries({"type": names, "key": names, "direction": names}))
records = st.builds(
    IssueRecord,
    id=st.just("1"),
    key=names,
    project=names,
    issuetype=names,
    is_epic=st.booleans(),
    summary=names,
    status=names,
    status_category=st.sampled_from(["new", "indeterminate", "done"]),
    assignee=maybe_names,
    labels=st.lists(names, max_size=3),
    parent_key=maybe_names,
    story_points=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    created=instants,
    updated=instants,
    claim_values=st.lists(names, max_size=3),
    links=links,
    parent_type=maybe_names,
    approval_value=maybe_names,
    team_names=st.lists(names, max_size=2),
    extra=st.none() | st.dictionaries(names, st.integers() | names, min_size=1, max_size=2),
)


def stored(engine: Engine, issue_id: str) -> tuple[object, ...]:
    """The row as the database keeps it (raw: text on SQLite), without its id."""
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM issues WHERE id = :id"), {"id": issue_id})
        return tuple(v for k, v in row.one()._mapping.items() if k != "id")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=records, record=records)
def test_an_upserted_row_is_stored_as_the_orm_stores_it(
    engine: Engine, before: IssueRecord, record: IssueRecord
) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(IssueRow))
        session.add(IssueRow(**{**asdict(record), "id": "orm"}, synced_at=NOW, sync_mark="m"))
        # Written twice: the second write goes through ON CONFLICT ... DO UPDATE, every column.
        upsert_issues(session, [before], synced_at=NOW - timedelta(days=1), mark="old")
        upsert_issues(session, [record], synced_at=NOW, mark="m")
    assert stored(engine, "1") == stored(engine, "orm")
