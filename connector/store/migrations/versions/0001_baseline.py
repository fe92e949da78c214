"""Baseline schema: issues, scope, cursors, runs, snapshots, publish records.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("project", sa.String(64), nullable=False),
        sa.Column("issuetype", sa.String(128), nullable=False),
        sa.Column("is_epic", sa.Boolean, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(128), nullable=False),
        sa.Column("status_category", sa.String(32), nullable=False),
        sa.Column("assignee", sa.String(255)),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("parent_key", sa.String(64), index=True),
        sa.Column("story_points", sa.Float),
        sa.Column("created", TZ),
        sa.Column("updated", TZ),
        sa.Column("synced_at", TZ, nullable=False),
    )
    op.create_table(
        "scope_members",
        sa.Column("portfolio_id", sa.String(64), primary_key=True),
        sa.Column(
            "issue_id",
            sa.String(32),
            sa.ForeignKey("issues.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("portfolio_id", sa.String(64), primary_key=True),
        sa.Column("last_updated_ms", sa.BigInteger),
        sa.Column("last_sync_at", TZ, nullable=False),
        sa.Column("epics", sa.Integer, nullable=False),
        sa.Column("children", sa.Integer, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("portfolio_id", sa.String(64), nullable=False, index=True),
        sa.Column("cycle_id", sa.String(64), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "publish_records",
        sa.Column("portfolio_id", sa.String(64), primary_key=True),
        sa.Column("page_key", sa.String(128), primary_key=True),
        sa.Column("page_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "publish_records",
        "snapshots",
        "runs",
        "sync_cursors",
        "scope_members",
        "issues",
    ):
        op.drop_table(table)
