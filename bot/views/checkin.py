"""Check-in messages and modals: the owner's one-tap DM, notes, snoozes, the lead's alerts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.views import View

from bot.domain.types import CheckinAnswer, Health
from bot.views.brief_message import slack_date
from bot.views.text import Mrkdwn, Wording, escape_mrkdwn, mention, quote

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
HEALTH_EMOJI: dict[Health | None, str] = {
    Health.ON_TRACK: ":large_green_circle:",
    Health.AT_RISK: ":large_orange_circle:",
    Health.BLOCKED: ":red_circle:",
    None: ":white_circle:",
}
DONE_ACTION = "checkin_done"
NOTE_ACTION = "checkin_note"
SNOOZE_ACTION = "checkin_snooze"
REPORT_ACTION = "brief_report"  # "Report progress" on the brief DM
NEW_DATE_ACTION = "overdue_new_date"
ALERT_REPLY_ACTION = "alert_reply"
ALERT_EXTEND_ACTION = "alert_extend"
UPDATE_CALLBACK = "status_update"
DONE_CALLBACK = "task_done"
SNOOZE_CALLBACK = "checkin_snooze_until"
EXTEND_CALLBACK = "extend_due"
NEW_DATE_CALLBACK = "owner_new_date"
ALERT_REPLY_CALLBACK = "alert_reply"
TASK_BLOCK, STATUS_BLOCK, NOTE_BLOCK = "task", "status", "note"
SUMMARY_BLOCK, LINK_BLOCK, DATE_BLOCK = "summary", "link", "date"
NOTE_MAX, SUMMARY_MAX = 2000, 2000
SNOOZE_CHOICES: dict[str, str] = {
    "1": "Snooze 1 day",
    "3": "Snooze 3 days",
    "date": "Until a date...",
}


@dataclass(frozen=True)
class CheckinFacts:
    """What a check-in message says about its task."""

    task_id: int
    owner_id: str
    title: str
    due_at: datetime
    due_has_time: bool
    days_left: int
    next_checkpoint: tuple[date, str] | None = None


def _facts_text(facts: CheckinFacts) -> str:
    lines = [
        f"Due {slack_date(facts.due_at, with_time=facts.due_has_time)}: "
        f"{facts.days_left} working days left."
    ]
    if facts.next_checkpoint:
        day, deliverable = facts.next_checkpoint
        lines.append(f"Next checkpoint {day.isoformat()}: {escape_mrkdwn(deliverable)}")
    return "\n".join(lines)


def checkin_message(facts: CheckinFacts) -> dict[str, Any]:
    """chat.postMessage arguments for one check-in in the owner's DM."""
    value = str(facts.task_id)
    blocks = [
        SectionBlock(text=f"How is *{escape_mrkdwn(facts.title)}* going?"),
        ContextBlock(elements=[MarkdownTextObject(text=_facts_text(facts))]),
        ActionsBlock(
            block_id=f"checkin_{facts.task_id}",
            elements=[
                ButtonElement(
                    text="On track", action_id="checkin_on_track", value=value, style="primary"
                ),
                ButtonElement(text="At risk", action_id="checkin_at_risk", value=value),
                ButtonElement(
                    text="Blocked", action_id="checkin_blocked", value=value, style="danger"
                ),
                ButtonElement(text="Done", action_id=DONE_ACTION, value=value),
                ButtonElement(text="Add a note", action_id=NOTE_ACTION, value=value),
                OverflowMenuElement(
                    action_id=SNOOZE_ACTION,
                    options=[
                        Option(value=f"{choice}:{value}", label=label)
                        for choice, label in SNOOZE_CHOICES.items()
                    ],
                ),
            ],
        ),
    ]
    return {
        "channel": facts.owner_id,
        "text": f"Check-in: how is {escape_mrkdwn(facts.title)} going?",
        "blocks": [block.to_dict() for block in blocks],
    }


def answered_text(title: str, answer: CheckinAnswer, extra: Mrkdwn | None = None) -> str:
    """What the check-in message says once answered."""
    if answer is CheckinAnswer.ON_TRACK:
        text = f"You said *{escape_mrkdwn(title)}* is on track. Thanks!"
    elif answer is CheckinAnswer.DONE:
        text = f"You said *{escape_mrkdwn(title)}* is done. Your lead has been asked to accept it."
    else:
        text = (
            f"You said *{escape_mrkdwn(title)}* is {ANSWER_WORDS[answer]}. "
            "Your lead has been told, so you won't be on your own with it."
        )
    return f"{text} {extra}" if extra else text


def already_answered_text(title: str, answer: CheckinAnswer) -> str:
    """Said privately when a check-in that already has its answer is answered differently."""
    return (
        f"You already answered this check-in about *{escape_mrkdwn(title)}*: "
        f"{ANSWER_WORDS[answer]}. One check-in takes one answer; to tell your lead more, "
        "use Report progress on the brief or `/delegate update`."
    )


def stale_checkin_text(title: str) -> str:
    """Said privately when someone answers or snoozes a check-in a newer one replaced."""
    return (
        f"This check-in about *{escape_mrkdwn(title)}* is out of date: a newer one is further "
        "down your DMs. Answer that one, or use `/delegate update`."
    )


