"""The teach-back loop: the owner restates, the lead approves, clarifies or cancels.

Every function checks, against the database, that the person acting holds the role the
lifecycle asks for; button values and private_metadata only say which task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from bot.domain.lifecycle import Action
from bot.domain.restatement import judge_restatement
from bot.domain.rhythm import RHYTHM_WORDS, RULES_TEXT
from bot.domain.types import Health, OutboxKind, OutboxState, RestatementOutcome, Rhythm
from bot.domain.workdays import describe_fit, estimate_fit, working_days_left
from bot.runtime import Runtime
from bot.services.checkins import schedule_next_checkin
from bot.services.common import (
    Refusal,
    acting,
    advance,
    calendar_of,
    latest_message,
    notify,
    once_more_on_conflict,
    queue_message,
    replace_message,
    withdraw_pending,
    withdraw_waiting_reminders,
)
from bot.services.delegations import (
    SlackUser,
    brief_view_of,
    due_instant,
    person_from_slack,
    queue_confirmation_reminders,
)
from bot.views.brief_message import CONFIRM_ACTION, QUESTION_ACTION, brief_message, slack_date
from bot.views.checkin import active_brief_edit
from bot.views.delegation import RHYTHM_LABELS
from bot.views.notes import already_owns_text
from bot.views.restatement import RestatementInput
from bot.views.review import ReviewView, review_message
from bot.views.text import escape_mrkdwn, quote
from storage.models import Outbox, Restatement


@dataclass(frozen=True)
class RestatementForm:
    """What the restatement modal needs."""

    task_id: int
    title: str
    lead_id: str
    rhythm: Rhythm
    round_number: int
    lead_note: str | None


def restatement_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> RestatementForm | Refusal:
    """What the owner's restatement modal shows, or why they can't restate now."""
    with acting(runtime, team_id, task_id, user_id, Action.RESTATE, lock=False) as (_session, task):
        if isinstance(task, Refusal):
            return task
        last = task.restatements[-1] if task.restatements else None
        # A clarification note belongs to the owner it was written for, not a successor.
        note_applies = (
            last is not None
            and last.outcome is RestatementOutcome.CLARIFY
            and last.owner_id == task.owner_id
        )
        return RestatementForm(
            task_id=task.id,
            title=task.title,
            lead_id=task.lead.slack_user_id,
            rhythm=task.rhythm,
            round_number=len(task.restatements) + 1,
            lead_note=last.lead_note if last is not None and note_applies else None,
        )


@once_more_on_conflict
def submit_restatement(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, restatement: RestatementInput
) -> dict[str, str] | Refusal | None:
    """Store a round and send it to the lead; field errors or a refusal otherwise."""
    with acting(runtime, team_id, task_id, user_id, Action.RESTATE) as (session, task):
        if isinstance(task, Refusal):
            return task
        calendar = calendar_of(runtime, task.owner)
        now = runtime.clock()
        today = now.astimezone(calendar.tz).date()
        verdict = judge_restatement(
            own_words=restatement.own_words(),
            estimate_days=restatement.estimate_days,
            due_date_ok=restatement.due_date_ok,
            proposed_due=restatement.proposed_due,
            brief_parts=(
                task.title,
                task.goal,
                task.expectations,
                task.non_negotiables,
                task.freedoms,
                task.risks,
            ),
            today=today,
        )
        if verdict.errors:
            return verdict.errors
        round_number = len(task.restatements) + 1
        proposed_at = (
            _end_of_day(restatement.proposed_due, task.due_tz)
            if restatement.proposed_due and not restatement.due_date_ok
            else None
        )
        session.add(
            Restatement(
                team_id=team_id,
                task_id=task.id,
                round=round_number,
                owner_id=task.owner_id,
                what=restatement.what,
                how=restatement.how,
                why=restatement.why,
                risks=restatement.risks,
                estimate_days=restatement.estimate_days,
                due_date_ok=restatement.due_date_ok,
                proposed_due_at=proposed_at,
                proposed_rhythm=restatement.rhythm,
                ideas=restatement.ideas,
                similarity=verdict.similarity,
                submitted_at=now,
            )
        )
        withdraw_waiting_reminders(session, task)
        task.updated_at = now
        advance(runtime, session, task, Action.RESTATE, user_id)
        due_day = (proposed_at or task.due_at).astimezone(calendar.tz).date()
        fit = estimate_fit(
            restatement.estimate_days or 0, working_days_left(calendar, now, due_day)
        )
        review = ReviewView(
            task_id=task.id,
            owner_id=task.owner.slack_user_id,
            title=task.title,
            round_number=round_number,
            brief_goal=task.goal,
            brief_expectations=task.expectations,
            owner_what=restatement.what,
            owner_how=restatement.how,
            owner_why=restatement.why,
            owner_risks=restatement.risks,
            owner_ideas=restatement.ideas,
            fit_sentence=describe_fit(fit),
            fit_flagged=fit.verdict != "fits",
            proposed_due=restatement.proposed_due if proposed_at else None,
            proposed_rhythm=restatement.rhythm,
            current_rhythm=task.rhythm,
        )
        prompt = latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION)
        replace_message(
            runtime,
            session,
            task,
            prompt,
            f"You confirmed *{escape_mrkdwn(task.title)}* in your own words. "
            f"<@{task.lead.slack_user_id}> will review it.",
        )
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.REVIEW,
            {
                "method": "chat.postMessage",
                "args": review_message(review, lead_id=task.lead.slack_user_id),
            },
            task.lead,
        )
    runtime.kick_sweep()
    return None


def _end_of_day(day: date, zone_name: str) -> datetime:
    return due_instant(day, None, ZoneInfo(zone_name))


@once_more_on_conflict
def approve(*, runtime: Runtime, team_id: str, task_id: int, user_id: str) -> Refusal | None:
    """The lead approves: the task goes live with the agreed date and rhythm."""
    with acting(runtime, team_id, task_id, user_id, Action.APPROVE) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        last = task.restatements[-1]
        last.outcome, last.reviewed_at = RestatementOutcome.APPROVED, now
        task.health, task.activated_at, task.updated_at = Health.ON_TRACK, now, now
        task.agreed_due_at = last.proposed_due_at or task.due_at
        task.rhythm = last.proposed_rhythm or task.rhythm
        advance(runtime, session, task, Action.APPROVE, user_id)
        first_checkin = schedule_next_checkin(runtime, session, task, after=now)
        due = slack_date(task.agreed_due_at, with_time=task.due_has_time)
        rhythm = RHYTHM_LABELS[task.rhythm].lower()
        text = (
            f"<@{task.lead.slack_user_id}> approved *{escape_mrkdwn(task.title)}*. It's yours, "
            f"due {due}. Check-ins: {rhythm}, in your working hours"
            + (
                f"; the first is {slack_date(first_checkin, with_time=True)}."
                if first_checkin
                else "."
            )
            + f"\n{RULES_TEXT}"
        )
        notify(runtime, session, task, task.owner, text)
        brief = latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION)
        if brief is not None:
            edit = active_brief_edit(
                task_id=task.id,
                title=task.title,
                lead_id=task.lead.slack_user_id,
                rhythm_words=RHYTHM_WORDS[task.rhythm],
            )
            queue_message(
                runtime,
                session,
                task,
                OutboxKind.NOTICE,
                {"method": "chat.update", "args": edit, "update_of": brief.id},
            )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.REVIEW),
            f":white_check_mark: You approved *{escape_mrkdwn(task.title)}*. "
            f"<@{task.owner.slack_user_id}> owns it, due {due}; check-ins {rhythm}.",
        )
    runtime.kick_sweep()
    return None


@dataclass(frozen=True)
class ClarifyForm:
    """What the lead's clarification modal shows."""

    task_id: int
    owner_id: str
    title: str


