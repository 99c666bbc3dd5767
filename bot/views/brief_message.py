"""Messages about a new brief: the owner's DM with the whole brief, and the lead's receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.types import Rhythm
from bot.views.delegation import RHYTHM_LABELS
from bot.views.text import Wording, channel_mention, escape_mrkdwn, link, mention

CONFIRM_ACTION = "brief_confirm"
QUESTION_ACTION = "brief_question"
DECLINE_ACTION = "brief_decline"
SECTION_LIMIT = 3000


@dataclass(frozen=True)
class BriefView:
    """What the owner's DM shows; every text is as the lead typed it (escaped here)."""

    task_id: int
    lead_id: str
    owner_id: str
    title: str
    goal: str
    due_at: datetime
    due_has_time: bool
    expectations: str = ""
    non_negotiables: str = ""
    freedoms: str = ""
    risks: str = ""
    skills: tuple[str, ...] = ()
    checkpoints: tuple[tuple[date, str], ...] = ()
    rhythm: Rhythm = Rhythm.TWICE_WEEKLY
    project: str | None = None
    update_channel_id: str | None = None
    source_permalink: str | None = None


def slack_date(instant: datetime, *, with_time: bool) -> str:
    """A date (and time) each reader sees in their own time zone, with a UTC fallback."""
    token = "{date_short_pretty} at {time}" if with_time else "{date_long_pretty}"
    fallback = instant.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(instant.timestamp())}^{token}|{fallback}>"


def labelled_sections(label: Wording, text: str) -> list[SectionBlock]:
    """A bold label over escaped user text, split so no section passes Slack's 3000 limit."""
    body = escape_mrkdwn(text)
    first_room = SECTION_LIMIT - len(label) - 5
    chunks = [body[:first_room]]
    rest = body[first_room:]
    while rest:
        chunks.append(rest[: SECTION_LIMIT - 10])
        rest = rest[SECTION_LIMIT - 10 :]
    sections = [SectionBlock(text=f"*{label}*\n{chunks[0]}")]
    sections += [SectionBlock(text=chunk) for chunk in chunks[1:]]
    return sections


def brief_blocks(brief: BriefView) -> list[Block]:
    """The whole brief, then the owner's three choices."""
    blocks: list[Block] = [
        HeaderBlock(text=f"New delegation: {brief.title}"[:150]),
        SectionBlock(
            text=f"{mention(brief.lead_id)} would like you to own this. Read it through, then "
            "confirm it in your own words, ask a question, or say if you can't take it."
        ),
    ]
    for label, text in (
        ("Goal and why it matters", brief.goal),
        ("Definition of done", brief.expectations),
        ("Non-negotiables", brief.non_negotiables),
        ("Where you decide", brief.freedoms),
        ("Known risks and worst case", brief.risks),
    ):
        if text:
            blocks += labelled_sections(label, text)
    details = [f"*Due:* {slack_date(brief.due_at, with_time=brief.due_has_time)}"]
    details.append(f"*Check-ins:* {RHYTHM_LABELS[brief.rhythm]}")
    if brief.skills:
        details.append("*Skills:* " + escape_mrkdwn(", ".join(brief.skills)))
    if brief.project:
        details.append(f"*Project:* {escape_mrkdwn(brief.project)}")
    if brief.update_channel_id:
        details.append(f"*Updates in:* {channel_mention(brief.update_channel_id)}")
    blocks.append(SectionBlock(text="\n".join(details)))
    if brief.checkpoints:
        lines = [f"• {day.isoformat()}: {deliverable}" for day, deliverable in brief.checkpoints]
        blocks += labelled_sections("Checkpoints", "\n".join(lines))
    if brief.source_permalink:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Started from {link(brief.source_permalink, 'a message')}"
                    )
                ]
            )
        )
    value = str(brief.task_id)
    blocks.append(
        ActionsBlock(
            block_id=f"brief_actions_{brief.task_id}",
            elements=[
                ButtonElement(
                    text="Confirm in my own words",
                    action_id=CONFIRM_ACTION,
                    value=value,
                    style="primary",
                ),
                ButtonElement(text="I have a question", action_id=QUESTION_ACTION, value=value),
                ButtonElement(
                    text="I can't take this", action_id=DECLINE_ACTION, value=value, style="danger"
                ),
            ],
        )
    )
    return blocks


def brief_message(brief: BriefView) -> dict[str, Any]:
    """chat.postMessage arguments for the owner's DM (channel is the owner's user id)."""
    return {
        "channel": brief.owner_id,
        "text": f"New delegation from {mention(brief.lead_id)}: {escape_mrkdwn(brief.title)}",
        "blocks": [block.to_dict() for block in brief_blocks(brief)],
    }


def receipt_message(
    *, lead_id: str, owner_id: str, title: str, open_count: int, soft_limit: int
) -> dict[str, Any]:
    """chat.postMessage arguments for the lead: the brief is on its way."""
    text = (
        f"Sent *{escape_mrkdwn(title)}* to {mention(owner_id)}. I'll tell you when they have "
        "confirmed it in their own words."
    )
    blocks: list[Block] = [SectionBlock(text=text)]
    if open_count > soft_limit:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{mention(owner_id)} now has {open_count} open delegations "
                        f"(the team's soft limit is {soft_limit})."
                    )
                ]
            )
        )
    return {
        "channel": lead_id,
        "text": f"Sent {escape_mrkdwn(title)} to {mention(owner_id)}.",
        "blocks": [block.to_dict() for block in blocks],
    }
