"""Small modals that ask one person for one piece of text about a task."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.views.text import Mrkdwn, Wording, escape_mrkdwn, mention

NOTE_BLOCK = "note"
NOTE_MAX = 2000
QUESTION_CALLBACK = "question"
REPLY_CALLBACK = "question_reply"
DECLINE_CALLBACK = "decline"
REASSIGN_CALLBACK = "reassign"
NEW_OWNER_BLOCK = "owner"


def note_modal(
    *,
    callback_id: str,
    task_id: int,
    title: Wording,
    intro: Mrkdwn,
    label: Wording,
    placeholder: Wording,
    submit: Wording,
) -> dict[str, Any]:
    """A modal with an introduction (mrkdwn, already escaped) and one required text box."""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title[:24],
        submit=submit[:24],
        close="Back",
        private_metadata=json.dumps({"task_id": task_id}),
        blocks=[
            SectionBlock(text=intro),
            InputBlock(
                block_id=NOTE_BLOCK,
                label=label,
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=NOTE_MAX,
                    placeholder=placeholder,
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def note_of(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """The text typed into a note modal, stripped."""
    return str(values.get(NOTE_BLOCK, {}).get("value", {}).get("value") or "").strip()


def reassign_modal(*, task_id: int, title: str, owner_id: str) -> dict[str, Any]:
    """The lead picks a new owner; the brief goes to them to confirm in their own words."""
    view = View(
        type="modal",
        callback_id=REASSIGN_CALLBACK,
        title="Reassign",
        submit="Send brief",
        close="Back",
        private_metadata=json.dumps({"task_id": task_id}),
        blocks=[
            SectionBlock(
                text=f"Who should own *{escape_mrkdwn(title)}* instead of {mention(owner_id)}? "
                "They get the brief and confirm it in their own words; "
                f"{mention(owner_id)} is told and thanked."
            ),
            InputBlock(
                block_id=NEW_OWNER_BLOCK,
                label="New owner",
                element=UserSelectElement(action_id="value", placeholder="Choose one person"),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def new_owner_of(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str | None:
    """The person chosen in the reassign modal."""
    chosen = values.get(NEW_OWNER_BLOCK, {}).get("value", {}).get("selected_user")
    return str(chosen) if chosen else None


def already_owns_text(owner_id: str) -> str:
    """Why a delegation can't be reassigned to the person who owns it."""
    return f"{mention(owner_id)} already owns this. Choose someone else."
