"""Issues in the store: upsert what a sync fetched, and read epics back as domain objects."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Select, and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from connector.jira_fields import load_extra
from connector.store.instants import UtcDateTime, as_utc
from connector.store.models import IssueRow, ScopeMember, SyncCursor
from rules.model import ChildStats, Epic, IssueLink, StatusCategory

CHUNK = 500


@dataclass(slots=True)  # not frozen: its __init__ costs twice as much, and a sync makes 100,000s
class IssueRecord:
    """One issue as the connector read it from Jira, flattened for the store (read-only by
    convention: nothing changes a record once it is built)."""

    id: str
    key: str
    project: str
    issuetype: str
    is_epic: bool
    summary: str
    status: str
    status_category: str
    assignee: str | None
    labels: list[str]
    parent_key: str | None
    story_points: float | None
    created: datetime | None
    updated: datetime | None
    # Claim-related values (connector/jira_claims.py); empty unless the settings ask for them.
    claim_values: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)  # {type, key, direction}
    parent_type: str | None = None
    approval_value: str | None = None
    team_names: list[str] = field(default_factory=list)  # as Jira names the team (teams.source)
    # Extra epic fields (jira.epic_fields), by key, as connector.jira_fields.EPIC_FIELDS keeps
    # them; None when there are none (child issues).
    extra: dict[str, Any] | None = None


def upsert_issues(
    session: Session, issues: Iterable[IssueRecord], synced_at: datetime, mark: str | None = None
) -> int:
    """Insert or update the issues by id: one INSERT ... ON CONFLICT DO UPDATE per chunk.

    The rows go to the driver as plain tuples with the values already in the form the column
    keeps (JSON as text, instants in UTC), through `exec_driver_sql`: SQLAlchemy's per-value
    bind processing was most of a large sync's storing CPU. `tests/store` reads every column
    back through the ORM on SQLite and PostgreSQL, so the two paths cannot drift apart."""
    connection = session.connection()
    writer = _writer(connection.dialect.name, connection.dialect.paramstyle)
    stamp = writer.instant(synced_at)
    rows = [writer.row(issue, stamp, mark) for issue in issues]
    for start in range(0, len(rows), CHUNK):
        # executemany: SQLite steps the rows one by one; psycopg sends them in one pipeline.
        connection.exec_driver_sql(writer.sql, rows[start : start + CHUNK])
    return len(rows)


_RECORD_FIELDS = tuple(f.name for f in fields(IssueRecord))
_RECORD_VALUES = attrgetter(*_RECORD_FIELDS)
_encode_json = json.JSONEncoder().encode  # what the JSON column type writes (json.dumps)


class _Writer:
    """The upsert's SQL for one database, and each record as the tuple of its parameters."""

    def __init__(self, dialect: str, placeholder: str) -> None:
        table = IssueRow.metadata.tables[IssueRow.__tablename__]
        names = [*_RECORD_FIELDS, "synced_at", "sync_mark"]
        missing = {c.name for c in table.columns} ^ set(names)
        assert not missing, f"IssueRecord and the issues table differ: {sorted(missing)}"
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(names)})"
            f" VALUES ({', '.join([placeholder] * len(names))})"
            " ON CONFLICT (id) DO UPDATE SET"
            f" {', '.join(f'{n} = excluded.{n}' for n in names if n != 'id')}"
        )
        kinds = [type(table.columns[n].type) for n in _RECORD_FIELDS]
        self.json_at = [i for i, kind in enumerate(kinds) if issubclass(kind, JSON)]
        self.time_at = [i for i, kind in enumerate(kinds) if issubclass(kind, UtcDateTime)]
        self.sqlite = dialect == "sqlite"

    def instant(self, moment: datetime | None) -> datetime | str | None:
        """What UtcDateTime binds: the instant in UTC; on SQLite as the text SQLAlchemy keeps
        there ("2026-11-12 08:00:26.859000", no offset)."""
        if moment is None:
            return None
        if moment.tzinfo is not UTC:
            moment = as_utc(moment)
        return moment.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else moment

    def row(self, issue: IssueRecord, stamp: Any, mark: str | None) -> tuple[Any, ...]:
        values = list(_RECORD_VALUES(issue))
        for i in self.json_at:
            value = values[i]
            if value is not None:  # most lists are empty: "[]" without the encoder
                values[i] = "[]" if value == [] else _encode_json(value)
        for i in self.time_at:
            if values[i] is not None:
                values[i] = self.instant(values[i])
        values += (stamp, mark)
        return tuple(values)