def snoozed_text(title: str, until: datetime) -> str:
    """What a snoozed check-in says instead of its buttons."""
    return (
        f":zzz: Snoozed: I'll ask about *{escape_mrkdwn(title)}* again "
        f"{slack_date(until, with_time=True)}."
    )


def snooze_not_queued_text(until: datetime) -> str:
    """Why a snooze changed nothing: that moment's check-in was already sent or is going out."""
    return (
        f"There already was a check-in for {slack_date(until, with_time=True)}, so I can't "
        "ask again then. Nothing changed; pick another day."
    )


def lead_alert(
    *, task_id: int, lead_id: str, owner_id: str, title: str, answer: CheckinAnswer, note: str = ""
) -> dict[str, Any]:
    """chat.postMessage arguments telling the lead at once that a task is at risk or blocked."""
    text = f":warning: {mention(owner_id)} says *{escape_mrkdwn(title)}* is {ANSWER_WORDS[answer]}."
    value = str(task_id)
    blocks: list[Any] = [SectionBlock(text=text)]
    if note:
        blocks.append(SectionBlock(text=quote(note)[:3000]))
    blocks.append(
        ActionsBlock(
            block_id=f"alert_{task_id}",
            elements=[
                ButtonElement(text="Reply", action_id=ALERT_REPLY_ACTION, value=value),
                ButtonElement(text="Extend due date", action_id=ALERT_EXTEND_ACTION, value=value),
                ButtonElement(text="Reassign...", action_id="review_reassign", value=value),
            ],
        )
    )
    return {"channel": lead_id, "text": text, "blocks": [block.to_dict() for block in blocks]}


def renudge_text(title: str) -> str:
    """The one gentle reminder of an unanswered check-in."""
    return (
        f"A gentle nudge: how is *{escape_mrkdwn(title)}* going? "
        "One tap on the check-in above is enough."
    )


def missed_text(owner_id: str, title: str, missed: int) -> str:
    """The lead's note that check-ins go unanswered."""
    return (
        f":mailbox_with_no_mail: {mention(owner_id)} hasn't answered the last {missed} "
        f"check-ins on *{escape_mrkdwn(title)}*. A quick word from you may help."
    )


def overdue_message(
    *, task_id: int, owner_id: str, title: str, due_at: datetime, due_has_time: bool
) -> dict[str, Any]:
    """Asks the owner, the working day after the due date, whether it is done or needs a date."""
    text = (
        f"*{escape_mrkdwn(title)}* was due {slack_date(due_at, with_time=due_has_time)}. "
        "Is it done, or does it need a new date?"
    )
    value = str(task_id)
    blocks = [
        SectionBlock(text=text),
        ActionsBlock(
            block_id=f"overdue_{task_id}",
            elements=[
                ButtonElement(text="Done", action_id=DONE_ACTION, value=value, style="primary"),
                ButtonElement(text="New date...", action_id=NEW_DATE_ACTION, value=value),
            ],
        ),
    ]
    return {
        "channel": owner_id,
        "text": f"{escape_mrkdwn(title)} is past its due date",
        "blocks": [b.to_dict() for b in blocks],
    }


def overdue_lead_text(owner_id: str, title: str, due_at: datetime, due_has_time: bool) -> str:
    """The lead's note that a task passed its due date without being done."""
    return (
        f":hourglass: *{escape_mrkdwn(title)}* was due "
        f"{slack_date(due_at, with_time=due_has_time)} and isn't marked done. "
        f"I've asked {mention(owner_id)} for Done or a new date (daily, at most 3 times)."
    )


def _metadata(task_id: int | None, **extra: Any) -> str:
    return json.dumps({"task_id": task_id, **extra})


