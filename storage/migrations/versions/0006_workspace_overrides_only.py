"""Workspaces keep only what they override: drop the default_* columns nothing ever read.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column, its CHECK constraint or None, its type, the value old rows get back on downgrade)
_DROPPED: tuple[tuple[str, str | None, sa.types.TypeEngine[Any], object], ...] = (
    ("default_checkin_hour", "default_checkin_hour_range", sa.Integer(), 10),
    ("default_checkin_minute", "default_checkin_minute_range", sa.Integer(), 0),
    ("default_working_days", None, sa.String(7), "01234"),
    ("default_work_start", None, sa.Time(), dt.time(9, 0)),
    ("default_work_end", None, sa.Time(), dt.time(17, 0)),
    ("open_delegation_limit", "open_delegation_limit_positive", sa.Integer(), 5),
    ("digest_hour", "digest_hour_range", sa.Integer(), 17),
)
_CHECKS = {
    "default_checkin_hour_range": "default_checkin_hour BETWEEN 0 AND 23",
    "default_checkin_minute_range": "default_checkin_minute BETWEEN 0 AND 59",
    "open_delegation_limit_positive": "open_delegation_limit >= 1",
    "digest_hour_range": "digest_hour BETWEEN 0 AND 23",
}


def upgrade() -> None:
    """Drop workspaces' default_* columns: no code wrote or read them, and their defaults
    (digest at 17:00, say) contradicted the settings actually in force (16:30)."""
    # Nothing references workspaces, so SQLite's table rebuild cascades nowhere.
    with op.batch_alter_table("workspaces") as batch:
        for column, check, _type, _value in _DROPPED:
            if check is not None:
                batch.drop_constraint(op.f(f"ck_workspaces_{check}"), type_="check")
            batch.drop_column(column)


def downgrade() -> None:
    """Put the columns back, filled with the defaults the model used to give them."""
    with op.batch_alter_table("workspaces") as batch:
        for column, _check, type_, value in _DROPPED:
            batch.add_column(
                sa.Column(column, type_, nullable=False, server_default=sa.literal(value))
            )
    with op.batch_alter_table("workspaces") as batch:
        for column, check, _type, _value in _DROPPED:
            batch.alter_column(column, server_default=None)
            if check is not None:
                batch.create_check_constraint(op.f(f"ck_workspaces_{check}"), _CHECKS[check])
