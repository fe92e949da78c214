"""Inspect and adapt: the catalogue each day's evaluation read, and the team's own forecasts.

`catalogue_days` keeps, per evaluation day, the OKRs as the catalogue then said them (a later run
of the same day replaces that day's row, as snapshots do), so the reports can show how the OKRs
changed; `checkins.forecast` is the value a team forecasts for the cycle's end with a check-in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_days",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("forecast", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("forecast")
    op.drop_table("catalogue_days")