def update_modal(
    *,
    tasks: Sequence[tuple[int, str]],
    chosen: int | None,
    health: Health | None,
    source: str,
) -> dict[str, Any]:
    """The owner reports progress: which task (when several), status, and a note."""
    blocks: list[Any] = []
    if chosen is None:
        blocks.append(
            InputBlock(
                block_id=TASK_BLOCK,
                label="Delegation",
                element=StaticSelectElement(
                    action_id="value",
                    placeholder="Choose one",
                    options=[
                        Option(value=str(tid), label=title[:75] or "Untitled")
                        for tid, title in tasks
                    ],
                ),
            )
        )
    else:
        title = dict(tasks).get(chosen, "")
        blocks.append(SectionBlock(text=f"*{escape_mrkdwn(title)}*"))
    options = [
        Option(value=answer.value, label=ANSWER_WORDS[answer].capitalize())
        for answer in (
            CheckinAnswer.ON_TRACK,
            CheckinAnswer.AT_RISK,
            CheckinAnswer.BLOCKED,
            CheckinAnswer.DONE,
        )
    ]
    initial = next((o for o in options if health and o.value == health.value), options[0])
    blocks.append(
        InputBlock(
            block_id=STATUS_BLOCK,
            label="How is it going?",
            element=RadioButtonsElement(action_id="value", options=options, initial_option=initial),
        )
    )
    blocks.append(
        InputBlock(
            block_id=NOTE_BLOCK,
            label="Note",
            optional=True,
            hint="Progress, a decision, or what you need. At risk or blocked reaches your lead; "
            "for Done, say what you delivered.",
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=NOTE_MAX,
                placeholder="e.g. Draft deck shared with Finance; waiting on Q3 numbers",
            ),
        )
    )
    view = View(
        type="modal",
        callback_id=UPDATE_CALLBACK,
        title="Progress update",
        submit="Send update",
        close="Cancel",
        private_metadata=_metadata(chosen, source=source),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def done_modal(*, task_id: int, title: str) -> dict[str, Any]:
    """The owner says it is done: a short summary and an optional link for the lead."""
    view = View(
        type="modal",
        callback_id=DONE_CALLBACK,
        title="Mark as done",
        submit="Send to lead",
        close="Cancel",
        private_metadata=_metadata(task_id),
        blocks=[
            SectionBlock(
                text=f"*{escape_mrkdwn(title)}*: your lead is asked to accept it. "
                "Check-ins stop now."
            ),
            InputBlock(
                block_id=SUMMARY_BLOCK,
                label="What you delivered",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=SUMMARY_MAX,
                    placeholder="Two or three sentences: what is done and where it is",
                ),
            ),
            InputBlock(
                block_id=LINK_BLOCK,
                label="Link",
                optional=True,
                element=UrlInputElement(action_id="value", placeholder="https://..."),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def date_modal(
    *,
    callback_id: str,
    task_id: int,
    title: Wording,
    intro: Mrkdwn,
    label: Wording,
    initial: date,
) -> dict[str, Any]:
    """One date to pick: snooze until, a new due date."""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title[:24],
        submit="Save",
        close="Cancel",
        private_metadata=_metadata(task_id),
        blocks=[
            SectionBlock(text=intro),
            InputBlock(
                block_id=DATE_BLOCK,
                label=label,
                element=DatePickerElement(action_id="value", initial_date=initial.isoformat()),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


Values = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _value(values: Values, block: str) -> Mapping[str, Any]:
    return values.get(block, {}).get("value", {})


def text_in(values: Values, block: str) -> str:
    """A text input's value, stripped."""
    return str(_value(values, block).get("value") or "").strip()


def date_in(values: Values, block: str = DATE_BLOCK) -> date | None:
    """A date picker's value."""
    picked = _value(values, block).get("selected_date")
    try:
        return date.fromisoformat(str(picked)) if picked else None
    except ValueError:
        return None


def choice_in(values: Values, block: str) -> str | None:
    """A select's or radio group's chosen value."""
    option = _value(values, block).get("selected_option") or {}
    return str(option["value"]) if option.get("value") else None


def url_in(values: Values, block: str = LINK_BLOCK) -> str:
    """A URL input's value."""
    return str(_value(values, block).get("value") or "").strip()


@dataclass(frozen=True)
class DigestLine:
    """One delegation in the lead's digest."""

    title: str
    owner_id: str
    health: Health | None
    last_update: str | None
    next_checkin: datetime | None
    overdue: bool


def digest_message(lead_id: str, lines: Sequence[DigestLine]) -> dict[str, Any]:
    """The lead's end-of-day digest: every active delegation on one screen."""
    rows = []
    for line in lines:
        parts = [
            f"{HEALTH_EMOJI[line.health]} *{escape_mrkdwn(line.title)}*, {mention(line.owner_id)}"
            + (" :rotating_light: *overdue*" if line.overdue else "")
        ]
        if line.last_update:
            parts.append(f"Last update: {escape_mrkdwn(line.last_update)[:300]}")
        parts.append(
            "Next check-in: "
            + (slack_date(line.next_checkin, with_time=True) if line.next_checkin else "none")
        )
        rows.append("\n".join(parts))
    header = f"*Your delegations today* ({len(lines)} active)"
    blocks: list[Any] = [SectionBlock(text=header)]
    blocks.extend(SectionBlock(text=row[:3000]) for row in rows[:45])
    if len(rows) > 45:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"and {len(rows) - 45} more")])
        )
    return {
        "channel": lead_id,
        "text": f"Your delegations today: {len(lines)} active",
        "blocks": [block.to_dict() for block in blocks],
    }


def active_brief_edit(
    *, task_id: int, title: str, lead_id: str, rhythm_words: Wording
) -> dict[str, Any]:
    """chat.update arguments turning the brief DM into the live task's report button."""
    text = (
        f":white_check_mark: *{escape_mrkdwn(title)}* is live: {mention(lead_id)} approved your "
        f"restatement. Check-ins: {rhythm_words}. Report any time; that resets the clock."
    )
    value = str(task_id)
    blocks = [
        SectionBlock(text=text),
        ActionsBlock(
            block_id=f"brief_live_{task_id}",
            elements=[
                ButtonElement(text="Report progress", action_id=REPORT_ACTION, value=value),
                ButtonElement(text="Done", action_id=DONE_ACTION, value=value),
            ],
        ),
    ]
    return {"text": text, "blocks": [block.to_dict() for block in blocks]}
