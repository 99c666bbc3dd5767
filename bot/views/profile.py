"""A person's profile modal (skills, experience, capacity) and the lead's read-only team view."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.suggest import normalise_skill
from bot.views.text import escape_mrkdwn, quote

PROFILE_CALLBACK = "profile"
TEAM_PROFILES_CALLBACK = "team_profiles"
SKILLS_BLOCK = "profile_skills"
OTHER_SKILLS_BLOCK = "profile_other_skills"
EXPERIENCE_BLOCK = "profile_experience"
CAPACITY_BLOCK = "profile_capacity"
EXPERIENCE_MAX = 1000
CAPACITY_MAX = 50
OTHER_SKILLS_MAX = 300
SKILL_MAX = 50
SKILLS_MAX = 30
OPTIONS_MAX = 100
OPTION_LABEL_MAX = 75
OPTION_VALUE_MAX = 150
SECTION_MAX = 3000
TEAM_SHOWN_MAX = 90
CAPACITY_ERROR = f"Enter a whole number from 0 to {CAPACITY_MAX}."
SETTINGS_COMMAND = "/delegate settings"


@dataclass(frozen=True)
class ProfileView:
    """What a profile shows: the person's own answers and their check-in settings."""

    user_id: str
    name: str
    skills: tuple[str, ...]
    experience: str
    capacity: int | None  # None: the team default applies
    default_capacity: int
    tz: str | None
    working_days: str  # already human text, e.g. "Mon-Fri"
    check_in: str  # e.g. "10:00"
    away: tuple[date, date] | None
    open_count: int = 0


@dataclass(frozen=True)
class ProfileInput:
    """What the person submitted, checked."""

    skills: tuple[str, ...]
    experience: str
    capacity: int | None


def _clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fit(render: Callable[[str], str], text: str, room: int) -> str:
    """render(text), or render of the longest prefix that fits `room` with an ellipsis added."""
    whole = render(text)
    if len(whole) <= room:
        return whole
    low, high = 0, len(text)  # render(text[:low]) + "…" fits; render(text[:high]) does not
    while high - low > 1:
        middle = (low + high) // 2
        if len(render(text[:middle])) + 1 <= room:
            low = middle
        else:
            high = middle
    return render(text[:low]) + "…"


