"""The person's own check-in settings modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.calendar import DAY_NAMES
from bot.views.checkin import Values, date_in

SETTINGS_CALLBACK = "settings"
TZ_BLOCK, TIME_BLOCK, DAYS_BLOCK = "tz", "checkin_time", "days"
OOO_START_BLOCK, OOO_END_BLOCK = "ooo_start", "ooo_end"


@dataclass(frozen=True)
class SettingsView:
    """What the modal shows: the person's values or the team's defaults."""

    slack_tz: str | None
    tz_override: str | None
    checkin_time: time
    working_days: frozenset[int]
    ooo_start: date | None
    ooo_end: date | None


def _day_option(day: int) -> Option:
    return Option(value=str(day), label=DAY_NAMES[day])


def settings_modal(current: SettingsView) -> dict[str, Any]:
    """Time zone override, check-in time, working days and out-of-office dates."""
    following = current.slack_tz or "none set"
    blocks: list[Any] = [
        InputBlock(
            block_id=TZ_BLOCK,
            label="Time zone",
            optional=True,
            hint=f"Leave empty to follow your Slack profile (now {following}).",
            element=PlainTextInputElement(
                action_id="value",
                placeholder="e.g. Europe/London",
                initial_value=current.tz_override or None,
                max_length=64,
            ),
        ),
        InputBlock(
            block_id=TIME_BLOCK,
            label="Check-in time",
            element=TimePickerElement(
                action_id="value", initial_time=current.checkin_time.strftime("%H:%M")
            ),
        ),
        InputBlock(
            block_id=DAYS_BLOCK,
            label="Working days",
            element=CheckboxesElement(
                action_id="value",
                options=[_day_option(day) for day in range(7)],
                initial_options=[_day_option(day) for day in sorted(current.working_days)],
            ),
        ),
        InputBlock(
            block_id=OOO_START_BLOCK,
            label="Out of office from",
            optional=True,
            element=DatePickerElement(
                action_id="value",
                initial_date=current.ooo_start.isoformat() if current.ooo_start else None,
            ),
        ),
        InputBlock(
            block_id=OOO_END_BLOCK,
            label="Back after",
            optional=True,
            hint="The last day away. No check-ins while you're out; they resume after.",
            element=DatePickerElement(
                action_id="value",
                initial_date=current.ooo_end.isoformat() if current.ooo_end else None,
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Check-ins come at this time on your working days, in your time zone."
                )
            ]
        ),
    ]
    view = View(
        type="modal",
        callback_id=SETTINGS_CALLBACK,
        title="Check-in settings",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({}),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


@dataclass(frozen=True)
class SettingsInput:
    """What the person submitted, parsed but not yet checked."""

    tz: str
    checkin_time: time | None
    working_days: frozenset[int]
    ooo_start: date | None
    ooo_end: date | None


_WEEKDAY_VALUES = frozenset("0123456")


def settings_input(values: Values) -> SettingsInput:
    """Read the settings modal's state."""
    tz = str(values.get(TZ_BLOCK, {}).get("value", {}).get("value") or "").strip()
    picked = values.get(TIME_BLOCK, {}).get("value", {}).get("selected_time")
    try:
        at = time.fromisoformat(str(picked)) if picked else None
    except ValueError:
        at = None
    chosen = values.get(DAYS_BLOCK, {}).get("value", {}).get("selected_options") or []
    # Only single ASCII digits ("0" Monday .. "6" Sunday); "²".isdigit() is True as well.
    days = frozenset(int(v) for o in chosen if (v := str(o.get("value", ""))) in _WEEKDAY_VALUES)
    return SettingsInput(
        tz=tz,
        checkin_time=at,
        working_days=frozenset(d for d in days if 0 <= d < 7),
        ooo_start=date_in(values, OOO_START_BLOCK),
        ooo_end=date_in(values, OOO_END_BLOCK),
    )
