"""Survey rounds close on a date; workspaces set the anonymity threshold.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add surveys.closes_at/closed_at/anonymity_offered and workspaces.anonymity_threshold."""
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("anonymity_threshold", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_workspaces_anonymity_threshold_at_least_two"), "anonymity_threshold >= 2"
        )
    # No survey was ever written before this revision, so closes_at needs no backfill;
    # the server default only satisfies NOT NULL for the add and is dropped at once.
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(
            sa.Column(
                "closes_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("anonymity_offered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index("ix_surveys_team_id_project_id", ["team_id", "project_id"])
    with op.batch_alter_table("surveys") as batch:
        batch.alter_column("closes_at", server_default=None)


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("surveys") as batch:
        batch.drop_index("ix_surveys_team_id_project_id")
        batch.drop_column("anonymity_offered")
        batch.drop_column("closed_at")
        batch.drop_column("closes_at")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_constraint(op.f("ck_workspaces_anonymity_threshold_at_least_two"), type_="check")
        batch.drop_column("anonymity_threshold")
