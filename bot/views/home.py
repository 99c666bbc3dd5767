"""App Home: what waits on you, your delegations both ways, and your team's load.

Everything here is a pure function from `HomeData` to Block Kit. User text (titles, last
updates) is escaped and clipped, and item lines are packed several to a section, so the Home
tab, the "Show all" modal and the /delegate list stay inside Slack's limits whatever the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from fractions import Fraction
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.types import OPEN_STATES, Health, TaskState
from bot.views.brief_message import slack_date
from bot.views.checkin import HEALTH_EMOJI
from bot.views.text import escape_mrkdwn, mention

HOME_NEW_ACTION = "home_new"
HOME_SETTINGS_ACTION = "home_settings"
HOME_PROFILE_ACTION = "home_profile"
HOME_FEEDBACK_ACTION = "home_feedback"
HOME_TEAM_ACTION = "home_team_profiles"
HOME_SHOW_ALL_ACTION = "home_show_all"  # value: section key

SECTIONS = ("needs_you", "delegated", "assigned", "team_load")
SHOWN_PER_SECTION = 10

TEXT_MAX = 3000  # a section's text
TITLE_MAX = 150  # a task title or project name, before escaping
UPDATE_MAX = 300  # a last update, before escaping
ITEMS_PER_BLOCK = 10  # item lines packed into one section
VIEW_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50
BAR_CELLS = 5
MORE_NOTE = "/delegate export has everything"

SECTION_TITLES: dict[str, str] = {
    "needs_you": "Needs you",
    "delegated": "Delegated by me",
    "assigned": "Assigned to me",
    "team_load": "Team load",
}
EMPTY_NOTES: dict[str, str] = {
    "needs_you": "Nothing waits on you. :sparkles:",
    "delegated": "You have no open delegations. *New delegation* above, or `/delegate` in any "
    "conversation, hands a task to one owner.",
    "assigned": "Nothing is assigned to you right now.",
    "team_load": "No one to show yet: people appear here once you delegate to them.",
}
STATE_WORDS: dict[TaskState, str] = {
    TaskState.AWAITING_CONFIRMATION: "awaiting confirmation",
    TaskState.AWAITING_APPROVAL: "restatement awaiting approval",
    TaskState.ACTIVE: "active",
    TaskState.AWAITING_ACCEPTANCE: "done, awaiting acceptance",
    TaskState.COMPLETED: "completed",
    TaskState.DECLINED: "declined",
    TaskState.CANCELLED: "cancelled",
}


class NeedKind(StrEnum):
    """What someone waits for you to do."""

    CONFIRM_BRIEF = "confirm_brief"
    APPROVE_RESTATEMENT = "approve_restatement"
    ANSWER_CHECKIN = "answer_checkin"
    ACCEPT_WORK = "accept_work"
    ANSWER_SURVEY = "answer_survey"
    REASSIGN = "reassign"  # the owner declined: the lead reassigns or cancels


# Tie-break among needs that started waiting at the same instant.
NEED_ORDER: dict[NeedKind, int] = {
    NeedKind.CONFIRM_BRIEF: 0,
    NeedKind.APPROVE_RESTATEMENT: 1,
    NeedKind.ACCEPT_WORK: 2,
    NeedKind.ANSWER_CHECKIN: 3,
    NeedKind.ANSWER_SURVEY: 4,
    NeedKind.REASSIGN: 5,
}
NEED_EMOJI: dict[NeedKind, str] = {
    NeedKind.CONFIRM_BRIEF: ":memo:",
    NeedKind.APPROVE_RESTATEMENT: ":ballot_box_with_check:",
    NeedKind.ACCEPT_WORK: ":white_check_mark:",
    NeedKind.ANSWER_CHECKIN: ":speech_balloon:",
    NeedKind.ANSWER_SURVEY: ":bar_chart:",
    NeedKind.REASSIGN: ":leftwards_arrow_with_hook:",
}
# Blocked before at risk before the rest; no answer yet ranks with on track.
HEALTH_ORDER: dict[Health | None, int] = {
    Health.BLOCKED: 0,
    Health.AT_RISK: 1,
    Health.ON_TRACK: 2,
    None: 2,
}


@dataclass(frozen=True)
class NeedsYou:
    """One thing that waits on the Home tab's reader."""

    kind: NeedKind
    title: str  # task title or project name
    other_id: str  # the Slack user on the other side (lead or owner)
    since: datetime  # when it started waiting (aware)
    task_id: int | None = None


