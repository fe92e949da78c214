"""The field settings a sync cursor was built with; where exactly a decision came from.

`sync_cursors.fields` holds the field ids and claim/team settings of the last sync, so that a
field configured later is back-filled by the next incremental sync. `decisions.origin_detail` says
more than `origin` can: "Jira label, changelog unavailable".

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_cursors") as batch:
        batch.add_column(sa.Column("fields", sa.JSON))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("origin_detail", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("origin_detail")
    with op.batch_alter_table("sync_cursors") as batch:
        batch.drop_column("fields")
