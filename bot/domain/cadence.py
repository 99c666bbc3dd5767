"""When the next check-in is due: the rhythm, the owner's calendar, the due date.

Rules (in the owner's time zone, on their working days, at their check-in time):
- daily: every working day;
- twice a week: the first working day of Mon-Wed and the first of Thu-Sun in each week
  (Monday and Thursday, or the nearest working days after them);
- weekly: the first working day of each week;
- before checkpoints: the last working day before each checkpoint;
- always: the last working day before the due date.
Check-ins fall strictly after `after` and strictly before the due date; past the due date
the overdue rules take over. A day whose check-in time does not exist because a clock
change skips the rest of it gets none, rather than one on the next day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.domain.types import Rhythm
from bot.domain.workdays import WorkCalendar, is_working_day, local_instant

_HORIZON_DAYS = 400


def working_day_before(calendar: WorkCalendar, day: date) -> date | None:
    """The last working day strictly before `day` (None if there is none within a year)."""
    for offset in range(1, _HORIZON_DAYS):
        candidate = day - timedelta(days=offset)
        if is_working_day(calendar, candidate):
            return candidate
    return None


def working_day_after(calendar: WorkCalendar, day: date) -> date | None:
    """The first working day strictly after `day` (None if there is none within a year)."""
    for offset in range(1, _HORIZON_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(calendar, candidate):
            return candidate
    return None


def _first_working_day(calendar: WorkCalendar, days: Iterable[date]) -> date | None:
    return next((day for day in days if is_working_day(calendar, day)), None)


def _rhythm_days(calendar: WorkCalendar, rhythm: Rhythm, week_start: date) -> set[date]:
    week = [week_start + timedelta(days=offset) for offset in range(7)]
    if rhythm is Rhythm.DAILY:
        return {day for day in week if is_working_day(calendar, day)}
    if rhythm is Rhythm.TWICE_WEEKLY:
        slots = (_first_working_day(calendar, week[:3]), _first_working_day(calendar, week[3:]))
        return {day for day in slots if day is not None}
    if rhythm is Rhythm.WEEKLY:
        first = _first_working_day(calendar, week)
        return {first} if first else set()
    return set()


def next_checkin_at(
    calendar: WorkCalendar,
    *,
    at: time,
    rhythm: Rhythm,
    after: datetime,
    due: date,
    checkpoints: Iterable[date] = (),
) -> datetime | None:
    """The next check-in instant (UTC) after `after`, or None when none is left before `due`."""
    anchors = {working_day_before(calendar, day) for day in (*checkpoints, due)}
    always = {working_day_before(calendar, due)}
    wanted = always | (anchors if rhythm is Rhythm.BEFORE_CHECKPOINTS else set())
    start = after.astimezone(calendar.tz).date()
    week_cache: dict[date, set[date]] = {}
    day = start
    while day < due:
        monday = day - timedelta(days=day.weekday())
        if monday not in week_cache:
            week_cache[monday] = _rhythm_days(calendar, rhythm, monday)
        if day in wanted or day in week_cache[monday]:
            instant = local_instant(calendar, day, at)
            # A wall time in a gap that runs to midnight (Nuuk's 23:00 to 00:00 jump) would
            # land on the next day: that day goes without, so no day ever gets two.
            if instant > after and instant.astimezone(calendar.tz).date() == day:
                return instant
        day += timedelta(days=1)
    return None
