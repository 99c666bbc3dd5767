"""The "New delegation" modal: the brief a lead fills in for one accountable owner."""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

NEW_DELEGATION_CALLBACK = "new_delegation"


@dataclass(frozen=True)
class BriefPrefill:
    """What is already known when the modal opens (from the command or a message)."""

    owner_id: str | None = None
    title: str | None = None
    goal: str | None = None
    source_permalink: str | None = None


def new_delegation_modal(prefill: BriefPrefill) -> dict[str, Any]:
    """The brief modal, with whatever the lead already gave us filled in."""
    # slack_sdk's models validate on every build; the result depends only on the prefill.
    return copy.deepcopy(_built_modal(prefill))


@functools.lru_cache(maxsize=256)
def _built_modal(prefill: BriefPrefill) -> dict[str, Any]:
    blocks = [
        SectionBlock(
            text="Hand this to *one* accountable owner. They will confirm it in their own words "
            "before it starts."
        ),
        InputBlock(
            block_id="owner",
            label="Owner",
            element=UserSelectElement(
                action_id="value",
                placeholder="Who owns this?",
                initial_user=prefill.owner_id,
            ),
        ),
        InputBlock(
            block_id="title",
            label="Title",
            element=PlainTextInputElement(
                action_id="value",
                placeholder="A short name for the work",
                initial_value=prefill.title,
                max_length=150,
            ),
        ),
        InputBlock(
            block_id="goal",
            label="Goal and why it matters",
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                placeholder="What outcome do you need, and why does it matter now?",
                initial_value=prefill.goal,
                max_length=3000,
            ),
        ),
        InputBlock(
            block_id="due",
            label="Due date",
            element=DatePickerElement(action_id="value", placeholder="Pick a date"),
        ),
    ]
    metadata = {"source_permalink": prefill.source_permalink} if prefill.source_permalink else {}
    view = View(
        type="modal",
        callback_id=NEW_DELEGATION_CALLBACK,
        title="New delegation",
        submit="Send brief",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps(metadata),
    )
    result: dict[str, Any] = view.to_dict()
    return result


def brief_not_enabled_modal() -> dict[str, Any]:
    """Shown after submit while this build cannot yet send briefs, so nobody waits in vain."""
    view = View(
        type="modal",
        title="New delegation",
        close="Close",
        blocks=[
            SectionBlock(
                text="This build of the bot can't send briefs yet, so nothing was sent to the "
                "owner. Please hand this over directly for now."
            )
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result
