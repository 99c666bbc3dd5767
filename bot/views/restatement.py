"""The owner's teach-back: the brief restated in their own words, with risks and estimate."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.ids import metadata_id
from bot.domain.rhythm import RULES_TEXT
from bot.domain.types import Rhythm
from bot.views.delegation import RHYTHM_LABELS, VALUE
from bot.views.text import escape_mrkdwn, mention

RESTATEMENT_CALLBACK = "restatement"
WHAT, HOW, WHY = "what", "how", "why"
RISKS, ESTIMATE, DATE_OK, PROPOSED_DATE, RHYTHM, IDEAS = (
    "risks",
    "estimate",
    "date_ok",
    "proposed_date",
    "rhythm",
    "ideas",
)
RESTATEMENT_TEXT_MAX = 2000
ESTIMATE_MAX = 250


@dataclass(frozen=True)
class RestatementInput:
    """What the owner typed, stripped; nothing validated yet."""

    what: str
    how: str
    why: str
    risks: str = ""
    estimate_days: float | None = None
    due_date_ok: bool = True
    proposed_due: date | None = None
    rhythm: Rhythm | None = None
    ideas: str = ""

    def own_words(self) -> dict[str, str]:
        """The fields that must be in the owner's own words, by block id."""
        return {WHAT: self.what, HOW: self.how, WHY: self.why}


def restatement_modal(
    *,
    task_id: int,
    title: str,
    lead_id: str,
    rhythm: Rhythm,
    round_number: int = 1,
    lead_note: str | None = None,
) -> dict[str, Any]:
    """The modal the owner fills to confirm a brief (again, after a clarification)."""
    intro = (
        f"Tell {mention(lead_id)} what *{escape_mrkdwn(title)}* means to you, in your own words. "
        "Copying the brief won't be accepted: putting it your way is how you both find gaps."
    )
    blocks: list[Block] = [SectionBlock(text=intro)]
    if lead_note:
        blocks.append(
            SectionBlock(
                text=f"*{mention(lead_id)} clarified (round {round_number}):*\n"
                + escape_mrkdwn(lead_note)
            )
        )
    blocks += [
        _long(WHAT, "What I will deliver", "The result, as you would describe it to a colleague"),
        _long(HOW, "How I will approach it", "Your first steps, who you'll involve, the plan"),
        _long(WHY, "Why it matters", "Why this matters to the customer and to us"),
        _long(RISKS, "Risks and constraints I see", "What could get in the way", optional=True),
        InputBlock(
            block_id=ESTIMATE,
            label="My time estimate (working days)",
            element=NumberInputElement(
                action_id=VALUE,
                is_decimal_allowed=True,
                min_value="0.5",
                max_value=str(ESTIMATE_MAX),
                placeholder="e.g. 3.5",
            ),
        ),
        InputBlock(
            block_id=DATE_OK,
            label="Does the due date work?",
            element=RadioButtonsElement(
                action_id=VALUE,
                options=[
                    Option(value="yes", label="Yes"),
                    Option(value="no", label="No, I propose another date"),
                ],
                initial_option=Option(value="yes", label="Yes"),
            ),
        ),
        InputBlock(
            block_id=PROPOSED_DATE,
            label="Proposed due date",
            element=DatePickerElement(action_id=VALUE, placeholder="Only if the date doesn't work"),
            optional=True,
        ),
        InputBlock(
            block_id=RHYTHM,
            label="Check-ins that work for me",
            element=StaticSelectElement(
                action_id=VALUE,
                options=[Option(value=r.value, label=label) for r, label in RHYTHM_LABELS.items()],
                initial_option=Option(value=rhythm.value, label=RHYTHM_LABELS[rhythm]),
            ),
        ),
        _long(IDEAS, "Ideas, questions, anything we missed", "Optional", optional=True),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Once you send this, check-ins come at the rhythm you agree on, in your "
                    "working hours. At risk or blocked goes to the lead at once.\n" + RULES_TEXT
                )
            ]
        ),
    ]
    view = View(
        type="modal",
        callback_id=RESTATEMENT_CALLBACK,
        title="Confirm in your words",
        submit="Send to the lead",
        close="Not now",
        blocks=blocks,
        private_metadata=json.dumps({"task_id": task_id}),
    )
    result: dict[str, Any] = view.to_dict()
    return result


def _long(block_id: str, label: str, placeholder: str, *, optional: bool = False) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional or None,
        element=PlainTextInputElement(
            action_id=VALUE,
            multiline=True,
            placeholder=placeholder,
            max_length=RESTATEMENT_TEXT_MAX,
        ),
    )


def task_id_of(private_metadata: str) -> int | None:
    """The task a modal is about, or None when the metadata is not ours."""
    return metadata_id(private_metadata, "task_id")


def read_restatement(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> RestatementInput:
    """Turn the submitted state values into a RestatementInput."""

    def field(block_id: str) -> Mapping[str, Any]:
        return values.get(block_id, {}).get(VALUE, {})

    def text(block_id: str) -> str:
        return str(field(block_id).get("value") or "").strip()

    try:
        estimate: float | None = float(text(ESTIMATE)) if text(ESTIMATE) else None
    except ValueError:
        estimate = None
    date_ok = (field(DATE_OK).get("selected_option") or {}).get("value") != "no"
    raw_date = field(PROPOSED_DATE).get("selected_date")
    try:
        proposed = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        proposed = None
    rhythm_value = (field(RHYTHM).get("selected_option") or {}).get("value")
    try:
        rhythm = Rhythm(str(rhythm_value)) if rhythm_value else None
    except ValueError:
        rhythm = None
    return RestatementInput(
        what=text(WHAT),
        how=text(HOW),
        why=text(WHY),
        risks=text(RISKS),
        estimate_days=estimate,
        due_date_ok=date_ok,
        proposed_due=proposed,
        rhythm=rhythm,
        ideas=text(IDEAS),
    )
