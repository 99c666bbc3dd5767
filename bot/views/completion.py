"""Finishing: the lead accepts or reopens done work, then says thanks."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.views.text import escape_mrkdwn, mention, quote
from bot.views.text import link as slack_link

ACCEPT_ACTION = "done_accept"
REOPEN_ACTION = "done_reopen"
THANKS_ACTION = "done_thanks"
REOPEN_CALLBACK = "reopen"
THANKS_CALLBACK = "thanks"
THANKS_BLOCK, SHARE_BLOCK = "thanks", "share"
THANKS_MAX = 2000


def done_for_lead(
    *, task_id: int, lead_id: str, owner_id: str, title: str, summary: str, link: str | None
) -> dict[str, Any]:
    """chat.postMessage arguments asking the lead to accept or reopen finished work."""
    text = f":white_check_mark: {mention(owner_id)} says *{escape_mrkdwn(title)}* is done."
    body = quote(summary) + (f"\n{slack_link(link, 'Link to the work')}" if link else "")
    value = str(task_id)
    blocks = [
        SectionBlock(text=text),
        SectionBlock(text=body[:3000]),
        ActionsBlock(
            block_id=f"done_{task_id}",
            elements=[
                ButtonElement(text="Accept", action_id=ACCEPT_ACTION, value=value, style="primary"),
                ButtonElement(text="Reopen...", action_id=REOPEN_ACTION, value=value),
            ],
        ),
    ]
    return {"channel": lead_id, "text": text, "blocks": [b.to_dict() for b in blocks]}


def accepted_edit(*, task_id: int, owner_id: str, title: str) -> dict[str, Any]:
    """chat.update arguments: accepted, with the prompt to recognise the work."""
    text = (
        f":tada: You accepted *{escape_mrkdwn(title)}*. A word of thanks to {mention(owner_id)} "
        "goes a long way."
    )
    blocks = [
        SectionBlock(text=text),
        ActionsBlock(
            block_id=f"accepted_{task_id}",
            elements=[
                ButtonElement(
                    text="Say thanks", action_id=THANKS_ACTION, value=str(task_id), style="primary"
                )
            ],
        ),
    ]
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def thanks_modal(
    *, task_id: int, owner_id: str, title: str, draft: str, channel_id: str | None
) -> dict[str, Any]:
    """The lead's thanks, prefilled and editable; optionally shared in the update channel."""
    blocks: list[Any] = [
        SectionBlock(
            text=f"Your message goes to {mention(owner_id)} about *{escape_mrkdwn(title)}*."
        ),
        InputBlock(
            block_id=THANKS_BLOCK,
            label="Message",
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=THANKS_MAX, initial_value=draft
            ),
        ),
    ]
    if channel_id:
        blocks.append(
            InputBlock(
                block_id=SHARE_BLOCK,
                label="Share",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[Option(value="channel", label="Also post it in the update channel")],
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=THANKS_CALLBACK,
        title="Say thanks",
        submit="Send",
        close="Not now",
        private_metadata=json.dumps({"task_id": task_id}),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def thanks_draft(title: str) -> str:
    """A starting point the lead edits (plain text; escaped when sent)."""
    return f"Thank you for {title}. It made a real difference; I noticed the care you put in."


def thanks_message(
    *, to: str, lead_id: str, owner_id: str, title: str, text: str
) -> dict[str, Any]:
    """chat.postMessage arguments for the thanks, in the owner's DM or the update channel."""
    header = f":clap: {mention(lead_id)} thanks {mention(owner_id)} for *{escape_mrkdwn(title)}*"
    blocks = [SectionBlock(text=header), SectionBlock(text=quote(text)[:3000])]
    return {"channel": to, "text": header, "blocks": [b.to_dict() for b in blocks]}


def already_thanked_text(owner_id: str, title: str) -> str:
    """Why thanks for this work are not sent again."""
    return f"You already thanked {mention(owner_id)} for *{escape_mrkdwn(title)}*."
