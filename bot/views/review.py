"""The lead's review: the brief and the owner's restatement side by side, then a decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.types import Rhythm
from bot.views.brief_message import labelled_sections
from bot.views.delegation import RHYTHM_LABELS
from bot.views.text import Mrkdwn, Wording, escape_mrkdwn, mention

APPROVE_ACTION = "review_approve"
CLARIFY_ACTION = "review_clarify"
REASSIGN_ACTION = "review_reassign"
CANCEL_ACTION = "review_cancel"
FIELD_LIMIT = 2000


@dataclass(frozen=True)
class ReviewView:
    """Brief and restatement of one round, plus the estimate's fit."""

    task_id: int
    owner_id: str
    title: str
    round_number: int
    brief_goal: str
    brief_expectations: str
    owner_what: str
    owner_how: str
    owner_why: str
    owner_risks: str
    owner_ideas: str
    fit_sentence: str
    fit_flagged: bool
    proposed_due: date | None = None
    proposed_rhythm: Rhythm | None = None
    current_rhythm: Rhythm = Rhythm.TWICE_WEEKLY


def _field(label: str, text: str) -> str:
    body = escape_mrkdwn(text) or "_(not given)_"
    room = FIELD_LIMIT - len(label) - 6
    if len(body) > room:
        body = body[: room - 1] + "…"
    return f"*{label}*\n{body}"


def review_blocks(review: ReviewView) -> list[Block]:
    """Side-by-side comparison, the owner's risks and ideas, the estimate, the choices."""
    round_note = f" (round {review.round_number})" if review.round_number > 1 else ""
    blocks: list[Block] = [
        HeaderBlock(text=f"Confirmed in their words: {review.title}"[:150]),
        SectionBlock(
            text=f"{mention(review.owner_id)} restated your brief{round_note}. Read both sides; "
            "approve to start, or clarify what they missed."
        ),
    ]
    pairs = (
        (
            "Your brief: goal",
            review.brief_goal,
            "Their words: what they'll deliver",
            review.owner_what,
        ),
        (
            "Your brief: definition of done",
            review.brief_expectations,
            "Their words: how they'll approach it",
            review.owner_how,
        ),
        (
            "Your brief: why (from the goal)",
            review.brief_goal,
            "Their words: why it matters",
            review.owner_why,
        ),
    )
    for left_label, left, right_label, right in pairs:
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=_field(left_label, left)),
                    MarkdownTextObject(text=_field(right_label, right)),
                ]
            )
        )
    if review.owner_risks:
        blocks += labelled_sections("Risks they see", review.owner_risks)
    if review.owner_ideas:
        blocks += labelled_sections("Ideas and questions", review.owner_ideas)
    marker = ":warning: " if review.fit_flagged else ""
    plan = [f"*Estimate:* {marker}{escape_mrkdwn(review.fit_sentence)}"]
    if review.proposed_due:
        plan.append(f"*They propose a new due date:* {review.proposed_due.isoformat()}")
    if review.proposed_rhythm and review.proposed_rhythm is not review.current_rhythm:
        plan.append(
            f"*They'd like check-ins:* {RHYTHM_LABELS[review.proposed_rhythm]} "
            f"(you asked for {RHYTHM_LABELS[review.current_rhythm].lower()})"
        )
    blocks.append(SectionBlock(text="\n".join(plan)))
    value = str(review.task_id)
    blocks.append(
        ActionsBlock(
            block_id=f"review_actions_{review.task_id}_{review.round_number}",
            elements=[
                ButtonElement(
                    text="Approve and start", action_id=APPROVE_ACTION, value=value, style="primary"
                ),
                ButtonElement(text="Clarify...", action_id=CLARIFY_ACTION, value=value),
                ButtonElement(text="Reassign...", action_id=REASSIGN_ACTION, value=value),
                ButtonElement(
                    text="Cancel",
                    action_id=CANCEL_ACTION,
                    value=value,
                    style="danger",
                    confirm=ConfirmObject(
                        title="Cancel this delegation?",
                        text=f"{mention(review.owner_id)} will be told it is cancelled.",
                        confirm="Cancel it",
                        deny="Keep it",
                    ),
                ),
            ],
        )
    )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Approving starts check-ins at the agreed rhythm and date.")
            ]
        )
    )
    return blocks


def review_message(review: ReviewView, *, lead_id: str) -> dict[str, Any]:
    """chat.postMessage arguments for the lead's DM."""
    return {
        "channel": lead_id,
        "text": f"{mention(review.owner_id)} confirmed {escape_mrkdwn(review.title)} "
        "in their own words",
        "blocks": [block.to_dict() for block in review_blocks(review)],
    }


CLARIFY_CALLBACK = "clarify"
NOTE_BLOCK = "note"
NOTE_MAX = 2000


def clarify_modal(*, task_id: int, owner_id: str, title: str) -> dict[str, Any]:
    """The lead's note asking the owner to restate again."""
    view = View(
        type="modal",
        callback_id=CLARIFY_CALLBACK,
        title="Clarify",
        submit="Send to owner",
        close="Back",
        private_metadata=json.dumps({"task_id": task_id}),
        blocks=[
            SectionBlock(
                text=f"What should {mention(owner_id)} look at again in *{escape_mrkdwn(title)}*? "
                "They will restate it with your note in front of them."
            ),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Your note",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=NOTE_MAX,
                    placeholder="e.g. The deck is for their CFO, not the champion: lead with cost.",
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def notice_modal(title: Wording, text: Mrkdwn) -> dict[str, Any]:
    """A modal that only says something (e.g. why a submission can't go through any more)."""
    view = View(type="modal", title=title[:24], close="Close", blocks=[SectionBlock(text=text)])
    result: dict[str, Any] = view.to_dict()
    return result
