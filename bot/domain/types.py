"""Vocabulary shared by the domain, storage and views: states, health, rhythms, kinds."""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    """Where a delegation stands in its lifecycle (see DESIGN.md, Lifecycle)."""

    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_APPROVAL = "awaiting_approval"
    ACTIVE = "active"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_STATES: frozenset[TaskState] = frozenset(
    {
        TaskState.AWAITING_CONFIRMATION,
        TaskState.AWAITING_APPROVAL,
        TaskState.ACTIVE,
        TaskState.AWAITING_ACCEPTANCE,
        TaskState.DECLINED,
    }
)


class Health(StrEnum):
    """How an active task is going, as its owner last said."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"


class Rhythm(StrEnum):
    """How often the owner is asked for a check-in."""

    DAILY = "daily"
    TWICE_WEEKLY = "twice_weekly"
    WEEKLY = "weekly"
    BEFORE_CHECKPOINTS = "before_checkpoints"


class CheckinAnswer(StrEnum):
    """The one-tap answers to a check-in."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    DONE = "done"


class OutboxState(StrEnum):
    """Delivery state of one outbound message."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxKind(StrEnum):
    """What an outbound message is for; also its Slack metadata event type."""

    BRIEF = "brief"
    RECEIPT = "receipt"
    NOTICE = "notice"
    CONFIRMATION_REMINDER = "confirmation_reminder"
    CHECKIN = "checkin"
    RENUDGE = "renudge"
    OVERDUE = "overdue"  # the owner is asked "Done" or "New date" after the due date
    ACCEPTANCE = "acceptance"  # the lead's accept / reopen question about finished work
    ESCALATION = "escalation"
    DIGEST = "digest"
    RECOGNITION = "recognition"
    SURVEY = "survey"  # a feedback survey, or a reminder of one
    FEEDBACK = "feedback"  # a round's results for the lead, composed when the round closes
    HOME = "home"  # a views.publish of someone's App Home, composed when it goes out
    REVIEW = "review"  # the lead's side-by-side review of a restatement
    CLARIFICATION = "clarification"  # the lead's note asking the owner to restate again


class ProjectState(StrEnum):
    """Whether a project still takes tasks."""

    OPEN = "open"
    CLOSED = "closed"


class SurveyKind(StrEnum):
    """Who answers a survey: an owner about a delegation, or the lead about themself."""

    OWNER = "owner"
    LEAD_SELF = "lead_self"


class RhythmFit(StrEnum):
    """An owner's verdict on the check-in rhythm."""

    TOO_OFTEN = "too_often"
    ABOUT_RIGHT = "about_right"
    TOO_RARE = "too_rare"


class RestatementOutcome(StrEnum):
    """What the lead did with one round of an owner's restatement."""

    APPROVED = "approved"
    CLARIFY = "clarify"
    REASSIGNED = "reassigned"
    CANCELLED = "cancelled"


class UpdateSource(StrEnum):
    """What prompted a status update: a check-in, or the owner unasked."""

    # Only these two were ever written (no code made an "overdue" or "acceptance" update),
    # so no stored row needs another member to stay readable.
    CHECKIN = "checkin"
    UNPROMPTED = "unprompted"
