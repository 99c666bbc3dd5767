"""Finished work: the lead accepts it (then thanks the owner) or reopens it with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain.lifecycle import Action, Activity
from bot.domain.types import OutboxKind
from bot.runtime import Runtime
from bot.services.checkins import reschedule
from bot.services.common import (
    Refusal,
    TaskLabel,
    acting,
    advance,
    audit,
    latest_message,
    load_task,
    notify,
    once_more_on_conflict,
    queue_message,
    refused,
    replace_message,
    task_for,
)
from bot.services.feedback import start_round
from bot.views.completion import (
    accepted_edit,
    already_thanked_text,
    thanks_draft,
    thanks_message,
)
from bot.views.text import escape_mrkdwn, quote
from storage.db import session_scope
from storage.models import Outbox, Task


@dataclass(frozen=True)
class FinishForm:
    """What the reopen and thanks modals need."""

    task_id: int
    title: str
    owner_id: str
    channel_id: str | None = None
    draft: str = ""


@once_more_on_conflict
def accept(*, runtime: Runtime, team_id: str, task_id: int, user_id: str) -> Refusal | None:
    """The lead accepts: the task is complete, the owner hears, the lead is offered thanks."""
    with acting(runtime, team_id, task_id, user_id, Action.ACCEPT) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        task.completed_at, task.updated_at = now, now
        advance(runtime, session, task, Action.ACCEPT, user_id)
        notify(
            runtime,
            session,
            task,
            task.owner,
            f":tada: <@{user_id}> accepted *{escape_mrkdwn(task.title)}*. It's complete.",
        )
        owner = task.owner
        if (
            task.project_id is None
            and owner.id != task.lead.id
            and not (owner.is_bot or owner.is_deleted)
        ):
            # Work outside a project gets its feedback round now; a project's, when it closes.
            start_round(
                runtime,
                session,
                team_id=team_id,
                lead=task.lead,
                owners=[task.owner],
                label=task.title,
                task=task,
            )
        question = latest_message(session, task, OutboxKind.ACCEPTANCE)
        if question is not None:
            edit = accepted_edit(
                task_id=task.id, owner_id=task.owner.slack_user_id, title=task.title
            )
            queue_message(
                runtime,
                session,
                task,
                OutboxKind.NOTICE,
                {"method": "chat.update", "args": edit, "update_of": question.id},
            )
    runtime.kick_sweep()
    return None


def reopen_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> TaskLabel | Refusal:
    """The lead may reopen this now, or why not."""
    with acting(runtime, team_id, task_id, user_id, Action.REOPEN, lock=False) as (_session, task):
        if isinstance(task, Refusal):
            return task
        return TaskLabel(task.id, task.title, task.owner.slack_user_id)


@once_more_on_conflict
def reopen(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, text: str
) -> Refusal | None:
    """The lead reopens with a reason: the owner gets it, check-ins resume."""
    with acting(runtime, team_id, task_id, user_id, Action.REOPEN) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        task.done_at, task.updated_at = None, now
        advance(runtime, session, task, Action.REOPEN, user_id, {"reason": text})
        notify(
            runtime,
            session,
            task,
            task.owner,
            f"<@{user_id}> reopened *{escape_mrkdwn(task.title)}*:\n{quote(text)}\n"
            "Check-ins resume; report or mark it done again when it's ready.",
        )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.ACCEPTANCE),
            f"You reopened *{escape_mrkdwn(task.title)}* and told "
            f"<@{task.owner.slack_user_id}> why.",
        )
        reschedule(runtime, session, task, after=now)
    runtime.kick_sweep()
    return None


def thanks_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> FinishForm | Refusal:
    """The lead of a completed task may thank its owner."""
    with session_scope(runtime.sessions) as session:
        task = task_for(
            session,
            team_id,
            task_id,
            user_id,
            Activity.THANK,
            stale=lambda _task: "Thanks come once the work is accepted.",
        )
        if isinstance(task, Refusal):
            return task
        if _thanked(session, task):
            return Refusal(already_thanked_text(task.owner.slack_user_id, task.title))
        return FinishForm(
            task.id,
            task.title,
            task.owner.slack_user_id,
            task.update_channel_id,
            thanks_draft(task.title),
        )


@once_more_on_conflict
def thank(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, text: str, share: bool
) -> Refusal | None:
    """The thanks reach the owner, and the update channel when the lead chose to share.

    Accepted work is thanked once: a second submit (or a second modal) sends nothing.
    """
    with session_scope(runtime.sessions) as session:
        task = load_task(session, team_id, task_id, lock=True)
        if isinstance(task, Refusal):
            return task
        if refused(task, Activity.THANK, user_id):
            return Refusal("Only the lead of accepted work can send thanks for it.")
        targets = [task.owner.slack_user_id]
        if share and task.update_channel_id:
            targets.append(task.update_channel_id)
        for target in targets:
            args = thanks_message(
                to=target,
                lead_id=user_id,
                owner_id=task.owner.slack_user_id,
                title=task.title,
                text=text,
            )
            queued = queue_message(
                runtime,
                session,
                task,
                OutboxKind.RECOGNITION,
                {"method": "chat.postMessage", "args": args},
                task.owner if target == task.owner.slack_user_id else None,
                unique_key=_thanks_key(task, target),
            )
            if queued is None:
                # Thanked already; the first row is the owner's, so nothing was added here.
                return Refusal(already_thanked_text(task.owner.slack_user_id, task.title))
        audit(runtime, session, task, user_id, "thanked", task.state, {"shared": share})
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.ACCEPTANCE),
            f":tada: You accepted *{escape_mrkdwn(task.title)}* and thanked "
            f"<@{task.owner.slack_user_id}>"
            + (" in the update channel too." if len(targets) > 1 else "."),
        )
    runtime.kick_sweep()
    return None


def _thanks_key(task: Task, target: str) -> str:
    """Unique key of the thanks for a task to one place (the owner's DM or the channel)."""
    return f"thanks:{task.id}:{target}"


def _thanked(session: Session, task: Task) -> bool:
    """Whether the owner was already thanked for this task."""
    key = _thanks_key(task, task.owner.slack_user_id)
    found = session.scalar(
        sa.select(Outbox.id).where(Outbox.team_id == task.team_id, Outbox.unique_key == key)
    )
    return found is not None
