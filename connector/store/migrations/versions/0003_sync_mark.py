"""Sync marks (each sync stamps every issue it saw, so what it did not see can go), and the
team as Jira names it.

Keeping the seen ids in the database rather than in Python keeps a sync's memory flat however
large the scope.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issues") as table:
        table.add_column(sa.Column("sync_mark", sa.String(32)))
        table.add_column(sa.Column("team_key", sa.String(255)))
        table.create_index("ix_issues_sync_mark", ["sync_mark"])


def downgrade() -> None:
    with op.batch_alter_table("issues") as table:
        table.drop_index("ix_issues_sync_mark")
        table.drop_column("sync_mark")
        table.drop_column("team_key")
