"""The delegation brief as the lead submits it, and the rules it must meet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.types import Rhythm

MAX_CHECKPOINTS = 5
TITLE_MAX = 150
TEXT_MAX = 2000
SKILLS_MAX = 300
PROJECT_NAME_MAX = 80
CHECKPOINT_MAX = 200
LONGEST_HORIZON = timedelta(days=366)

# Block ids of the brief modal; validation errors are keyed by them.
OWNER, TITLE, GOAL, DUE_DATE, DUE_TIME = "owner", "title", "goal", "due_date", "due_time"
EXPECTATIONS, NON_NEGOTIABLES, FREEDOMS, RISKS, SKILLS = (
    "expectations",
    "non_negotiables",
    "freedoms",
    "risks",
    "skills",
)
RHYTHM, PROJECT, NEW_PROJECT, UPDATE_CHANNEL = "rhythm", "project", "new_project", "update_channel"
# The skills picked from the team's list; picking them asks for owner suggestions.
SKILL_PICK = "skill_pick"

TEXT_LIMITS: dict[str, int] = {
    TITLE: TITLE_MAX,
    GOAL: TEXT_MAX,
    EXPECTATIONS: TEXT_MAX,
    NON_NEGOTIABLES: TEXT_MAX,
    FREEDOMS: TEXT_MAX,
    RISKS: TEXT_MAX,
    SKILLS: SKILLS_MAX,
    NEW_PROJECT: PROJECT_NAME_MAX,
}


def checkpoint_text_block(index: int) -> str:
    """Block id of checkpoint `index`'s deliverable."""
    return f"checkpoint_{index}_text"


def checkpoint_date_block(index: int) -> str:
    """Block id of checkpoint `index`'s date."""
    return f"checkpoint_{index}_date"


@dataclass(frozen=True)
class CheckpointInput:
    """One dated deliverable, as typed (either half may be missing)."""

    index: int
    deliverable: str
    due: date | None


@dataclass(frozen=True)
class BriefInput:
    """Everything the brief modal collected, already stripped of surrounding whitespace."""

    owner_id: str | None
    title: str
    goal: str
    due_date: date | None
    due_time: time | None = None
    expectations: str = ""
    non_negotiables: str = ""
    freedoms: str = ""
    risks: str = ""
    skills: tuple[str, ...] = ()
    checkpoints: tuple[CheckpointInput, ...] = ()
    rhythm: Rhythm = Rhythm.TWICE_WEEKLY
    project_id: int | None = None
    new_project: str = ""
    update_channel_id: str | None = None

    def text_fields(self) -> dict[str, str]:
        """Free-text fields by block id, for length checks and escaping."""
        return {
            TITLE: self.title,
            GOAL: self.goal,
            EXPECTATIONS: self.expectations,
            NON_NEGOTIABLES: self.non_negotiables,
            FREEDOMS: self.freedoms,
            RISKS: self.risks,
            SKILLS: ", ".join(self.skills),
            NEW_PROJECT: self.new_project,
        }


@dataclass(frozen=True)
class OwnerFacts:
    """What Slack says about the chosen owner."""

    display_name: str
    exists: bool = True
    is_bot: bool = False
    deactivated: bool = False
    is_the_lead: bool = False


@dataclass(frozen=True)
class ChannelFacts:
    """Whether the bot can post in the chosen update channel."""

    name: str
    bot_is_member: bool


def parse_skills(text: str) -> tuple[str, ...]:
    """Split "negotiation, Excel; public speaking" into distinct skills, order kept."""
    seen: dict[str, str] = {}
    for raw in text.replace(";", ",").replace("\n", ",").split(","):
        skill = " ".join(raw.split())
        if skill and skill.casefold() not in seen:
            seen[skill.casefold()] = skill
    return tuple(seen.values())


def validate_brief(
    brief: BriefInput,
    *,
    now_local: datetime,
    owner: OwnerFacts | None,
    channel: ChannelFacts | None,
) -> dict[str, str]:
    """Problems by block id, worded for the lead; empty when the brief can be sent.

    `now_local` is the current instant in the lead's time zone: "the past" is theirs.
    """
    errors: dict[str, str] = {}
    _check_owner(errors, brief, owner)
    for block_id, text in brief.text_fields().items():
        limit = TEXT_LIMITS[block_id]
        if len(text) > limit:
            errors[block_id] = f"Please keep this under {limit} characters (it has {len(text)})."
    if not brief.title:
        errors.setdefault(TITLE, "Give the work a short title.")
    if not brief.goal:
        errors.setdefault(GOAL, "Say what outcome you need and why it matters.")
    _check_due(errors, brief, now_local)
    _check_checkpoints(errors, brief, now_local.date())
    if brief.project_id is not None and brief.new_project:
        errors[NEW_PROJECT] = "Pick an existing project or name a new one, not both."
    if channel is not None and not channel.bot_is_member:
        errors[UPDATE_CHANNEL] = (
            f"I'm not in #{channel.name}. Invite me there with `/invite @Delegate`, "
            "then submit again, or leave this empty."
        )
    return errors


def _check_owner(errors: dict[str, str], brief: BriefInput, owner: OwnerFacts | None) -> None:
    problem = owner_problem(owner if brief.owner_id is not None else None)
    if problem:
        errors[OWNER] = problem


def owner_problem(owner: OwnerFacts | None) -> str | None:
    """Why this person can't own a delegation, or None when they can."""
    if owner is None:
        return "Choose the one person who will own this."
    if not owner.exists:
        return "I can't find that person in this workspace. Choose someone else."
    if owner.is_bot:
        return f"{owner.display_name} is a bot. Choose a person to own this."
    if owner.deactivated:
        return f"{owner.display_name}'s account is deactivated. Choose someone else."
    if owner.is_the_lead:
        return "You're the lead on this. Choose someone else to own it."
    return None


def _check_due(errors: dict[str, str], brief: BriefInput, now_local: datetime) -> None:
    if brief.due_date is None:
        errors[DUE_DATE] = "Choose a due date."
        return
    today = now_local.date()
    if brief.due_date < today:
        errors[DUE_DATE] = "That date has passed. Choose today or later."
    elif brief.due_date > today + LONGEST_HORIZON:
        errors[DUE_DATE] = "That's more than a year away. Split it into smaller pieces."
    elif (
        brief.due_date == today
        and brief.due_time is not None
        and brief.due_time <= now_local.time().replace(tzinfo=None)
    ):
        errors[DUE_TIME] = "That time has already passed today. Choose a later time."


def _check_checkpoints(errors: dict[str, str], brief: BriefInput, today: date) -> None:
    for checkpoint in brief.checkpoints:
        text_block = checkpoint_text_block(checkpoint.index)
        date_block = checkpoint_date_block(checkpoint.index)
        if len(checkpoint.deliverable) > CHECKPOINT_MAX:
            errors[text_block] = f"Please keep this under {CHECKPOINT_MAX} characters."
        if checkpoint.deliverable and checkpoint.due is None:
            errors[date_block] = "Give this checkpoint a date."
        elif checkpoint.due is not None and not checkpoint.deliverable:
            errors[text_block] = "Say what should be ready by this date."
        elif checkpoint.due is not None and checkpoint.due < today:
            errors[date_block] = "That date has passed."
        elif (
            checkpoint.due is not None
            and brief.due_date is not None
            and checkpoint.due > brief.due_date
        ):
            errors[date_block] = "Checkpoints come before the due date."
