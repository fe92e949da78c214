"""Alignment: claim fields on issues, leaders' decisions, key-result check-ins, OKRs from Jira.

`decisions` is an append-only audit trail (who, when, why, from where); `checkins` keeps every
check-in, manual or measured at sync time; `okr_sources` holds the catalogue part read from Jira
issues, so evaluation never needs Jira.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
_ISSUE_COLUMNS = ("claim_values", "links", "parent_type", "approval_value")


def upgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("claim_values", sa.JSON))
        batch.add_column(sa.Column("links", sa.JSON))
        batch.add_column(sa.Column("parent_type", sa.String(128)))
        batch.add_column(sa.Column("approval_value", sa.String(255)))
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(64), nullable=False, index=True),
        sa.Column("okr_id", sa.String(64)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.Column("decided_by", sa.String(255)),
        sa.Column("why", sa.Text),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kr_id", sa.String(64), nullable=False, index=True),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("note", sa.Text),
        sa.Column("checked_by", sa.String(255)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "okr_sources",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("synced_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("okr_sources", "checkins", "decisions"):
        op.drop_table(table)
    with op.batch_alter_table("issues") as batch:
        for column in reversed(_ISSUE_COLUMNS):
            batch.drop_column(column)