@dataclass(frozen=True)
class HomeTask:
    """One delegation, seen from the lead's or the owner's side."""

    task_id: int
    title: str
    other_id: str  # owner on "Delegated by me", lead on "Assigned to me"
    state: TaskState
    health: Health | None
    due_at: datetime
    due_has_time: bool
    overdue: bool
    last_update: str | None  # e.g. "at risk, 2026-11-20: waiting on legal" (user text)
    next_checkin: datetime | None


@dataclass(frozen=True)
class LoadLine:
    """How much open work one person carries against their capacity."""

    user_id: str
    open_count: int
    capacity: int
    away: tuple[date, date] | None = None


@dataclass(frozen=True)
class HomeData:
    """Everything the Home tab shows one person."""

    user_id: str
    now: datetime
    needs_you: tuple[NeedsYou, ...] = ()
    delegated: tuple[HomeTask, ...] = ()
    assigned: tuple[HomeTask, ...] = ()
    team_load: tuple[LoadLine, ...] = ()


# --- urgency ---------------------------------------------------------------------------------


def urgent_needs(needs: Sequence[NeedsYou]) -> list[NeedsYou]:
    """Needs oldest first, the kind order breaking ties."""
    return sorted(needs, key=lambda need: (need.since, NEED_ORDER[need.kind]))


def urgent_tasks(tasks: Sequence[HomeTask]) -> list[HomeTask]:
    """Overdue, then blocked, at risk, the rest; then sooner due, then lower task id."""
    return sorted(
        tasks,
        key=lambda task: (
            not task.overdue,
            HEALTH_ORDER[task.health],
            task.due_at,
            task.task_id,
        ),
    )


def _load_key(line: LoadLine) -> tuple[int, Fraction, str]:
    """Sort key: open work over capacity, highest first (no capacity but work is the most)."""
    if line.capacity <= 0:
        return (0 if line.open_count > 0 else 1, Fraction(0), line.user_id)
    return (1, -Fraction(line.open_count, line.capacity), line.user_id)


def urgent_load(lines: Sequence[LoadLine]) -> list[LoadLine]:
    """People most loaded first, then by user id."""
    return sorted(lines, key=_load_key)


def urgent_first(section: str, data: HomeData) -> list[NeedsYou] | list[HomeTask] | list[LoadLine]:
    """One section's items in the order every view shows them."""
    if section == "needs_you":
        return urgent_needs(data.needs_you)
    if section == "delegated":
        return urgent_tasks(data.delegated)
    if section == "assigned":
        return urgent_tasks(data.assigned)
    if section == "team_load":
        return urgent_load(data.team_load)
    raise ValueError(f"unknown Home section {section!r}")


# --- text ------------------------------------------------------------------------------------


def _cut(text: str, limit: int) -> str:
    """Text cut to `limit` with "...", never leaving half a <token> or &entity;."""
    if len(text) <= limit:
        return text
    head = text[: limit - 3]
    changed = True
    while changed:
        changed = False
        for opener, closer in (("<", ">"), ("&", ";")):
            start = head.rfind(opener)
            if start > head.rfind(closer):
                head, changed = head[:start], True
    return head + "..."


def _user_text(text: str, limit: int) -> str:
    """User text on one line, clipped to `limit` characters, then escaped for mrkdwn."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return escape_mrkdwn(flat)


def _title(text: str) -> str:
    """A title or project name, bold, clipped and escaped."""
    return f"*{_user_text(text, TITLE_MAX) or 'Untitled'}*"


def _mention(user_id: str) -> str:
    """A user mention (escaped text, in case it is not a user id)."""
    return mention(user_id)


def _day(day: date) -> str:
    """A calendar date in the reader's own format (noon UTC keeps the day for nearly all)."""
    return slack_date(datetime.combine(day, time(12), tzinfo=UTC), with_time=False)


def _waiting(since: datetime, now: datetime) -> str:
    """How long something has waited, in whole days."""
    days = max(0, (now - since).days)
    if days == 0:
        return "new today"
    return f"waiting {days} day" + ("" if days == 1 else "s")


def need_line(need: NeedsYou, now: datetime) -> str:
    """What to do about one need, and where."""
    title, other = _title(need.title), _mention(need.other_id)
    if need.kind is NeedKind.CONFIRM_BRIEF:
        what = f"Confirm the brief {title} from {other} in your DM with me"
    elif need.kind is NeedKind.APPROVE_RESTATEMENT:
        what = f"Approve {other}'s restatement of {title}"
    elif need.kind is NeedKind.ANSWER_CHECKIN:
        what = f"Answer the check-in on {title}"
    elif need.kind is NeedKind.ACCEPT_WORK:
        what = f"Accept or reopen {title}, done by {other}"
    elif need.kind is NeedKind.REASSIGN:
        what = f"{other} can't take {title}: reassign or cancel it from my message in your DM"
    else:
        what = f"Answer the feedback survey on {title}"
    return f"{NEED_EMOJI[need.kind]} {what} · {_waiting(need.since, now)}"


