"""The store's tables (SQLAlchemy 2.x typed models). The schema itself is made by Alembic.

Every instant is a `UtcDateTime`: stored and compared in UTC, read back aware in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from connector.store.instants import UtcDateTime


class Base(DeclarativeBase):
    pass


class IssueRow(Base):
    """One Jira issue (an epic or a child of one), upserted by its Jira id."""

    __tablename__ = "issues"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    project: Mapped[str] = mapped_column(String(64))
    issuetype: Mapped[str] = mapped_column(String(128))
    is_epic: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(128))
    status_category: Mapped[str] = mapped_column(String(32))
    assignee: Mapped[str | None] = mapped_column(String(255))
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_key: Mapped[str | None] = mapped_column(String(64), index=True)
    story_points: Mapped[float | None] = mapped_column(Float)
    created: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated: Mapped[datetime | None] = mapped_column(UtcDateTime())
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sync_mark: Mapped[str | None] = mapped_column(String(32), index=True)  # migration 0003
    # Added by migration 0004 (claims read from Jira; see connector/jira_claims.py).
    claim_values: Mapped[list[str] | None] = mapped_column(JSON)
    links: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    parent_type: Mapped[str | None] = mapped_column(String(128))
    approval_value: Mapped[str | None] = mapped_column(String(255))
    # Every name Jira gives the epic's team (migration 0007; was team_key).
    team_names: Mapped[list[str] | None] = mapped_column(JSON)
    # Migration 0010: the extra epic fields (jira.epic_fields), one JSON object, so that a new
    # one needs no migration; NULL when an issue has none.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ScopeMember(Base):
    """Which epics a portfolio's JQL scope matched at its last sync."""

    __tablename__ = "scope_members"

    portfolio_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    issue_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )


class SyncCursor(Base):
    __tablename__ = "sync_cursors"

    portfolio_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_updated_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_sync_at: Mapped[datetime] = mapped_column(UtcDateTime())
    epics: Mapped[int] = mapped_column(Integer, default=0)
    children: Mapped[int] = mapped_column(Integer, default=0)
    # Migration 0008: the field ids and claim/team settings this cursor was built with.
    fields: Mapped[dict[str, str | None] | None] = mapped_column(JSON)


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_command", "command", "id"),
        # A fire time runs once: NULL (one-shot runs) may repeat, as unique indexes allow.
        Index("ux_runs_fire", "command", "scheduled_for", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    command: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    # Added by migration 0006 (run records for the scheduler; see connector/store/runs.py).
    trigger: Mapped[str | None] = mapped_column(String(16))  # "schedule" | "cli"
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime())
    holder: Mapped[str | None] = mapped_column(String(255))
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    duration_seconds: Mapped[float | None] = mapped_column(Float)


class SnapshotRow(Base):
    """What one run computed for one portfolio, kept for history and trends."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    portfolio_id: Mapped[str] = mapped_column(String(64), index=True)
    cycle_id: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class PublishRecord(Base):
    """The last version of a Confluence page that Outcomes wrote, to notice edits by people."""

    __tablename__ = "publish_records"

    portfolio_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    page_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    page_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    body_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RunLock(Base):
    """A lease: who acts now, until when (a crashed holder's lease simply runs out)."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- alignment (migration 0004): decisions, check-ins, OKRs read from Jira ------------------------


class DecisionRow(Base):
    """A leader's decision on a connection; append-only: the audit trail (store/decisions.py)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # an epic key or an objective id
    okr_id: Mapped[str | None] = mapped_column(String(64))  # None: all the subject's connections
    state: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(255))
    why: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # catalogue | jira | cli
    origin_detail: Mapped[str | None] = mapped_column(String(255))  # migration 0008
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Migration 0011: who, as the approvers list names people; false: not an approver's.
    decided_by_id: Mapped[str | None] = mapped_column(String(255))
    counted: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)


class ConnectionSeen(Base):
    """When a claim or a `supports` link was first seen by a sync (migration 0011)."""

    __tablename__ = "connections_seen"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-cased
    okr_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-cased
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())


class CheckinRow(Base):
    """A key result's value on a day: from `outcomes checkin` or measured by the sync."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kr_id: Mapped[str] = mapped_column(String(64), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16))  # manual | jira-field | jql
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    forecast: Mapped[float | None] = mapped_column(Float)  # migration 0009: the team's own


class OkrSourceRow(Base):
    """A part of the OKR catalogue read from Jira issues, in the catalogue file's format."""

    __tablename__ = "okr_sources"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CatalogueDay(Base):
    """The OKRs as the catalogue said them on an evaluation day (migration 0009), for
    `rules.okr_changes`: the last run of the day is the one kept. `scope` names the deployment
    (its portfolios), so settings files that share a store keep their catalogues apart."""

    __tablename__ = "catalogue_days"

    scope: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
