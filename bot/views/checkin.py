"""The owner's check-in DM (one tap answers) and the lead's alert when something is off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.types import CheckinAnswer
from bot.views.brief_message import slack_date
from bot.views.text import escape_mrkdwn

ANSWER_ACTIONS: dict[str, CheckinAnswer] = {
    "checkin_on_track": CheckinAnswer.ON_TRACK,
    "checkin_at_risk": CheckinAnswer.AT_RISK,
    "checkin_blocked": CheckinAnswer.BLOCKED,
}
ANSWER_WORDS: dict[CheckinAnswer, str] = {
    CheckinAnswer.ON_TRACK: "on track",
    CheckinAnswer.AT_RISK: "at risk",
    CheckinAnswer.BLOCKED: "blocked",
    CheckinAnswer.DONE: "done",
}


def checkin_message(
    *,
    task_id: int,
    owner_id: str,
    title: str,
    due_at: datetime,
    due_has_time: bool,
    days_left: int,
    next_checkpoint: tuple[date, str] | None,
) -> dict[str, Any]:
    """chat.postMessage arguments for one check-in in the owner's DM."""
    facts = [f"Due {slack_date(due_at, with_time=due_has_time)}: {days_left} working days left."]
    if next_checkpoint:
        day, deliverable = next_checkpoint
        facts.append(f"Next checkpoint {day.isoformat()}: {escape_mrkdwn(deliverable)}")
    value = str(task_id)
    blocks = [
        SectionBlock(text=f"How is *{escape_mrkdwn(title)}* going?"),
        ContextBlock(elements=[MarkdownTextObject(text="\n".join(facts))]),
        ActionsBlock(
            block_id=f"checkin_{task_id}",
            elements=[
                ButtonElement(
                    text="On track", action_id="checkin_on_track", value=value, style="primary"
                ),
                ButtonElement(text="At risk", action_id="checkin_at_risk", value=value),
                ButtonElement(
                    text="Blocked", action_id="checkin_blocked", value=value, style="danger"
                ),
            ],
        ),
    ]
    return {
        "channel": owner_id,
        "text": f"Check-in: how is {escape_mrkdwn(title)} going?",
        "blocks": [block.to_dict() for block in blocks],
    }


def answered_text(title: str, answer: CheckinAnswer) -> str:
    """What the check-in message says once answered."""
    if answer is CheckinAnswer.ON_TRACK:
        return f"You said *{escape_mrkdwn(title)}* is on track. Thanks!"
    return (
        f"You said *{escape_mrkdwn(title)}* is {ANSWER_WORDS[answer]}. "
        "Your lead has been told, so you won't be on your own with it."
    )


def lead_alert(*, lead_id: str, owner_id: str, title: str, answer: CheckinAnswer) -> dict[str, Any]:
    """chat.postMessage arguments telling the lead at once that a task is at risk or blocked."""
    text = f":warning: <@{owner_id}> says *{escape_mrkdwn(title)}* is {ANSWER_WORDS[answer]}."
    return {"channel": lead_id, "text": text, "blocks": [SectionBlock(text=text).to_dict()]}
