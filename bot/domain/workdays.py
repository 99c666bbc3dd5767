"""Working-time arithmetic in a person's own time zone: working days, deadlines, estimates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

MONDAY_TO_FRIDAY: frozenset[int] = frozenset({0, 1, 2, 3, 4})

# Below this share of the remaining working days left over, a plan is flagged as tight.
TIGHT_SLACK_SHARE = 0.2
_HORIZON_DAYS = 400

Verdict = Literal["fits", "tight", "exceeds", "no_time"]


@dataclass(frozen=True)
class WorkCalendar:
    """Someone's working week: time zone, working weekdays (Monday is 0) and working hours."""

    tz: ZoneInfo
    working_days: frozenset[int] = MONDAY_TO_FRIDAY
    day_start: time = time(9, 0)
    day_end: time = time(17, 30)
    # Out of office, both days included: no working days then, so no nudges either.
    away: tuple[date, date] | None = None

    def __post_init__(self) -> None:
        # An empty week would make add_working_days search forever.
        if not self.working_days:
            raise ValueError("a work calendar needs at least one working day")
        if not self.working_days <= frozenset(range(7)):
            raise ValueError("working days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("working hours are local wall times, without a time zone")
        if not self.day_start < self.day_end:
            raise ValueError("the working day must start before it ends")


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (an instant), not a naive one")


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def local_instant(calendar: WorkCalendar, day: date, at: time) -> datetime:
    """The UTC instant of wall time `at` on `day` locally; gaps move forward, folds take the first.

    A wall time that does not exist (a spring-forward gap, e.g. 02:30 on the day clocks jump
    from 02:00 to 03:00) becomes the first instant after the gap, whose wall time is the end
    of the gap (03:00). A wall time that happens twice (an autumn fold) is its first
    occurrence, the one before the clocks go back.
    """
    tz = calendar.tz
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    # PEP 495: fold=0 is the earlier of two occurrences, so trying it first picks it in a fold.
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if _wall(candidate, tz) == naive:
            return candidate
    # In a gap the two folds map through the offsets either side of the transition, so the
    # transition instant lies between them; tzdata transitions fall on whole seconds.
    low, high = sorted(naive.replace(tzinfo=tz, fold=fold).timestamp() for fold in (0, 1))
    before, after = math.floor(low), math.ceil(high)
    while after - before > 1:
        middle = (before + after) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) > naive:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def is_working_day(calendar: WorkCalendar, day: date) -> bool:
    """Whether `day` is one of the calendar's working weekdays and not an away day."""
    if calendar.away is not None and calendar.away[0] <= day <= calendar.away[1]:
        return False
    return day.weekday() in calendar.working_days


