"""Tasks remember the rhythm to go back to after an at-risk spell.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add tasks.tightened_from."""
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("tightened_from", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Drop tasks.tightened_from."""
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("tightened_from")
