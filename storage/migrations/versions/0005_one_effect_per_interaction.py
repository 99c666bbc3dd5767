"""One effect per interaction: a brief modal creates one task, a check-in takes one answer.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ANSWERED = sa.text("outbox_id IS NOT NULL")


def upgrade() -> None:
    """Add tasks.source_view_id (unique per team) and one answer per check-in message."""
    # ADD COLUMN and CREATE INDEX work in place on SQLite: no table rebuild, whose DROP TABLE
    # would cascade into every table that references tasks.
    op.add_column("tasks", sa.Column("source_view_id", sa.String(64), nullable=True))
    op.create_index(
        "uq_tasks_team_id_source_view_id", "tasks", ["team_id", "source_view_id"], unique=True
    )
    # Double taps before this revision left several answers on one check-in. The first one
    # stays its answer; the others are kept as history but no longer claim the message.
    op.execute(
        "UPDATE status_updates SET outbox_id = NULL WHERE outbox_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM status_updates WHERE outbox_id IS NOT NULL GROUP BY outbox_id)"
    )
    op.create_index(
        "uq_status_updates_outbox_id",
        "status_updates",
        ["outbox_id"],
        unique=True,
        sqlite_where=_ANSWERED,
        postgresql_where=_ANSWERED,
    )


def downgrade() -> None:
    """Drop what upgrade added (answers unlinked by upgrade stay unlinked)."""
    op.drop_index("uq_status_updates_outbox_id", table_name="status_updates")
    op.drop_index("uq_tasks_team_id_source_view_id", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("source_view_id")