def add_working_hours(calendar: WorkCalendar, start: datetime, hours: float) -> datetime:
    """The instant `hours` of working time after `start`, counting only working hours.

    Working time is day_start to day_end on working days, in the calendar's zone; time
    outside it does not count, so 4 working hours from 15:00 on a Friday with 09:00-17:30
    days is 10:30 on Monday.
    """
    _require_aware(start, "start")
    if hours <= 0:
        raise ValueError("add a positive number of working hours")
    remaining = timedelta(hours=hours)
    day = _wall(start, calendar.tz).date()
    for _ in range(_HORIZON_DAYS):
        if is_working_day(calendar, day):
            opens = local_instant(calendar, day, calendar.day_start)
            closes = local_instant(calendar, day, calendar.day_end)
            begin = max(start, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("no working time within a year of start")


def _count_working_days(calendar: WorkCalendar, first: date, last: date) -> int:
    if last < first:
        return 0
    weeks, rest = divmod((last - first).days + 1, 7)
    tail = sum(
        1 for offset in range(rest) if (first.weekday() + offset) % 7 in calendar.working_days
    )
    count = weeks * len(calendar.working_days) + tail
    if calendar.away is not None:
        away_first, away_last = max(first, calendar.away[0]), min(last, calendar.away[1])
        count -= sum(
            1
            for offset in range((away_last - away_first).days + 1)
            if (away_first + timedelta(days=offset)).weekday() in calendar.working_days
        )
    return count


def working_days_left(calendar: WorkCalendar, now: datetime, due: date) -> int:
    """Working days from `now` to `due` inclusive; today counts only before its day_end.

    Counted: every working day from today (in the calendar's time zone) up to and including
    the due date, where today counts only while `now` is before today's `day_end`. So on a
    Friday with Monday due and Mon-Fri working days, 16:00 gives 2 (Friday and Monday) and
    17:30 or later gives 1 (Monday). A due date that has passed gives 0, never a negative.
    """
    _require_aware(now, "now")
    today = _wall(now, calendar.tz).date()
    # Today and its neighbours are judged by the instant their working day ends rather than
    # by date, so a clock change near midnight cannot make the count go up as time passes.
    left = 0
    for offset in (-1, 0, 1):
        day = today + timedelta(days=offset)
        if day > due:
            break
        if is_working_day(calendar, day) and local_instant(calendar, day, calendar.day_end) > now:
            left += 1
    return left + _count_working_days(calendar, today + timedelta(days=2), due)


def add_working_days(calendar: WorkCalendar, start: datetime, days: int) -> datetime:
    """The UTC instant at `start`'s local wall time, `days` working days later (days >= 1).

    Non-working days are skipped. The wall time goes through local_instant, so in a DST gap it
    becomes the end of the gap and in a fold its first occurrence. A working day whose wall
    time falls into a gap that runs past midnight (Samoa skipped 30 December 2011 entirely)
    is not counted, so the result always falls on a working day.
    """
    _require_aware(start, "start")
    if days < 1:
        raise ValueError("add at least one working day")
    wall = _wall(start, calendar.tz)
    day = wall.date()
    counted = 0
    while True:
        day += timedelta(days=1)
        if not is_working_day(calendar, day):
            continue
        candidate = local_instant(calendar, day, wall.time())
        if _wall(candidate, calendar.tz).date() != day:
            continue
        counted += 1
        if counted == days:
            return candidate


@dataclass(frozen=True)
class EstimateFit:
    """How an owner's estimate compares with the working days left before the due date."""

    days_left: int
    estimate_days: float
    # (days_left - estimate) / days_left; negative when the plan exceeds, None without days.
    slack_share: float | None
    verdict: Verdict


def estimate_fit(estimate_days: float, days_left: int) -> EstimateFit:
    """Judge an estimate in working days against the working days left."""
    if not math.isfinite(estimate_days) or estimate_days < 0:
        raise ValueError("an estimate is a finite, non-negative number of working days")
    if days_left < 0:
        raise ValueError("days_left cannot be negative")
    if days_left == 0:
        return EstimateFit(days_left, estimate_days, None, "no_time")
    slack_share = (days_left - estimate_days) / days_left
    verdict: Verdict
    if estimate_days > days_left:
        verdict = "exceeds"
    elif slack_share < TIGHT_SLACK_SHARE:
        verdict = "tight"
    else:
        verdict = "fits"
    return EstimateFit(days_left, estimate_days, slack_share, verdict)


def _days_text(amount: float) -> str:
    number = f"{amount:.2f}".rstrip("0").rstrip(".")
    return f"{number} working day" if number == "1" else f"{number} working days"


def _slack_percent(fit: EstimateFit) -> int:
    share = fit.slack_share if fit.slack_share is not None else 0.0
    # Rounding first drops float noise (0.29 * 100 == 28.999...); flooring then keeps a
    # tight plan from being described as having the full 20% it lacks.
    percent = math.floor(round(share * 100, 6))
    if fit.verdict == "tight":
        percent = min(percent, math.ceil(TIGHT_SLACK_SHARE * 100) - 1)
    return max(percent, 0)


def describe_fit(fit: EstimateFit) -> str:
    """One plain sentence about an estimate's fit, for a Slack message."""
    estimated = f"{_days_text(fit.estimate_days)} estimated"
    if fit.verdict == "no_time":
        return f"{estimated}, but no working days are left before the due date."
    if fit.verdict == "exceeds":
        return f"{estimated}, only {fit.days_left} left: the plan does not fit."
    percent = _slack_percent(fit)
    if fit.verdict == "tight":
        return f"{estimated}, {fit.days_left} left: tight, {percent}% slack."
    return f"{estimated}, {fit.days_left} left: fits with {percent}% slack."