def task_line(task: HomeTask, *, delegated: bool) -> str:
    """One delegation: health, title, the other person, state, due date, last update."""
    other = _mention(task.other_id) if delegated else f"from {_mention(task.other_id)}"
    first = [f"{HEALTH_EMOJI[task.health]} {_title(task.title)}", other]
    if task.state is not TaskState.ACTIVE:
        first.append(f"_{STATE_WORDS[task.state]}_")
    first.append(f"due {slack_date(task.due_at, with_time=task.due_has_time)}")
    if task.overdue:
        first.append(":rotating_light: *overdue*")
    second = []
    if task.last_update:
        second.append(f"Last update: {_user_text(task.last_update, UPDATE_MAX)}")
    if task.next_checkin is not None:
        second.append(f"next check-in {slack_date(task.next_checkin, with_time=True)}")
    text = " · ".join(first)
    return f"{text}\n      {' · '.join(second)}" if second else text


def _load_bar(line: LoadLine) -> str:
    """Five squares filled by open work over capacity: green, orange near full, red over."""
    if line.capacity <= 0:
        ratio = Fraction(2) if line.open_count > 0 else Fraction(0)
    else:
        ratio = Fraction(line.open_count, line.capacity)
    filled = min(BAR_CELLS, math.ceil(ratio * BAR_CELLS))
    if ratio > 1:
        colour = ":large_red_square:"
    elif ratio >= Fraction(4, 5):
        colour = ":large_orange_square:"
    else:
        colour = ":large_green_square:"
    return colour * filled + ":white_large_square:" * (BAR_CELLS - filled)


def load_line(line: LoadLine, today: date) -> str:
    """One person's open work against capacity, and when they are away."""
    text = f"{_load_bar(line)} {_mention(line.user_id)} *{line.open_count}*/{line.capacity} open"
    if line.away is not None:
        start, end = line.away
        if start <= today <= end:
            text += f" · :palm_tree: away until {_day(end)}"
        elif today < start:
            text += f" · :palm_tree: away {_day(start)} to {_day(end)}"
    return text


def section_lines(section: str, data: HomeData, limit: int | None = None) -> list[str]:
    """One section's item lines, most urgent first (only the first `limit` are formatted)."""
    if section == "needs_you":
        return [need_line(need, data.now) for need in urgent_needs(data.needs_you)[:limit]]
    if section == "delegated":
        return [task_line(t, delegated=True) for t in urgent_tasks(data.delegated)[:limit]]
    if section == "assigned":
        return [task_line(t, delegated=False) for t in urgent_tasks(data.assigned)[:limit]]
    if section == "team_load":
        today = data.now.date()
        return [load_line(line, today) for line in urgent_load(data.team_load)[:limit]]
    raise ValueError(f"unknown Home section {section!r}")


def _section_size(section: str, data: HomeData) -> int:
    """How many items a section holds."""
    items: dict[str, Sequence[object]] = {
        "needs_you": data.needs_you,
        "delegated": data.delegated,
        "assigned": data.assigned,
        "team_load": data.team_load,
    }
    return len(items[section])


def pack(lines: Sequence[str]) -> list[list[str]]:
    """Lines grouped for one section each: at most ITEMS_PER_BLOCK and TEXT_MAX characters."""
    groups: list[list[str]] = []
    size = 0
    for raw in lines:
        line = _cut(raw, TEXT_MAX)
        if groups and len(groups[-1]) < ITEMS_PER_BLOCK and size + 1 + len(line) <= TEXT_MAX:
            groups[-1].append(line)
            size += 1 + len(line)
        else:
            groups.append([line])
            size = len(line)
    return groups


def _context(text: str) -> ContextBlock:
    """A small grey line."""
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _packed_blocks(lines: Sequence[str], budget: int) -> list[Block]:
    """Packed sections in at most `budget` blocks, ending with "and N more" when cut short."""
    groups = pack(lines)
    if len(groups) <= budget:
        return [SectionBlock(text="\n".join(group)) for group in groups]
    kept = groups[: max(0, budget - 1)]
    left = len(lines) - sum(len(group) for group in kept)
    blocks: list[Block] = [SectionBlock(text="\n".join(group)) for group in kept]
    blocks.append(_context(f"and {left} more: {MORE_NOTE}"))
    return blocks