@cache
def _writer(dialect: str, paramstyle: str) -> _Writer:
    placeholder = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(paramstyle)
    if placeholder is None:
        raise NotImplementedError(f"the store does not write issues through {dialect}")
    return _Writer(dialect, placeholder)


def replace_scope(
    session: Session,
    portfolio_id: str,
    epic_ids: Sequence[str],
    *,
    synced_at: datetime,
    last_updated_ms: int | None,
    children: int,
    fields: dict[str, str | None] | None = None,
) -> None:
    """Record which epics the portfolio's scope holds now, and where the sync got to."""
    session.execute(delete(ScopeMember).where(ScopeMember.portfolio_id == portfolio_id))
    members = [{"portfolio_id": portfolio_id, "issue_id": i} for i in sorted(set(epic_ids))]
    if members:  # rows, not ORM objects: 20,000 of those took 11 MB at a sync's peak
        session.execute(insert(ScopeMember), members)
    cursor = session.get(SyncCursor, portfolio_id) or SyncCursor(portfolio_id=portfolio_id)
    cursor.last_updated_ms = last_updated_ms
    cursor.last_sync_at = synced_at
    cursor.epics = len(set(epic_ids))
    cursor.children = children
    cursor.fields = fields
    session.merge(cursor)


def scope_ids(session: Session, portfolio_id: str) -> set[str]:
    query = select(ScopeMember.issue_id).where(ScopeMember.portfolio_id == portfolio_id)
    return set(session.scalars(query))


def rekey_children(session: Session, epics: Sequence[IssueRecord]) -> None:
    """An epic moved to another project got a new key: point its stored children at it."""
    ids = [e.id for e in epics]
    if not ids:
        return
    rows = session.execute(select(IssueRow.id, IssueRow.key).where(IssueRow.id.in_(ids)))
    known = {row.id: row.key for row in rows}
    for epic in epics:
        old = known.get(epic.id)
        if old is not None and old != epic.key:
            session.execute(
                update(IssueRow).where(IssueRow.parent_key == old).values(parent_key=epic.key)
            )


def mark_seen(session: Session, ids: Sequence[str], mark: str) -> None:
    """Stamp issues this sync saw without reading their fields (the ids-only pass)."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        session.execute(update(IssueRow).where(IssueRow.id.in_(chunk)).values(sync_mark=mark))


def delete_unseen(session: Session, mark: str) -> int:
    """Remove every issue this sync did not see in any scope; returns how many went."""
    unseen = (IssueRow.sync_mark.is_(None)) | (IssueRow.sync_mark != mark)
    gone = select(IssueRow.id).where(unseen)
    session.execute(delete(ScopeMember).where(ScopeMember.issue_id.in_(gone)))
    result = session.execute(delete(IssueRow).where(unseen))
    return int(result.rowcount)  # type: ignore[attr-defined]


def load_epics(session: Session, portfolio_id: str) -> list[Epic]:
    """The portfolio's epics with child statistics computed from the stored children."""
    # Plain rows, not ORM objects: nothing here is written back, and 20,000 tracked objects cost
    # a third of the load.
    in_scope = ScopeMember.issue_id == IssueRow.id, ScopeMember.portfolio_id == portfolio_id
    epic_rows = session.execute(select(*_EPIC_COLUMNS).join(ScopeMember, and_(*in_scope))).all()
    stats = _child_stats(session, select(IssueRow.key).join(ScopeMember, and_(*in_scope)))
    return [_epic(row, stats.get(row.key, ChildStats())) for row in epic_rows]


