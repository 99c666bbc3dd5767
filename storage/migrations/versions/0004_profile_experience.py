"""People keep experience notes in their profile; the bot notes who opened App Home.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add people.experience and people.home_seen_at."""
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("experience", sa.Text(), server_default=sa.text("''"), nullable=False)
        )
        batch.add_column(sa.Column("home_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("people") as batch:
        batch.drop_column("home_seen_at")
        batch.drop_column("experience")
