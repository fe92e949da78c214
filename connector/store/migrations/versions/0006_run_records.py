"""Run records for the scheduler: who ran what, for which fire time, with which counts (issue 7).

`scheduled_for` is the cron fire time a scheduled run serves; (command, scheduled_for) is unique, so
no fire time is ever run twice, not even by two processes that both think they lead. One-shot runs
leave it NULL, which a unique index allows any number of times.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("trigger", sa.String(16)))
        batch.add_column(sa.Column("scheduled_for", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("holder", sa.String(255)))
        batch.add_column(sa.Column("counts", sa.JSON))
        batch.add_column(sa.Column("duration_seconds", sa.Float))
    op.create_index("ix_runs_command", "runs", ["command", "id"])
    op.create_index("ux_runs_fire", "runs", ["command", "scheduled_for"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_runs_fire", table_name="runs")
    op.drop_index("ix_runs_command", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        for column in ("duration_seconds", "counts", "holder", "scheduled_for", "trigger"):
            batch.drop_column(column)
