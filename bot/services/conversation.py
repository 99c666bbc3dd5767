"""The owner's way out and way in: a question for the lead, or declining with a reason."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, SectionBlock

from bot.domain.lifecycle import Action, Activity
from bot.domain.types import OutboxKind
from bot.runtime import Runtime
from bot.services.common import (
    Refusal,
    TaskLabel,
    acting,
    advance,
    audit,
    latest_message,
    load_task,
    once_more_on_conflict,
    queue_message,
    replace_message,
    task_for,
    withdraw_waiting_reminders,
)
from bot.views.review import CANCEL_ACTION, REASSIGN_ACTION
from bot.views.text import escape_mrkdwn, quote
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Task

REPLY_ACTION = "question_reply"


def question_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> TaskLabel | Refusal:
    """The owner may ask while the task is open; anyone else is told who can."""
    with session_scope(runtime.sessions) as session:
        task = task_for(session, team_id, task_id, user_id, Activity.ASK, stale=_nothing_to_ask)
        if isinstance(task, Refusal):
            return task
        return TaskLabel(task.id, task.title, task.lead.slack_user_id)


def _nothing_to_ask(task: Task) -> str:
    state = task.state.value.replace("_", " ")
    return f"*{escape_mrkdwn(task.title)}* is {state}: there is nothing to ask."


@once_more_on_conflict
def ask(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    text: str,
    view_id: str | None = None,
) -> Refusal | None:
    """The owner's question reaches the lead with a Reply button, and the brief's thread.

    Once per modal: the same question modal submitted again sends nothing more.
    """
    form = question_form(runtime=runtime, team_id=team_id, task_id=task_id, user_id=user_id)
    if isinstance(form, Refusal):
        return form
    with session_scope(runtime.sessions) as session:
        task = load_task(session, team_id, task_id)
        if isinstance(task, Refusal):
            return task
        if view_id and not repo.claim_submission(
            session=session, team_id=team_id, view_id=view_id, at=runtime.clock()
        ):
            return None
        owner, lead = task.owner.slack_user_id, task.lead.slack_user_id
        audit(runtime, session, task, user_id, "asked", task.state)
        question = text
        text = f"<@{owner}> has a question about *{escape_mrkdwn(task.title)}*:\n{quote(question)}"
        blocks = [
            SectionBlock(text=text),
            ActionsBlock(
                block_id=f"question_{task.id}",
                elements=[ButtonElement(text="Reply", action_id=REPLY_ACTION, value=str(task.id))],
            ),
        ]
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.NOTICE,
            {
                "method": "chat.postMessage",
                "args": {
                    "channel": lead,
                    "text": f"<@{owner}> has a question",
                    "blocks": [b.to_dict() for b in blocks],
                },
            },
            task.lead,
        )
        prompt = latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION)
        if prompt is not None:
            queue_message(
                runtime,
                session,
                task,
                OutboxKind.NOTICE,
                {
                    "method": "chat.postMessage",
                    "args": {"text": f"You asked <@{lead}>:\n{quote(question)}"},
                    "thread_of": prompt.id,
                },
            )
    runtime.kick_sweep()
    return None


def reply_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> TaskLabel | Refusal:
    """Only the lead replies to the owner's questions."""
    with session_scope(runtime.sessions) as session:
        task = task_for(session, team_id, task_id, user_id, Activity.REPLY)
        if isinstance(task, Refusal):
            return task
        return TaskLabel(task.id, task.title, task.owner.slack_user_id)


@once_more_on_conflict
def reply(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    text: str,
    view_id: str | None = None,
) -> Refusal | None:
    """The lead's answer lands in the owner's brief thread (once per modal)."""
    form = reply_form(runtime=runtime, team_id=team_id, task_id=task_id, user_id=user_id)
    if isinstance(form, Refusal):
        return form
    with session_scope(runtime.sessions) as session:
        task = load_task(session, team_id, task_id)
        if isinstance(task, Refusal):
            return task
        if view_id and not repo.claim_submission(
            session=session, team_id=team_id, view_id=view_id, at=runtime.clock()
        ):
            return None
        audit(runtime, session, task, user_id, "replied", task.state)
        prompt = latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION)
        text = f"<@{task.lead.slack_user_id}> replied:\n{quote(text)}"
        payload = (
            {"method": "chat.postMessage", "args": {"text": text}, "thread_of": prompt.id}
            if prompt is not None
            else {
                "method": "chat.postMessage",
                "args": {"channel": task.owner.slack_user_id, "text": text},
            }
        )
        queue_message(runtime, session, task, OutboxKind.NOTICE, payload, task.owner)
    runtime.kick_sweep()
    return None


def decline_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> TaskLabel | Refusal:
    """Whether the owner may decline now."""
    with acting(runtime, team_id, task_id, user_id, Action.DECLINE, lock=False) as (_session, task):
        if isinstance(task, Refusal):
            return task
        return TaskLabel(task.id, task.title, task.lead.slack_user_id)


@once_more_on_conflict
def decline(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, text: str
) -> Refusal | None:
    """The owner declines with a reason; the lead may reassign or cancel."""
    with acting(runtime, team_id, task_id, user_id, Action.DECLINE) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        withdraw_waiting_reminders(session, task)
        task.decline_reason, task.declined_at, task.updated_at = text, now, now
        advance(runtime, session, task, Action.DECLINE, user_id)
        owner, lead, title = (
            task.owner.slack_user_id,
            task.lead.slack_user_id,
            escape_mrkdwn(task.title),
        )
        blocks = [
            SectionBlock(text=f"<@{owner}> can't take *{title}*:\n{quote(text)}"),
            ActionsBlock(
                block_id=f"declined_{task.id}",
                elements=[
                    ButtonElement(
                        text="Reassign...", action_id=REASSIGN_ACTION, value=str(task.id)
                    ),
                    ButtonElement(
                        text="Cancel",
                        action_id=CANCEL_ACTION,
                        value=str(task.id),
                        style="danger",
                        confirm=ConfirmObject(
                            title="Cancel this delegation?",
                            text="Nobody will own it.",
                            confirm="Cancel it",
                            deny="Keep it",
                        ),
                    ),
                ],
            ),
        ]
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.REVIEW,
            {
                "method": "chat.postMessage",
                "args": {
                    "channel": lead,
                    "text": f"<@{owner}> can't take {title}",
                    "blocks": [b.to_dict() for b in blocks],
                },
            },
            task.lead,
        )
        replace_message(
            runtime,
            session,
            task,
            latest_message(session, task, OutboxKind.BRIEF, OutboxKind.CLARIFICATION),
            f"You declined *{title}*. <@{lead}> has your reason.",
        )
    runtime.kick_sweep()
    return None