def clarify_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> ClarifyForm | Refusal:
    """What the clarification modal needs, or why the lead can't clarify now."""
    with acting(runtime, team_id, task_id, user_id, Action.CLARIFY, lock=False) as (_session, task):
        if isinstance(task, Refusal):
            return task
        return ClarifyForm(task_id=task.id, owner_id=task.owner.slack_user_id, title=task.title)


@once_more_on_conflict
def clarify(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, note: str
) -> Refusal | None:
    """The lead's note goes to the owner, who restates again (a new round)."""
    with acting(runtime, team_id, task_id, user_id, Action.CLARIFY) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        last = task.restatements[-1]
        last.outcome, last.reviewed_at, last.lead_note = RestatementOutcome.CLARIFY, now, note
        task.updated_at = now
        advance(runtime, session, task, Action.CLARIFY, user_id)
        lead = task.lead.slack_user_id
        title = escape_mrkdwn(task.title)
        text = f"<@{lead}> read your restatement of *{title}* and asks:\n{quote(note)}"
        blocks = [
            SectionBlock(text=text),
            ActionsBlock(
                block_id=f"clarify_actions_{task.id}_{len(task.restatements)}",
                elements=[
                    ButtonElement(
                        text="Restate it",
                        action_id=CONFIRM_ACTION,
                        value=str(task.id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="I have a question", action_id=QUESTION_ACTION, value=str(task.id)
                    ),
                ],
            ),
        ]
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.CLARIFICATION,
            {
                "method": "chat.postMessage",
                "args": {
                    "channel": task.owner.slack_user_id,
                    "text": f"<@{lead}> asks you to clarify {escape_mrkdwn(task.title)}",
                    "blocks": [block.to_dict() for block in blocks],
                },
            },
            task.owner,
        )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.REVIEW),
            f"You asked <@{task.owner.slack_user_id}> to clarify *{title}*:\n{quote(note)}",
        )
    runtime.kick_sweep()
    return None