def issue_ids(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Issue key -> Jira id, for the stored issues among `keys`."""
    wanted = sorted(set(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = session.execute(select(IssueRow.key, IssueRow.id).where(IssueRow.key.in_(chunk)))
        found |= {row.key: row.id for row in rows}
    return found


def sync_cursor(session: Session, portfolio_id: str) -> SyncCursor | None:
    return session.get(SyncCursor, portfolio_id)


def _child_stats(session: Session, epic_keys: Select[Any]) -> dict[str, ChildStats]:
    """Counts and points per epic and status category, summed by the database in one query (a
    large portfolio has hundreds of thousands of child issues: only the sums reach Python)."""
    counts: dict[str, dict[StatusCategory, int]] = defaultdict(dict)
    points: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    query = (
        select(
            IssueRow.parent_key,
            IssueRow.status_category,
            func.count(),
            func.sum(IssueRow.story_points),  # NULL when no child has points
        )
        .where(IssueRow.parent_key.in_(epic_keys.scalar_subquery()), IssueRow.is_epic.is_(False))
        .group_by(IssueRow.parent_key, IssueRow.status_category)
    )
    for parent, category, count, summed in session.execute(query):
        if parent is None:
            continue
        status = StatusCategory(category)
        counts[parent][status] = count
        points[parent][0] += summed or 0.0
        if status is StatusCategory.DONE:
            points[parent][1] += summed or 0.0
    return {
        key: ChildStats(
            total=sum(by_category.values()),
            by_category=by_category,
            points_total=points[key][0],
            points_done=points[key][1],
        )
        for key, by_category in counts.items()
    }


_EPIC_COLUMNS = (
    IssueRow.key,
    IssueRow.summary,
    IssueRow.project,
    IssueRow.status,
    IssueRow.status_category,
    IssueRow.labels,
    IssueRow.assignee,
    IssueRow.created,
    IssueRow.updated,
    IssueRow.parent_key,
    IssueRow.claim_values,
    IssueRow.links,
    IssueRow.parent_type,
    IssueRow.approval_value,
    IssueRow.team_names,
    IssueRow.extra,
)


def _epic(row: Any, children: ChildStats) -> Epic:  # a Row of _EPIC_COLUMNS
    return Epic(
        key=row.key,
        summary=row.summary,
        project=row.project,
        status=row.status,
        status_category=StatusCategory(row.status_category),
        labels=tuple(row.labels or ()),
        assignee=row.assignee,
        created=row.created,
        updated=row.updated,
        parent_key=row.parent_key,
        children=children,
        claim_field=tuple(row.claim_values or ()),
        links=tuple(IssueLink(**link) for link in row.links or ()),
        parent_type=row.parent_type,
        approval_value=row.approval_value,
        team_names=tuple(row.team_names or ()),
        extra=load_extra(row.extra),
    )


def child_counts(session: Session, epic_ids: Sequence[str]) -> dict[str, int]:
    """Epic id -> how many stored issues name that epic as their parent (by its stored key):
    what a children query for it should return, as far as the store knows. Epics with none
    are left out."""
    counts: dict[str, int] = {}
    for start in range(0, len(epic_ids), CHUNK):
        chunk = list(epic_ids[start : start + CHUNK])
        found = session.execute(select(IssueRow.key, IssueRow.id).where(IssueRow.id.in_(chunk)))
        keys = {row.key: row.id for row in found}
        per_key = (
            select(IssueRow.parent_key, func.count())
            .where(IssueRow.parent_key.in_(list(keys)))
            .group_by(IssueRow.parent_key)
        )
        counts |= {keys[key]: n for key, n in session.execute(per_key) if key in keys}
    return counts
