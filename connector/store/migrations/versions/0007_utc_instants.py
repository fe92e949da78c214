"""Instants in UTC on every store, and every name Jira gives an epic's team (issue 11).

Before this revision, SQLite dropped the offset of Jira's times (2026-11-12T08:00+1100 was kept
as 08:00 and read back as 08:00 UTC), and only an epic's first component named its team. The
models now keep every instant in UTC (`connector.store.instants`), and `team_names` holds all of
an epic's names. Stored issues cannot be corrected here (the site's offset is not known), so
every portfolio's sync cursor is cleared: the next sync reads all issues again, in full. Until
then an epic keeps the one name `team_key` held.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ISSUES = sa.table(
    "issues",
    sa.column("id", sa.String),
    sa.column("team_key", sa.String),
    sa.column("team_names", sa.JSON),
)


def upgrade() -> None:
    op.add_column("issues", sa.Column("team_names", sa.JSON))
    connection = op.get_bind()
    named = connection.execute(
        sa.select(_ISSUES.c.id, _ISSUES.c.team_key).where(_ISSUES.c.team_key.is_not(None))
    ).all()
    for issue_id, name in named:
        connection.execute(
            _ISSUES.update().where(_ISSUES.c.id == issue_id).values(team_names=[name])
        )
    _drop_column("team_key")
    # The next sync is a full one: it rewrites every issue's times in UTC and all its names.
    op.execute(sa.text("UPDATE sync_cursors SET last_updated_ms = NULL"))


def downgrade() -> None:
    op.add_column("issues", sa.Column("team_key", sa.String(255)))
    connection = op.get_bind()
    named = connection.execute(
        sa.select(_ISSUES.c.id, _ISSUES.c.team_names).where(_ISSUES.c.team_names.is_not(None))
    ).all()
    for issue_id, names in named:
        if names:
            connection.execute(
                _ISSUES.update().where(_ISSUES.c.id == issue_id).values(team_key=names[0][:255])
            )
    _drop_column("team_names")


def _drop_column(name: str) -> None:
    """ALTER TABLE ... DROP COLUMN, never a batch copy: on SQLite a copy drops and recreates
    `issues`, and with foreign keys on that deletes every scope membership (ON DELETE CASCADE).
    SQLite before 3.35 cannot drop a column: there the unused column stays."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and (bind.dialect.server_version_info or ()) < (3, 35):
        return
    op.drop_column("issues", name)
