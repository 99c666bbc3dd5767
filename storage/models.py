"""SQLAlchemy models for the whole data model; every table carries the workspace's team_id.

Instants are timezone-aware UTC (see `UTCDateTime`) and always come from the caller's clock:
no column has a wall-clock default, so a forgotten timestamp fails loudly instead of quietly
reading the real time in a test that moves time.

Working days are stored as a compact string of weekday digits, Monday=0, ascending and
without repeats: "01234" is Monday to Friday. Skills are JSON lists of strings; JSON columns
are not mutation-tracked, so assign a new list rather than appending in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    ProjectState,
    RestatementOutcome,
    Rhythm,
    RhythmFit,
    SurveyKind,
    TaskState,
    UpdateSource,
)

# Names stay under PostgreSQL's 63-character identifier limit (a test checks), because
# SQLAlchemy shortens longer names only on dialects that have a limit, and names that differ
# between SQLite and PostgreSQL would make later migrations dialect-specific.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEAM_ID_LENGTH = 32
SLACK_ID_LENGTH = 32
TZ_NAME_LENGTH = 64


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timezone-aware instant stored as UTC; refuses naive datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert an aware datetime to UTC; raise ValueError for a naive one."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass an aware instant")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime whatever the backend gave back."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        # SQLite keeps no offset; everything written through this type was UTC.
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _enum_values(enum_cls: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


def str_enum(enum_cls: type[StrEnum]) -> sa.Enum:
    """A StrEnum stored as its value in a VARCHAR(32), validated on write and read."""
    # No CHECK constraint: adding a member later must not need a table rebuild on SQLite,
    # and autogenerate would not notice a stale CHECK anyway.
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        values_callable=_enum_values,
        validate_strings=True,
        length=32,
    )


def encode_working_days(days: Iterable[int]) -> str:
    """Encode weekdays (Monday=0) as the stored compact string, e.g. {0, 1, 2, 3, 4} -> "01234"."""
    unique = sorted(set(days))
    if any(day < 0 or day > 6 for day in unique):
        raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {unique}")
    return _checked_working_days("".join(str(day) for day in unique))


def decode_working_days(text: str) -> frozenset[int]:
    """Decode the stored compact string into weekday numbers (Monday=0)."""
    return frozenset(int(char) for char in _checked_working_days(text))


def _checked_working_days(text: str) -> str:
    # Empty is refused too: someone with no working day would never be checked in with.
    if not text or not all(char in "0123456" for char in text) or list(text) != sorted(set(text)):
        raise ValueError(
            f"working days must be ascending distinct digits 0-6 (Monday=0), got {text!r}"
        )
    return text


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint predictably."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
        list[str]: sa.JSON(),
    }


class Workspace(Base):
    """One installed Slack workspace and the settings it overrides for itself.

    A setting column here is nullable and None follows the deployment's environment
    (bot.settings.Settings), so a workspace's defaults can never contradict the live ones;
    read each through the repository, e.g. repositories.anonymity_threshold.
    """

    __tablename__ = "workspaces"
    __table_args__ = (
        sa.UniqueConstraint("team_id"),
        sa.CheckConstraint("anonymity_threshold >= 2", name="anonymity_threshold_at_least_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    enterprise_id: Mapped[str | None] = mapped_column(sa.String(TEAM_ID_LENGTH))
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    bot_user_id: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    # Owners answer a survey anonymously only in a round of at least this many (issue 5);
    # None follows the deployment's ANONYMITY_THRESHOLD.
    anonymity_threshold: Mapped[int | None]
    installed_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Person(Base):
    """A Slack user as the bot knows them: profile from users.info plus their own settings."""

    __tablename__ = "people"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "slack_user_id"),
        sa.CheckConstraint("checkin_hour BETWEEN 0 AND 23", name="checkin_hour_range"),
        sa.CheckConstraint("checkin_minute BETWEEN 0 AND 59", name="checkin_minute_range"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("ooo_end >= ooo_start", name="ooo_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    slack_user_id: Mapped[str] = mapped_column(sa.String(SLACK_ID_LENGTH))
    display_name: Mapped[str] = mapped_column(sa.String(255), default="")
    real_name: Mapped[str] = mapped_column(sa.String(255), default="")
    is_bot: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_deleted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Slack's tz from users.info; the override is the person's own choice and wins.
    tz: Mapped[str | None] = mapped_column(sa.String(TZ_NAME_LENGTH))
    tz_override: Mapped[str | None] = mapped_column(sa.String(TZ_NAME_LENGTH))
    tz_refreshed_at: Mapped[dt.datetime | None]
    # Null settings fall back to the workspace defaults.
    checkin_hour: Mapped[int | None]
    checkin_minute: Mapped[int | None]
    working_days: Mapped[str | None] = mapped_column(sa.String(7))
    work_start: Mapped[dt.time | None]
    work_end: Mapped[dt.time | None]
    skills: Mapped[list[str]] = mapped_column(default=list)
    # Free notes on experience, shown to leads choosing an owner.
    experience: Mapped[str] = mapped_column(sa.Text, default="", server_default=sa.text("''"))
    capacity: Mapped[int | None]
    # When they last opened the app's Home tab: only then is it worth publishing on changes.
    home_seen_at: Mapped[dt.datetime | None]
    ooo_start: Mapped[dt.date | None]
    ooo_end: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    @property
    def effective_tz(self) -> str | None:
        """The IANA zone to compute this person's local times in, if any is known."""
        return self.tz_override or self.tz

    @validates("working_days")
    def _validate_working_days(self, _key: str, value: str | None) -> str | None:
        return None if value is None else _checked_working_days(value)


