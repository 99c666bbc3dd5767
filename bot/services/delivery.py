"""When Slack refuses a message for good, the lead hears what happened and what to do."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.services.common import notify
from bot.views.text import escape_mrkdwn
from storage import repositories as repo
from storage.models import Person
from storage.outbox import ClaimedMessage

ADVICE: dict[str, str] = {
    "account_inactive": "Their account is deactivated: reassign or cancel the delegation.",
    "user_disabled": "Their account is deactivated: reassign or cancel the delegation.",
    "user_not_found": "They are no longer in this workspace: reassign or cancel it.",
    "channel_not_found": "The channel is gone or private to me: pick another update channel.",
    "not_in_channel": "I'm not in that channel: invite me with `/invite @Delegate`.",
    "is_archived": "The channel is archived: pick another update channel.",
}


def tell_lead_of_failure(
    runtime: Runtime, session: Session, failed: ClaimedMessage, error: str
) -> None:
    """Queue a note to the task's lead naming the undelivered message and the remedy."""
    if failed.task_id is None:
        return
    task = repo.get_task(session=session, team_id=failed.team_id, task_id=failed.task_id)
    if task is None or failed.recipient_id == task.lead_id:
        return  # a note to the lead about the lead's own DM could not arrive either
    recipient = session.get(Person, failed.recipient_id) if failed.recipient_id else None
    who = f" to <@{recipient.slack_user_id}>" if recipient else ""
    text = (
        f"I couldn't deliver a message about *{escape_mrkdwn(task.title)}*{who}: Slack said "
        f"`{escape_mrkdwn(error)}`. " + ADVICE.get(error, "I won't retry it.")
    )
    notify(runtime, session, task, task.lead, text)
