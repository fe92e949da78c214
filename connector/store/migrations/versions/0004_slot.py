"""Reserved slot: alignment: approvals, check-ins, claim sources (issue 4).

Filled in by that work; a no-op until then.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
