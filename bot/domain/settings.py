"""Checking a person's own check-in settings: one message per field that is wrong."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_AWAY_DAYS = 366


def tz_problem(name: str) -> str | None:
    """Why `name` is not a usable IANA time zone, or None (empty means "follow Slack")."""
    if not name:
        return None
    if name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return f"{name} is not a time zone I know. Use a name like Europe/London."
    return None


def away_problems(start: date | None, end: date | None, today: date) -> dict[str, str]:
    """Problems with out-of-office dates, keyed "start" / "end"."""
    if start is None and end is None:
        return {}
    if start is None:
        return {"start": "Add the first day you're away, or clear both dates."}
    if end is None:
        return {"end": "Add the last day you're away, or clear both dates."}
    if end < start:
        return {"end": "The last day away can't be before the first."}
    if end < today:
        return {"end": "These dates are over; clear them, or pick dates from today on."}
    if end - start > timedelta(days=MAX_AWAY_DAYS):
        return {"end": "Out of office can be at most a year at a time."}
    return {}