class Project(Base):
    """A named group of tasks under one lead; closing it triggers the project survey."""

    __tablename__ = "projects"
    __table_args__ = (sa.UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    name: Mapped[str] = mapped_column(sa.String(200))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    state: Mapped[ProjectState] = mapped_column(str_enum(ProjectState), default=ProjectState.OPEN)
    created_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]

    lead: Mapped[Person] = relationship(foreign_keys=[lead_id])


class Task(Base):
    """One delegation: the brief, its single owner, its state and follow-up bookkeeping."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index("ix_tasks_team_id_owner_id_state", "team_id", "owner_id", "state"),
        sa.Index("ix_tasks_team_id_lead_id_state", "team_id", "lead_id", "state"),
        sa.Index("ix_tasks_team_id_state_due_at", "team_id", "state", "due_at"),
        sa.Index("ix_tasks_team_id_project_id", "team_id", "project_id"),
        # One brief modal creates at most one task, however often Submit reaches us (a unique
        # index rather than a constraint, so SQLite adds it without rebuilding the table).
        sa.Index("uq_tasks_team_id_source_view_id", "team_id", "source_view_id", unique=True),
        sa.CheckConstraint("on_track_streak >= 0", name="on_track_streak_not_negative"),
        sa.CheckConstraint("missed_checkins >= 0", name="missed_checkins_not_negative"),
        sa.CheckConstraint("estimate_days >= 0", name="estimate_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(sa.String(255))
    goal: Mapped[str] = mapped_column(sa.Text)
    expectations: Mapped[str] = mapped_column(sa.Text, default="")
    non_negotiables: Mapped[str] = mapped_column(sa.Text, default="")
    freedoms: Mapped[str] = mapped_column(sa.Text, default="")
    risks: Mapped[str] = mapped_column(sa.Text, default="")
    skills: Mapped[list[str]] = mapped_column(default=list)
    # A date-only due is stored as the end of that day in due_tz, with due_has_time False,
    # so comparisons work on one column while views can still show "due Friday".
    due_at: Mapped[dt.datetime]
    due_has_time: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    due_tz: Mapped[str] = mapped_column(sa.String(TZ_NAME_LENGTH))
    agreed_due_at: Mapped[dt.datetime | None]
    rhythm: Mapped[Rhythm] = mapped_column(str_enum(Rhythm), default=Rhythm.WEEKLY)
    # The rhythm before an at-risk spell made it daily; restored at the next on-track answer.
    tightened_from: Mapped[Rhythm | None] = mapped_column(str_enum(Rhythm))
    state: Mapped[TaskState] = mapped_column(
        str_enum(TaskState), default=TaskState.AWAITING_CONFIRMATION
    )
    health: Mapped[Health | None] = mapped_column(str_enum(Health))
    update_channel_id: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    source_channel_id: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    source_ts: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    source_permalink: Mapped[str | None] = mapped_column(sa.String(500))
    # The Slack view id of the brief modal that created the task (NULLs never collide).
    source_view_id: Mapped[str | None] = mapped_column(sa.String(64))
    brief_channel_id: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    brief_ts: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    estimate_days: Mapped[float | None] = mapped_column(sa.Double)
    on_track_streak: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    missed_checkins: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    snoozed_until: Mapped[dt.datetime | None]
    last_checkin_at: Mapped[dt.datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    completion_summary: Mapped[str | None] = mapped_column(sa.Text)
    completion_link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    activated_at: Mapped[dt.datetime | None]
    # done_at is when the owner said done (on-time rate); completed_at when the lead accepted.
    done_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    declined_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project | None] = relationship(foreign_keys=[project_id])
    lead: Mapped[Person] = relationship(foreign_keys=[lead_id])
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="task",
        order_by="Checkpoint.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    restatements: Mapped[list[Restatement]] = relationship(
        back_populates="task",
        order_by="Restatement.round",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Restatement(Base):
    """One round of the owner restating the brief in their own words, and the lead's verdict."""

    __tablename__ = "restatements"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "round"),
        sa.CheckConstraint("round >= 1", name="round_positive"),
        sa.CheckConstraint("similarity >= 0 AND similarity <= 1", name="similarity_range"),
        sa.CheckConstraint("estimate_days >= 0", name="estimate_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    round: Mapped[int]
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    what: Mapped[str] = mapped_column(sa.Text)
    how: Mapped[str] = mapped_column(sa.Text)
    why: Mapped[str] = mapped_column(sa.Text)
    risks: Mapped[str] = mapped_column(sa.Text, default="")
    estimate_days: Mapped[float | None] = mapped_column(sa.Double)
    due_date_ok: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    proposed_due_at: Mapped[dt.datetime | None]
    proposed_rhythm: Mapped[Rhythm | None] = mapped_column(str_enum(Rhythm))
    ideas: Mapped[str] = mapped_column(sa.Text, default="")
    questions: Mapped[str] = mapped_column(sa.Text, default="")
    similarity: Mapped[float] = mapped_column(sa.Double)
    lead_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[RestatementOutcome | None] = mapped_column(str_enum(RestatementOutcome))
    submitted_at: Mapped[dt.datetime]
    reviewed_at: Mapped[dt.datetime | None]

    task: Mapped[Task] = relationship(back_populates="restatements")


class Checkpoint(Base):
    """A dated deliverable on the way to a task's due date."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    position: Mapped[int]
    deliverable: Mapped[str] = mapped_column(sa.Text)
    due_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]

    task: Mapped[Task] = relationship(back_populates="checkpoints")


class Outbox(Base):
    """One message the bot will send (or has sent): the only way out to Slack."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Not led by team_id on purpose: the sweep claims due rows across all workspaces.
        sa.Index("ix_outbox_state_due_at", "state", "due_at"),
        sa.Index("ix_outbox_team_id_task_id_state", "team_id", "task_id", "state"),
        sa.Index("ix_outbox_team_id_recipient_id_state", "team_id", "recipient_id", "state"),
        # Recurring work (e.g. "checkin:<task>:<due>") is inserted under a key so that two
        # processes scheduling the same thing produce one row. NULL keys never collide.
        sa.UniqueConstraint("team_id", "unique_key"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind))
    # {"method": "chat.postMessage", "args": {...}}: replayable without the code that made it.
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[dt.datetime]
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    channel: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    ts: Mapped[str | None] = mapped_column(sa.String(SLACK_ID_LENGTH))
    unique_key: Mapped[str | None] = mapped_column(sa.String(255))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class StatusUpdate(Base):
    """An owner's answer about a task's health, prompted by a check-in or not."""

    __tablename__ = "status_updates"
    __table_args__ = (
        sa.Index(
            "ix_status_updates_team_id_task_id_created_at", "team_id", "task_id", "created_at"
        ),
        sa.Index(
            "ix_status_updates_team_id_person_id_created_at", "team_id", "person_id", "created_at"
        ),
        # One check-in message takes one answer; unprompted updates carry no outbox_id.
        sa.Index(
            "uq_status_updates_outbox_id",
            "outbox_id",
            unique=True,
            sqlite_where=sa.text("outbox_id IS NOT NULL"),
            postgresql_where=sa.text("outbox_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    answer: Mapped[CheckinAnswer] = mapped_column(str_enum(CheckinAnswer))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[UpdateSource] = mapped_column(str_enum(UpdateSource))
    # The check-in message answered, which gives the check-in response rate.
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]


class Survey(Base):
    """A feedback request sent to one respondent about a task or a whole project."""

    __tablename__ = "surveys"
    __table_args__ = (
        sa.Index("ix_surveys_team_id_lead_id_sent_at", "team_id", "lead_id", "sent_at"),
        sa.Index("ix_surveys_team_id_respondent_id", "team_id", "respondent_id"),
        sa.Index("ix_surveys_team_id_task_id", "team_id", "task_id"),
        sa.Index("ix_surveys_team_id_project_id", "team_id", "project_id"),
        sa.CheckConstraint(
            "task_id IS NOT NULL OR project_id IS NOT NULL", name="about_task_or_project"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    kind: Mapped[SurveyKind] = mapped_column(str_enum(SurveyKind))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    respondent_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    sent_at: Mapped[dt.datetime]
    # The round closes at closes_at (or earlier, once everyone asked has answered);
    # closed_at is when its report was composed. Nothing is accepted after either.
    closes_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    # Whether the owner could answer without their name (asked >= the workspace threshold).
    anonymity_offered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    submitted_at: Mapped[dt.datetime | None]

    task: Mapped[Task | None] = relationship(foreign_keys=[task_id])
    project: Mapped[Project | None] = relationship(foreign_keys=[project_id])
    lead: Mapped[Person] = relationship(foreign_keys=[lead_id])
    respondent: Mapped[Person] = relationship(foreign_keys=[respondent_id])
    response: Mapped[SurveyResponse | None] = relationship(back_populates="survey")


class SurveyResponse(Base):
    """The answers to one survey; scores are null where a variant does not ask them."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("survey_id"),
        sa.Index("ix_survey_responses_team_id_submitted_at", "team_id", "submitted_at"),
        sa.CheckConstraint("clarity BETWEEN 1 AND 5", name="clarity_range"),
        sa.CheckConstraint("skills_fit BETWEEN 1 AND 5", name="skills_fit_range"),
        sa.CheckConstraint("challenge BETWEEN 1 AND 5", name="challenge_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    clarity: Mapped[int | None]
    skills_fit: Mapped[int | None]
    challenge: Mapped[int | None]
    rhythm_fit: Mapped[RhythmFit | None] = mapped_column(str_enum(RhythmFit))
    problems: Mapped[str] = mapped_column(sa.Text, default="")
    lead_better: Mapped[str] = mapped_column(sa.Text, default="")
    smoother: Mapped[str] = mapped_column(sa.Text, default="")
    other: Mapped[str] = mapped_column(sa.Text, default="")
    show_name: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[dt.datetime]

    survey: Mapped[Survey] = relationship(back_populates="response")


class AuditEvent(Base):
    """Who did what to a task and when; append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_team_id_task_id_at", "team_id", "task_id", "at"),
        sa.Index("ix_audit_events_team_id_at", "team_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH))
    # SET NULL rather than CASCADE: the record of what happened outlives the task row.
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(SLACK_ID_LENGTH))
    action: Mapped[str] = mapped_column(sa.String(64))
    # Plain strings, not TaskState: old rows must stay readable if a state is ever renamed.
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime]


class ProcessedEvent(Base):
    """A Slack event id already handled, so a retried delivery is ignored by every process."""

    __tablename__ = "processed_events"
    __table_args__ = (
        # Not led by team_id on purpose: pruning old ids is one sweep over all workspaces.
        sa.Index("ix_processed_events_received_at", "received_at"),
    )

    team_id: Mapped[str] = mapped_column(sa.String(TEAM_ID_LENGTH), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    received_at: Mapped[dt.datetime]
