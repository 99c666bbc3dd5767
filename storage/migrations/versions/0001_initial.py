"""Initial schema: every table the design needs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("real_name", sa.String(length=255), nullable=False),
        sa.Column("is_bot", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("tz_override", sa.String(length=64), nullable=True),
        sa.Column("tz_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkin_hour", sa.Integer(), nullable=True),
        sa.Column("checkin_minute", sa.Integer(), nullable=True),
        sa.Column("working_days", sa.String(length=7), nullable=True),
        sa.Column("work_start", sa.Time(), nullable=True),
        sa.Column("work_end", sa.Time(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("ooo_start", sa.Date(), nullable=True),
        sa.Column("ooo_end", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_people_capacity_not_negative")),
        sa.CheckConstraint(
            "checkin_hour BETWEEN 0 AND 23", name=op.f("ck_people_checkin_hour_range")
        ),
        sa.CheckConstraint(
            "checkin_minute BETWEEN 0 AND 59", name=op.f("ck_people_checkin_minute_range")
        ),
        sa.CheckConstraint("ooo_end >= ooo_start", name=op.f("ck_people_ooo_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "team_id", "slack_user_id", name=op.f("uq_people_team_id_slack_user_id")
        ),
    )
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_index("ix_processed_events_received_at", "processed_events", ["received_at"])

    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("default_checkin_hour", sa.Integer(), nullable=False),
        sa.Column("default_checkin_minute", sa.Integer(), nullable=False),
        sa.Column("default_working_days", sa.String(length=7), nullable=False),
        sa.Column("default_work_start", sa.Time(), nullable=False),
        sa.Column("default_work_end", sa.Time(), nullable=False),
        sa.Column("open_delegation_limit", sa.Integer(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "default_checkin_hour BETWEEN 0 AND 23",
            name=op.f("ck_workspaces_default_checkin_hour_range"),
        ),
        sa.CheckConstraint(
            "default_checkin_minute BETWEEN 0 AND 59",
            name=op.f("ck_workspaces_default_checkin_minute_range"),
        ),
        sa.CheckConstraint(
            "digest_hour BETWEEN 0 AND 23", name=op.f("ck_workspaces_digest_hour_range")
        ),
        sa.CheckConstraint(
            "open_delegation_limit >= 1", name=op.f("ck_workspaces_open_delegation_limit_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["people.id"], name=op.f("fk_projects_lead_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_projects_team_id_name")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("expectations", sa.Text(), nullable=False),
        sa.Column("non_negotiables", sa.Text(), nullable=False),
        sa.Column("freedoms", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_has_time", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("due_tz", sa.String(length=64), nullable=False),
        sa.Column("agreed_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rhythm", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("health", sa.String(length=32), nullable=True),
        sa.Column("update_channel_id", sa.String(length=32), nullable=True),
        sa.Column("source_channel_id", sa.String(length=32), nullable=True),
        sa.Column("source_ts", sa.String(length=32), nullable=True),
        sa.Column("source_permalink", sa.String(length=500), nullable=True),
        sa.Column("brief_channel_id", sa.String(length=32), nullable=True),
        sa.Column("brief_ts", sa.String(length=32), nullable=True),
        sa.Column("estimate_days", sa.Double(), nullable=True),
        sa.Column("on_track_streak", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("missed_checkins", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_checkin_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("completion_summary", sa.Text(), nullable=True),
        sa.Column("completion_link", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("estimate_days >= 0", name=op.f("ck_tasks_estimate_days_not_negative")),
        sa.CheckConstraint(
            "missed_checkins >= 0", name=op.f("ck_tasks_missed_checkins_not_negative")
        ),
        sa.CheckConstraint(
            "on_track_streak >= 0", name=op.f("ck_tasks_on_track_streak_not_negative")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["people.id"], name=op.f("fk_tasks_lead_id_people")),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_tasks_owner_id_people")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_tasks_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index("ix_tasks_team_id_lead_id_state", "tasks", ["team_id", "lead_id", "state"])
    op.create_index("ix_tasks_team_id_owner_id_state", "tasks", ["team_id", "owner_id", "state"])
    op.create_index("ix_tasks_team_id_project_id", "tasks", ["team_id", "project_id"])
    op.create_index("ix_tasks_team_id_state_due_at", "tasks", ["team_id", "state", "due_at"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_audit_events_task_id_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_team_id_at", "audit_events", ["team_id", "at"])
    op.create_index(
        "ix_audit_events_team_id_task_id_at", "audit_events", ["team_id", "task_id", "at"]
    )

    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deliverable", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("position >= 1", name=op.f("ck_checkpoints_position_positive")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_checkpoints_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoints")),
        sa.UniqueConstraint("task_id", "position", name=op.f("uq_checkpoints_task_id_position")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("unique_key", sa.String(length=255), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["people.id"], name=op.f("fk_outbox_recipient_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_outbox_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("team_id", "unique_key", name=op.f("uq_outbox_team_id_unique_key")),
    )
    op.create_index("ix_outbox_state_due_at", "outbox", ["state", "due_at"])
    op.create_index(
        "ix_outbox_team_id_recipient_id_state", "outbox", ["team_id", "recipient_id", "state"]
    )
    op.create_index("ix_outbox_team_id_task_id_state", "outbox", ["team_id", "task_id", "state"])

    op.create_table(
        "restatements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("how", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("estimate_days", sa.Double(), nullable=True),
        sa.Column("due_date_ok", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("proposed_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proposed_rhythm", sa.String(length=32), nullable=True),
        sa.Column("ideas", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("similarity", sa.Double(), nullable=False),
        sa.Column("lead_note", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "estimate_days >= 0", name=op.f("ck_restatements_estimate_days_not_negative")
        ),
        sa.CheckConstraint("round >= 1", name=op.f("ck_restatements_round_positive")),
        sa.CheckConstraint(
            "similarity >= 0 AND similarity <= 1", name=op.f("ck_restatements_similarity_range")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_restatements_owner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_restatements_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restatements")),
        sa.UniqueConstraint("task_id", "round", name=op.f("uq_restatements_task_id_round")),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "task_id IS NOT NULL OR project_id IS NOT NULL",
            name=op.f("ck_surveys_about_task_or_project"),
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["people.id"], name=op.f("fk_surveys_lead_id_people")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_surveys_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["people.id"], name=op.f("fk_surveys_respondent_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_surveys_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_index(
        "ix_surveys_team_id_lead_id_sent_at", "surveys", ["team_id", "lead_id", "sent_at"]
    )
    op.create_index("ix_surveys_team_id_respondent_id", "surveys", ["team_id", "respondent_id"])
    op.create_index("ix_surveys_team_id_task_id", "surveys", ["team_id", "task_id"])

    op.create_table(
        "status_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_status_updates_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_status_updates_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_status_updates_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_updates")),
    )
    op.create_index(
        "ix_status_updates_team_id_person_id_created_at",
        "status_updates",
        ["team_id", "person_id", "created_at"],
    )
    op.create_index(
        "ix_status_updates_team_id_task_id_created_at",
        "status_updates",
        ["team_id", "task_id", "created_at"],
    )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("clarity", sa.Integer(), nullable=True),
        sa.Column("skills_fit", sa.Integer(), nullable=True),
        sa.Column("challenge", sa.Integer(), nullable=True),
        sa.Column("rhythm_fit", sa.String(length=32), nullable=True),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("lead_better", sa.Text(), nullable=False),
        sa.Column("smoother", sa.Text(), nullable=False),
        sa.Column("other", sa.Text(), nullable=False),
        sa.Column("show_name", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "challenge BETWEEN 1 AND 5", name=op.f("ck_survey_responses_challenge_range")
        ),
        sa.CheckConstraint(
            "clarity BETWEEN 1 AND 5", name=op.f("ck_survey_responses_clarity_range")
        ),
        sa.CheckConstraint(
            "skills_fit BETWEEN 1 AND 5", name=op.f("ck_survey_responses_skills_fit_range")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("survey_id", name=op.f("uq_survey_responses_survey_id")),
    )
    op.create_index(
        "ix_survey_responses_team_id_submitted_at", "survey_responses", ["team_id", "submitted_at"]
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("survey_responses")
    op.drop_table("status_updates")
    op.drop_table("surveys")
    op.drop_table("restatements")
    op.drop_table("outbox")
    op.drop_table("checkpoints")
    op.drop_table("audit_events")
    op.drop_table("tasks")
    op.drop_table("projects")
    op.drop_table("workspaces")
    op.drop_table("processed_events")
    op.drop_table("people")
