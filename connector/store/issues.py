"""Issues in the store: upsert what a sync fetched, and read epics back as domain objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from connector.jira_fields import load_extra
from connector.store.models import IssueRow, ScopeMember, SyncCursor
from rules.model import ChildStats, Epic, IssueLink, StatusCategory

CHUNK = 500


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """One issue as the connector read it from Jira, flattened for the store."""

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

    Rows are plain tuples zipped with the column names (`dataclasses.asdict` deep-copies every
    list and dict: most of a large sync's CPU went there), sent through Core, not the ORM's bulk
    path (which splits a page into many statements by which values are None)."""
    stamp = {"synced_at": synced_at, "sync_mark": mark}
    values = _RECORD_VALUES
    rows = [dict(zip(_RECORD_FIELDS, values(issue), strict=True), **stamp) for issue in issues]
    if not rows:
        return 0
    connection = session.connection()
    upsert = _upsert(connection.dialect.name)
    for start in range(0, len(rows), CHUNK):
        connection.execute(upsert, rows[start : start + CHUNK])
    return len(rows)


_RECORD_FIELDS = tuple(f.name for f in fields(IssueRecord))
_RECORD_VALUES = attrgetter(*_RECORD_FIELDS)


@cache
def _upsert(dialect: str) -> Insert:
    """The statement, built once per dialect (the compiled form is cached by SQLAlchemy)."""
    table = IssueRow.metadata.tables[IssueRow.__tablename__]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    columns = [c.name for c in table.columns if c.name != "id"]
    return statement.on_conflict_do_update(
        index_elements=["id"], set_={c: statement.excluded[c] for c in columns}
    )


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
    session.add_all(ScopeMember(portfolio_id=portfolio_id, issue_id=i) for i in set(epic_ids))
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
