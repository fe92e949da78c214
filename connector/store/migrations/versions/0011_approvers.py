"""Leaders decide where they read: who decided (as the approvers list names people), whether the
decision counted, and when each connection was first proposed.

`decisions.decided_by_id` is the decider's account id or user name (`decided_by` stays the name
shown); `decisions.counted` is false for a decision by someone who is not a named approver (kept
in the trail, ignored); `connections_seen` holds the first sync that saw each claim or `supports`
link.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("decided_by_id", sa.String(255)))
        batch.add_column(sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "connections_seen",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("okr_id", sa.String(64), primary_key=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("connections_seen")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("counted")
        batch.drop_column("decided_by_id")
