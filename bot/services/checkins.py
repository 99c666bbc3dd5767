"""Check-ins: when the next one goes out, and what an owner's one-tap answer does."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain.cadence import next_checkin_at
from bot.domain.types import CheckinAnswer, Health, OutboxKind, OutboxState, TaskState, UpdateSource
from bot.domain.workdays import working_days_left
from bot.runtime import Runtime
from bot.services.common import (
    Refusal,
    calendar_of,
    load_task,
    queue_message,
    replace_message,
)
from bot.views.checkin import answered_text, checkin_message, lead_alert
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, StatusUpdate, Task
from storage.outbox import ClaimedMessage


def checkin_key(task_id: int, at: datetime) -> str:
    """Unique key of one scheduled check-in: two processes can never queue it twice."""
    return f"checkin:{task_id}:{at.isoformat()}"


def scheduled_at(key: str | None) -> datetime | None:
    """The instant a check-in was scheduled for, read back from its unique key."""
    if not key or not key.startswith("checkin:"):
        return None
    try:
        return datetime.fromisoformat(key.split(":", 2)[2])
    except (IndexError, ValueError):
        return None


def schedule_next_checkin(
    runtime: Runtime, session: Session, task: Task, *, after: datetime
) -> datetime | None:
    """Queue the owner's next check-in after `after`; returns when it is due (None: none left)."""
    calendar = calendar_of(runtime, task.owner)
    owner = task.owner
    at = (
        time(owner.checkin_hour, owner.checkin_minute or 0)
        if owner.checkin_hour is not None
        else runtime.settings.checkin_time
    )
    due_at = task.agreed_due_at or task.due_at
    due = due_at.astimezone(calendar.tz).date()
    checkpoints = [c.due_at.astimezone(calendar.tz).date() for c in task.checkpoints]
    when = next_checkin_at(
        calendar, at=at, rhythm=task.rhythm, after=after, due=due, checkpoints=checkpoints
    )
    if when is None:
        return None
    upcoming = [
        (c.due_at.astimezone(calendar.tz).date(), c.deliverable)
        for c in task.checkpoints
        if c.due_at > when and c.done_at is None
    ]
    message = checkin_message(
        task_id=task.id,
        owner_id=owner.slack_user_id,
        title=task.title,
        due_at=due_at,
        due_has_time=task.due_has_time,
        days_left=working_days_left(calendar, when, due),
        next_checkpoint=upcoming[0] if upcoming else None,
    )
    repo.enqueue_outbox(
        session=session,
        team_id=task.team_id,
        kind=OutboxKind.CHECKIN,
        payload={"method": "chat.postMessage", "args": message},
        due_at=when,
        now=runtime.clock(),
        unique_key=checkin_key(task.id, when),
        task_id=task.id,
        recipient_id=owner.id,
    )
    return when


def _answered_checkin(session: Session, task: Task, message_ts: str | None) -> Outbox | None:
    """The check-in message that was clicked (by its ts), else the latest one sent."""
    query = sa.select(Outbox).where(
        Outbox.team_id == task.team_id,
        Outbox.task_id == task.id,
        Outbox.kind == OutboxKind.CHECKIN,
        Outbox.state == OutboxState.SENT,
    )
    if message_ts:
        clicked = session.scalars(query.where(Outbox.ts == message_ts)).first()
        if clicked is not None:
            return clicked
    return session.scalars(query.order_by(Outbox.sent_at.desc(), Outbox.id.desc())).first()


def answer_checkin(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    answer: CheckinAnswer,
    message_ts: str | None = None,
) -> Refusal | None:
    """Record the owner's answer, edit the check-in in place, alert the lead if needed."""
    with session_scope(runtime.sessions) as session:
        task = load_task(session, team_id, task_id)
        if isinstance(task, Refusal):
            return task
        if task.owner.slack_user_id != user_id:
            return Refusal(f"Only <@{task.owner.slack_user_id}> can do this.")
        if task.state is not TaskState.ACTIVE:
            state = task.state.value.replace("_", " ")
            return Refusal(f"This delegation is {state}, so there is no check-in to answer.")
        now = runtime.clock()
        checkin = _answered_checkin(session, task, message_ts)
        session.add(
            StatusUpdate(
                team_id=team_id,
                task_id=task.id,
                person_id=task.owner_id,
                answer=answer,
                note="",
                source=UpdateSource.CHECKIN,
                outbox_id=checkin.id if checkin else None,
                created_at=now,
            )
        )
        task.health, task.last_checkin_at, task.updated_at = Health(answer.value), now, now
        replace_message(runtime, session, task, checkin, answered_text(task.title, answer))
        if answer is not CheckinAnswer.ON_TRACK:
            alert = lead_alert(
                lead_id=task.lead.slack_user_id,
                owner_id=task.owner.slack_user_id,
                title=task.title,
                answer=answer,
            )
            queue_message(
                runtime,
                session,
                task,
                OutboxKind.ESCALATION,
                {"method": "chat.postMessage", "args": alert},
                task.lead,
            )
        # The next one follows the check-in being answered (even if a retry sent it late).
        answered_for = scheduled_at(checkin.unique_key) if checkin else None
        schedule_next_checkin(runtime, session, task, after=max(now, answered_for or now))
    runtime.kick_sweep()
    return None


def after_checkin_sent(runtime: Runtime, session: Session, sent: ClaimedMessage) -> None:
    """A check-in went out: queue the one after it, so silence never ends the rhythm."""
    if sent.task_id is None:
        return
    task = repo.get_task(session=session, team_id=sent.team_id, task_id=sent.task_id)
    sent_for = scheduled_at(sent.unique_key)
    if task is None or task.state is not TaskState.ACTIVE or sent_for is None:
        return
    schedule_next_checkin(runtime, session, task, after=sent_for)