@once_more_on_conflict
def cancel(*, runtime: Runtime, team_id: str, task_id: int, user_id: str) -> Refusal | None:
    """The lead cancels: the owner is told and nothing more is sent about the task."""
    with acting(runtime, team_id, task_id, user_id, Action.CANCEL) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        if task.restatements and task.restatements[-1].outcome is None:
            task.restatements[-1].outcome = RestatementOutcome.CANCELLED
            task.restatements[-1].reviewed_at = now
        # Reminders and nudges still queued would only confuse: withdraw them.
        session.execute(
            sa.update(Outbox)
            .where(
                Outbox.team_id == team_id,
                Outbox.task_id == task.id,
                Outbox.state == OutboxState.PENDING,
                Outbox.due_at > now,
            )
            .values(state=OutboxState.CANCELLED)
        )
        task.cancelled_at, task.updated_at = now, now
        advance(runtime, session, task, Action.CANCEL, user_id)
        title = escape_mrkdwn(task.title)
        lead, owner = task.lead.slack_user_id, task.owner.slack_user_id
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.NOTICE,
            {
                "method": "chat.postMessage",
                "args": {
                    "channel": owner,
                    "text": f"<@{lead}> cancelled *{title}*. Nothing more is needed from you.",
                },
            },
            task.owner,
        )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION),
            f"*{title}* was cancelled by <@{lead}>.",
        )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.REVIEW),
            f"You cancelled *{title}*.",
        )
    runtime.kick_sweep()
    return None


@dataclass(frozen=True)
class ReassignForm:
    """What the lead's reassign modal shows."""

    task_id: int
    title: str
    owner_id: str


def reassign_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> ReassignForm | Refusal:
    """What the reassign modal needs, or why the lead can't reassign now."""
    with acting(runtime, team_id, task_id, user_id, Action.REASSIGN, lock=False) as (
        _session,
        task,
    ):
        if isinstance(task, Refusal):
            return task
        return ReassignForm(task_id=task.id, title=task.title, owner_id=task.owner.slack_user_id)


@once_more_on_conflict
def reassign(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, new_owner: SlackUser
) -> Refusal | None:
    """A new owner gets the brief to confirm; the previous one is told and thanked."""
    with acting(runtime, team_id, task_id, user_id, Action.REASSIGN) as (session, task):
        if isinstance(task, Refusal):
            return task
        if task.owner.slack_user_id == new_owner.user_id:
            # The same reassignment again (a second submit): it already happened.
            return Refusal(already_owns_text(new_owner.user_id))
        now = runtime.clock()
        previous = task.owner
        withdraw_waiting_reminders(session, task)
        # Check-ins already queued were for the previous owner's calendar.
        withdraw_pending(session, task, OutboxKind.CHECKIN, OutboxKind.RENUDGE, OutboxKind.OVERDUE)
        if task.restatements and task.restatements[-1].outcome is None:
            task.restatements[-1].outcome = RestatementOutcome.REASSIGNED
            task.restatements[-1].reviewed_at = now
        old_prompt = latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION)
        old_review = latest_message(session, task, OutboxKind.REVIEW)
        successor = person_from_slack(runtime, session, team_id, new_owner)
        task.owner_id, task.health, task.updated_at = successor.id, None, now
        session.flush()
        session.refresh(task)
        lead, title = task.lead.slack_user_id, escape_mrkdwn(task.title)
        advance(
            runtime,
            session,
            task,
            Action.REASSIGN,
            user_id,
            {"from": previous.slack_user_id, "to": new_owner.user_id},
            also=(previous,),
        )
        replace_message(
            runtime,
            session,
            task,
            old_prompt,
            f"*{title}* was reassigned to <@{new_owner.user_id}>. Thanks for your time.",
        )
        notify(
            runtime,
            session,
            task,
            previous,
            f"<@{lead}> reassigned *{title}* to <@{new_owner.user_id}>. "
            "Nothing more is needed from you.",
        )
        replace_message(
            runtime,
            session,
            task,
            old_review,
            f"You reassigned *{title}* to <@{new_owner.user_id}>. They'll confirm it in their "
            "own words.",
        )
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.BRIEF,
            {"method": "chat.postMessage", "args": brief_message(brief_view_of(task))},
            successor,
        )
        queue_confirmation_reminders(
            runtime, session, team_id, task.id, task.lead, successor, task.title, new_owner.tz
        )
    runtime.kick_sweep()
    return None