def _blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as the JSON Slack takes."""
    return [block.to_dict() for block in blocks]


# --- the Home tab ----------------------------------------------------------------------------


def _home_buttons() -> ActionsBlock:
    """New delegation, Settings, Profile, Feedback, Team profiles."""
    return ActionsBlock(
        block_id="home_actions",
        elements=[
            ButtonElement(text="New delegation", action_id=HOME_NEW_ACTION, style="primary"),
            ButtonElement(text="Settings", action_id=HOME_SETTINGS_ACTION),
            ButtonElement(text="Profile", action_id=HOME_PROFILE_ACTION),
            ButtonElement(text="Feedback", action_id=HOME_FEEDBACK_ACTION),
            ButtonElement(text="Team profiles", action_id=HOME_TEAM_ACTION),
        ],
    )


def _home_section(section: str, data: HomeData) -> list[Block]:
    """A section's header, its most urgent items, and "Show all (N)" when there are more."""
    lines = section_lines(section, data, SHOWN_PER_SECTION)
    total = _section_size(section, data)
    blocks: list[Block] = [HeaderBlock(text=SECTION_TITLES[section])]
    if not lines:
        blocks.append(_context(EMPTY_NOTES[section]))
        return blocks
    blocks += [SectionBlock(text="\n".join(group)) for group in pack(lines)]
    if total > SHOWN_PER_SECTION:
        blocks.append(
            ActionsBlock(
                block_id=f"{HOME_SHOW_ALL_ACTION}_{section}",
                elements=[
                    ButtonElement(
                        text=f"Show all ({total})",
                        action_id=HOME_SHOW_ALL_ACTION,
                        value=section,
                    )
                ],
            )
        )
    return blocks


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab: buttons, then what needs you, your delegations both ways, team load."""
    blocks: list[Block] = [
        HeaderBlock(text="Delegate"),
        _context(
            f"Hi {_mention(data.user_id)}. `/delegate` in any conversation hands off a task; "
            "`/delegate help` lists everything."
        ),
        _home_buttons(),
    ]
    for section in SECTIONS:
        blocks.append(DividerBlock())
        blocks += _home_section(section, data)
    view = View(type="home", blocks=blocks)
    result: dict[str, Any] = view.to_dict()
    return result


def show_all_modal(section: str, data: HomeData) -> dict[str, Any]:
    """A modal listing every item of one section, most urgent first (ValueError if unknown)."""
    lines = section_lines(section, data)
    count = len(lines)
    intro = (
        f"{count} item{'' if count == 1 else 's'}, most urgent first."
        if lines
        else EMPTY_NOTES[section]
    )
    blocks: list[Block] = [_context(intro)]
    blocks += _packed_blocks(lines, VIEW_BLOCKS_MAX - len(blocks))
    view = View(
        type="modal",
        callback_id=f"{HOME_SHOW_ALL_ACTION}_{section}",
        title=SECTION_TITLES[section][:24],
        close="Close",
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


# --- /delegate list --------------------------------------------------------------------------


def _split_budget(need_a: int, need_b: int, room: int) -> tuple[int, int]:
    """Share `room` blocks between two lists: each gets what it needs, or a fair half."""
    if need_a + need_b <= room:
        return need_a, need_b
    half = room // 2
    if need_a <= half:
        return need_a, room - need_a
    if need_b <= half:
        return room - need_b, need_b
    return half, room - half


def list_message(data: HomeData) -> dict[str, Any]:
    """Ephemeral /delegate list: open delegations by you and to you, most urgent first."""
    delegated = [
        task_line(task, delegated=True)
        for task in urgent_tasks(data.delegated)
        if task.state in OPEN_STATES
    ]
    assigned = [
        task_line(task, delegated=False)
        for task in urgent_tasks(data.assigned)
        if task.state in OPEN_STATES
    ]
    if not delegated and not assigned:
        text = (
            "You have no open delegations either way. Type `/delegate` in any conversation "
            "to hand a task to one owner with a clear brief."
        )
        return {"text": text, "blocks": _blocks([SectionBlock(text=text)])}
    room_a, room_b = _split_budget(
        max(1, len(pack(delegated))), max(1, len(pack(assigned))), MESSAGE_BLOCKS_MAX - 2
    )
    blocks: list[Block] = []
    for heading, lines, room in (
        ("Delegated by me", delegated, room_a),
        ("Assigned to me", assigned, room_b),
    ):
        blocks.append(SectionBlock(text=f"*{heading}* ({len(lines)} open)"))
        if lines:
            blocks += _packed_blocks(lines, room)
        else:
            blocks.append(_context("None open."))
    text = f"Your open delegations: {len(delegated)} by you, {len(assigned)} to you."
    return {"text": text, "blocks": _blocks(blocks)}
