"""Extra epic fields: one JSON object per issue (`issues.extra`), so that reading another Jira
field into the epic (`jira.epic_fields` in the settings) needs no migration of its own.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("extra", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("extra")