def _options(skill_options: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label) for the first 100 distinct, non-empty skills on offer."""
    seen_skills: set[str] = set()
    seen_values: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for skill in skill_options:
        shown = skill.strip()
        key = normalise_skill(shown)
        value = shown[:OPTION_VALUE_MAX]
        if not key or key in seen_skills or value in seen_values:
            continue
        seen_skills.add(key)
        seen_values.add(value)
        chosen.append((value, _clip(shown, OPTION_LABEL_MAX)))
        if len(chosen) == OPTIONS_MAX:
            break
    return chosen


def _join_within(skills: Sequence[str], limit: int) -> str:
    """Skills joined with commas, as many whole ones as fit in `limit` characters."""
    text = ""
    for skill in skills:
        longer = f"{text}, {skill}" if text else skill
        if len(longer) <= limit:
            text = longer
    return text


def _away_text(away: tuple[date, date] | None) -> str:
    """Out-of-office dates as words."""
    if away is None:
        return "not set"
    start, end = away
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()} to {end.isoformat()}"


def _hours_text(profile: ProfileView) -> str:
    """The working-hours line of the profile modal, escaped."""
    zone = escape_mrkdwn(_clip(profile.tz, 64)) if profile.tz else "not set"
    return _fit(
        lambda days: (
            f"Time zone: {zone} · Working days: {escape_mrkdwn(days)} · "
            f"Check-in: {escape_mrkdwn(profile.check_in[:20])} · "
            f"Out of office: {_away_text(profile.away)}\n"
            f"Change these with `{SETTINGS_COMMAND}`."
        ),
        profile.working_days,
        SECTION_MAX,
    )


def profile_modal(*, profile: ProfileView, skill_options: Sequence[str]) -> dict[str, Any]:
    """The person's own profile: skills, experience and how much they can take on."""
    options = _options(skill_options)
    offered = {normalise_skill(value): value for value, _ in options}
    labels = dict(options)
    picked: list[str] = []
    others: list[str] = []
    for skill in profile.skills:
        value = offered.get(normalise_skill(skill))
        if value is None:
            others.append(skill.strip())
        elif value not in picked:
            picked.append(value)
    blocks: list[Any] = [
        SectionBlock(
            text=(
                "Leads see your profile when they pick an owner for a brief, "
                "so the right work can find you. Everything here is optional."
            )
        )
    ]
    if options:
        blocks.append(
            InputBlock(
                block_id=SKILLS_BLOCK,
                label="Skills",
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=SKILLS_BLOCK,
                    placeholder="Pick your skills",
                    options=[Option(value=value, label=label) for value, label in options],
                    initial_options=[Option(value=value, label=labels[value]) for value in picked]
                    or None,
                ),
            )
        )
    other_text = _join_within([skill for skill in others if skill], OTHER_SKILLS_MAX)
    blocks += [
        InputBlock(
            block_id=OTHER_SKILLS_BLOCK,
            label="Other skills" if options else "Skills",
            optional=True,
            hint="Separate skills with commas.",
            element=PlainTextInputElement(
                action_id=OTHER_SKILLS_BLOCK,
                placeholder="e.g. Pricing, Board decks",
                initial_value=other_text or None,
                max_length=OTHER_SKILLS_MAX,
            ),
        ),
        InputBlock(
            block_id=EXPERIENCE_BLOCK,
            label="Experience",
            optional=True,
            hint="What you have done before that a lead should know about.",
            element=PlainTextInputElement(
                action_id=EXPERIENCE_BLOCK,
                multiline=True,
                initial_value=profile.experience[:EXPERIENCE_MAX] or None,
                max_length=EXPERIENCE_MAX,
            ),
        ),
        InputBlock(
            block_id=CAPACITY_BLOCK,
            label="Open delegations you can carry at once",
            optional=True,
            hint=f"Empty uses the team default of {profile.default_capacity}.",
            element=NumberInputElement(
                action_id=CAPACITY_BLOCK,
                is_decimal_allowed=False,
                min_value=0,
                max_value=CAPACITY_MAX,
                initial_value=str(profile.capacity) if profile.capacity is not None else None,
            ),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=_hours_text(profile))]),
    ]
    view = View(
        type="modal",
        callback_id=PROFILE_CALLBACK,
        title="Your profile",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({}),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def _state(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    """The state of a block's element: its own action id first, else the block's only one."""
    states = values.get(block) or {}
    if not isinstance(states, Mapping):
        return {}
    state = states.get(block)
    if state is None:
        state = next(iter(states.values()), None)
    return state if isinstance(state, Mapping) else {}


def _text(values: Mapping[str, Any], block: str) -> str:
    """A text or number input's value, stripped."""
    return str(_state(values, block).get("value") or "").strip()


def _selected(values: Mapping[str, Any], block: str) -> list[str]:
    """A multi-select's chosen values, in order."""
    chosen = _state(values, block).get("selected_options") or []
    return [
        str(option["value"])
        for option in chosen
        if isinstance(option, Mapping) and option.get("value")
    ]


def _shown_skill(skill: str) -> str:
    """A skill short enough to quote in an error."""
    return _clip(skill, 30)


def read_profile(values: Mapping[str, Any]) -> ProfileInput | dict[str, str]:
    """The submitted profile, or errors keyed by block id."""
    errors: dict[str, str] = {}
    picked = [(skill.strip(), SKILLS_BLOCK) for skill in _selected(values, SKILLS_BLOCK)]
    typed = [
        (part.strip(), OTHER_SKILLS_BLOCK) for part in _text(values, OTHER_SKILLS_BLOCK).split(",")
    ]
    skills: list[str] = []
    seen: set[str] = set()
    for skill, block in picked + typed:
        key = normalise_skill(skill)
        if not key or key in seen:
            continue
        seen.add(key)
        skills.append(skill)
        if len(skill) > SKILL_MAX and block not in errors:
            errors[block] = (
                f"Keep each skill under {SKILL_MAX} characters: "
                f"'{_shown_skill(skill)}' is {len(skill)}."
            )
    if len(skills) > SKILLS_MAX:
        block = OTHER_SKILLS_BLOCK if any(skill for skill, _ in typed) else SKILLS_BLOCK
        errors.setdefault(block, f"Keep to {SKILLS_MAX} skills at most: you have {len(skills)}.")
    experience = _text(values, EXPERIENCE_BLOCK)
    if len(experience) > EXPERIENCE_MAX:
        errors[EXPERIENCE_BLOCK] = (
            f"Keep experience to {EXPERIENCE_MAX} characters: it is {len(experience)}."
        )
    raw = _text(values, CAPACITY_BLOCK)
    capacity: int | None = None
    if raw:
        try:
            capacity = int(raw)
        except ValueError:
            errors[CAPACITY_BLOCK] = CAPACITY_ERROR
        else:
            if not 0 <= capacity <= CAPACITY_MAX:
                errors[CAPACITY_BLOCK] = CAPACITY_ERROR
    if errors:
        return errors
    return ProfileInput(skills=tuple(skills), experience=experience, capacity=capacity)


def _load_text(profile: ProfileView) -> str:
    """How loaded the person is, e.g. "3 open of 5"."""
    if profile.capacity is None:
        return f"{profile.open_count} open of {profile.default_capacity} (team default)"
    return f"{profile.open_count} open of {profile.capacity}"


def _person_text(profile: ProfileView) -> str:
    """One person's section in the team view, escaped and within Slack's section limit."""
    where = escape_mrkdwn(_clip(profile.tz, 64)) if profile.tz else "no time zone set"
    lines = [
        f"*{escape_mrkdwn(_clip(profile.name, 100) or profile.user_id)}*",
        f"Load: {_load_text(profile)}",
        f"Zone: {where} · {escape_mrkdwn(_clip(profile.working_days, 100))}",
    ]
    if profile.away is not None:
        lines.append(f"Away: {_away_text(profile.away)}")
    skills = ", ".join(profile.skills)
    lines.insert(
        1,
        "Skills: " + (_fit(escape_mrkdwn, skills, 800) if skills else "none given"),
    )
    head = "\n".join(lines)
    experience = profile.experience.strip()
    if not experience:
        return head
    room = SECTION_MAX - len(head) - 1
    return f"{head}\n{_fit(quote, experience, room)}"


def team_profiles_modal(*, profiles: Sequence[ProfileView]) -> dict[str, Any]:
    """A read-only list of the team's profiles for the lead."""
    blocks: list[Any] = []
    if not profiles:
        blocks.append(
            SectionBlock(
                text=(
                    "Nobody has delegated work with you yet, so there are no profiles to show. "
                    "People appear here once you delegate to them."
                )
            )
        )
    else:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text="Skills, experience and load as each person gave them.")
                ]
            )
        )
        blocks += [
            SectionBlock(text=_person_text(profile)) for profile in profiles[:TEAM_SHOWN_MAX]
        ]
        hidden = len(profiles) - TEAM_SHOWN_MAX
        if hidden > 0:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"and {hidden} more")]))
    view = View(
        type="modal",
        callback_id=TEAM_PROFILES_CALLBACK,
        title="Team profiles",
        close="Close",
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result
