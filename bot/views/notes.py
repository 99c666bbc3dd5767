"""Small modals that ask one person for one piece of text about a task."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

NOTE_BLOCK = "note"
NOTE_MAX = 2000
QUESTION_CALLBACK = "question"
REPLY_CALLBACK = "question_reply"
DECLINE_CALLBACK = "decline"


def note_modal(
    *,
    callback_id: str,
    task_id: int,
    title: str,
    intro: str,
    label: str,
    placeholder: str,
    submit: str,
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
