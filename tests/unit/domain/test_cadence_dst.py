"""The check-in schedule across clock changes: right local hour, never twice, never skipped.

The real schedule is a chain: each check-in is computed with `after` = the previous one
(schedule_next_checkin / after_checkin_sent), so these tests run the whole chain and check
it against expected days and instants worked out here, from zoneinfo, without the code
under test.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.cadence import next_checkin_at
from bot.domain.types import Rhythm
from bot.domain.workdays import WorkCalendar

MON_FRI = frozenset({0, 1, 2, 3, 4})
SUN_THU = frozenset({6, 0, 1, 2, 3})
MON_SAT = frozenset({0, 1, 2, 3, 4, 5})
ALL_WEEK = frozenset(range(7))
TEN = time(10, 0)

# 10:00 (the default), midnight, just before midnight, and the hours London, New York and
# Sydney skip or repeat on their clock-change days.
AWKWARD_TIMES = (TEN, time(0, 0), time(23, 30), time(1, 30), time(2, 30))


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of `instant` in `tz`."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _expected_instant(tz: ZoneInfo, day: date, at: time) -> datetime:
    """The first instant showing `at` on `day`, or, in a gap, the first instant past the gap."""
    naive = datetime.combine(day, at)
    readings = [naive.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)]
    occurrences = [reading for reading in readings if _wall(reading, tz) == naive]
    if occurrences:
        return min(occurrences)
    # A gap: the earlier reading lies before the jump; walk to the first instant after it.
    instant = min(readings)
    while _wall(instant, tz) < naive:
        instant += timedelta(minutes=1)
    while _wall(instant - timedelta(seconds=1), tz) > naive:
        instant -= timedelta(seconds=1)
    return instant


def _gap_runs_past_midnight(tz: ZoneInfo, day: date, at: time) -> bool:
    """Whether `at` on `day` falls in a gap ending on a later date: no instant of `day` fits."""
    return _wall(_expected_instant(tz, day, at), tz).date() != day


def _last_working_day_before(working: frozenset[int], day: date) -> date:
    """The last day strictly before `day` whose weekday is in `working`."""
    return next(
        day - timedelta(days=back)
        for back in range(1, 8)
        if (day - timedelta(days=back)).weekday() in working
    )


def _first_working(working: frozenset[int], days: list[date]) -> list[date]:
    """The first of `days` whose weekday is in `working`, as a list of zero or one day."""
    return [day for day in days if day.weekday() in working][:1]


def _expected_days(
    working: frozenset[int], rhythm: Rhythm, first: date, due: date, checkpoints: Iterable[date]
) -> set[date]:
    """The check-in days in [first, due) by the rules in cadence's docstring, worked out afresh."""
    wanted = {_last_working_day_before(working, due)}
    if rhythm is Rhythm.BEFORE_CHECKPOINTS:
        wanted |= {_last_working_day_before(working, checkpoint) for checkpoint in checkpoints}
    monday = first - timedelta(days=first.weekday())
    while monday < due:
        week = [monday + timedelta(days=offset) for offset in range(7)]
        if rhythm is Rhythm.DAILY:
            wanted |= {day for day in week if day.weekday() in working}
        elif rhythm is Rhythm.WEEKLY:
            wanted |= set(_first_working(working, week))
        elif rhythm is Rhythm.TWICE_WEEKLY:
            wanted |= set(_first_working(working, week[:3]) + _first_working(working, week[3:]))
        monday += timedelta(days=7)
    return {day for day in wanted if first <= day < due}


def _chain(
    calendar: WorkCalendar,
    at: time,
    rhythm: Rhythm,
    after: datetime,
    due: date,
    checkpoints: tuple[date, ...] = (),
) -> list[datetime]:
    """Every check-in from `after` on, each computed after the previous one, until none is left."""
    found: list[datetime] = []
    previous = after
    while True:
        instant = next_checkin_at(
            calendar, at=at, rhythm=rhythm, after=previous, due=due, checkpoints=checkpoints
        )
        if instant is None:
            return found
        assert instant > previous, f"{instant} does not come after {previous}"
        assert len(found) <= (due - after.date()).days + 2, "the chain does not end"
        found.append(instant)
        previous = instant


def _assert_schedule(
    calendar: WorkCalendar,
    at: time,
    rhythm: Rhythm,
    after: datetime,
    due: date,
    checkpoints: tuple[date, ...] = (),
) -> list[datetime]:
    """Run the chain and check every rule on it; returns the chain for further checks."""
    tz, working = calendar.tz, calendar.working_days
    chain = _chain(calendar, at, rhythm, after, due, checkpoints)
    walls = [_wall(instant, tz) for instant in chain]
    got = [instant.astimezone(tz).isoformat() for instant in chain]
    context = (
        f"{tz.key} days={sorted(working)} at={at} {rhythm} after={after.isoformat()} "
        f"due={due} checkpoints={list(checkpoints)} got={got}"
    )
    dates = [wall.date() for wall in walls]
    assert len(set(dates)) == len(dates), f"a day has two check-ins: {context}"
    for instant, wall in zip(chain, walls, strict=True):
        assert wall.weekday() in working, f"check-in on a non-working day {wall}: {context}"
        assert wall.date() < due, f"check-in on or after the due date {wall}: {context}"
        expected = _expected_instant(tz, wall.date(), at)
        local, wanted = instant.astimezone(tz), expected.astimezone(tz)
        assert instant == expected, f"{local.isoformat()} should be {wanted.isoformat()}: {context}"
    first = _wall(after, tz).date()
    expected_days = {
        day
        for day in _expected_days(working, rhythm, first, due, checkpoints)
        if _expected_instant(tz, day, at) > after
    }
    # A day whose check-in time falls in a gap running past midnight has no such instant at
    # all; it may go without a check-in (as add_working_days skips it), never move to the next.
    excused = {day for day in expected_days if _gap_runs_past_midnight(tz, day, at)}
    assert set(dates) - excused == expected_days - excused, f"missing or extra days: {context}"
    return chain


# (zone, the Sunday the clocks change, UTC offset in minutes before it, after it).
CHANGES = [
    pytest.param("Europe/London", date(2026, 3, 29), 0, 60, id="london-26-spring"),
    pytest.param("Europe/London", date(2026, 10, 25), 60, 0, id="london-26-autumn"),
    pytest.param("Europe/London", date(2027, 3, 28), 0, 60, id="london-27-spring"),
    pytest.param("Europe/London", date(2027, 10, 31), 60, 0, id="london-27-autumn"),
    pytest.param("America/New_York", date(2026, 3, 8), -300, -240, id="ny-26-spring"),
    pytest.param("America/New_York", date(2026, 11, 1), -240, -300, id="ny-26-autumn"),
    pytest.param("America/New_York", date(2027, 3, 14), -300, -240, id="ny-27-spring"),
    pytest.param("America/New_York", date(2027, 11, 7), -240, -300, id="ny-27-autumn"),
    pytest.param("Australia/Sydney", date(2026, 4, 5), 660, 600, id="sydney-26-april"),
    pytest.param("Australia/Sydney", date(2026, 10, 4), 600, 660, id="sydney-26-october"),
    pytest.param("Australia/Sydney", date(2027, 4, 4), 660, 600, id="sydney-27-april"),
    pytest.param("Australia/Sydney", date(2027, 10, 3), 600, 660, id="sydney-27-october"),
    # Sao Paulo dropped DST in 2019; these are the Sundays its clocks used to change.
    pytest.param("America/Sao_Paulo", date(2026, 11, 1), -180, -180, id="sao-paulo-26-november"),
    pytest.param("America/Sao_Paulo", date(2027, 2, 21), -180, -180, id="sao-paulo-27-february"),
    # Kolkata has no DST: London's change days, for comparison.
    pytest.param("Asia/Kolkata", date(2026, 3, 29), 330, 330, id="kolkata-26-march"),
    pytest.param("Asia/Kolkata", date(2026, 10, 25), 330, 330, id="kolkata-26-october"),
]


@pytest.mark.parametrize("rhythm", list(Rhythm))
@pytest.mark.parametrize(("zone", "change_day", "offset_before", "offset_after"), CHANGES)
def test_chain_across_a_clock_change(
    zone: str, change_day: date, offset_before: int, offset_after: int, rhythm: Rhythm
) -> None:
    """Every calendar and awkward time: right instants, one a day, working days, none skipped."""
    tz = ZoneInfo(zone)
    assert change_day.weekday() == 6
    saturday, monday = change_day - timedelta(days=1), change_day + timedelta(days=1)
    assert datetime.combine(saturday, TEN, tzinfo=tz).utcoffset() == timedelta(
        minutes=offset_before
    )
    assert datetime.combine(monday, TEN, tzinfo=tz).utcoffset() == timedelta(minutes=offset_after)
    # From Wednesday noon to the Wednesday after next. A checkpoint on Monday puts its check-in
    # on the change day itself when Sunday is a working day (Sun-Thu, all week).
    after = datetime.combine(change_day - timedelta(days=4), time(12), tzinfo=tz).astimezone(UTC)
    due = change_day + timedelta(days=10)
    checkpoints = (monday, change_day + timedelta(days=5))
    for working in (MON_FRI, SUN_THU, ALL_WEEK):
        calendar = WorkCalendar(tz=tz, working_days=working)
        for at in AWKWARD_TIMES:
            chain = _assert_schedule(calendar, at, rhythm, after, due, checkpoints)
            assert chain, f"no check-in at all in {zone} {sorted(working)} {at} {rhythm}"


# Check-ins at a wall time the change day skips or repeats, all-week calendar, daily.
GAP_AND_FOLD_DAYS = [
    # London skips 01:00-02:00 on 29 Mar 2026: 01:30 becomes 02:00 BST (01:00 UTC).
    pytest.param(
        "Europe/London",
        time(1, 30),
        _utc(2026, 3, 27, 12),
        date(2026, 4, 1),
        [
            _utc(2026, 3, 28, 1, 30),
            _utc(2026, 3, 29, 1),
            _utc(2026, 3, 30, 0, 30),
            _utc(2026, 3, 31, 0, 30),
        ],
        id="london-gap",
    ),
    # New York skips 02:00-03:00 on 8 Mar 2026: 02:30 becomes 03:00 EDT (07:00 UTC).
    pytest.param(
        "America/New_York",
        time(2, 30),
        _utc(2026, 3, 6, 12),
        date(2026, 3, 10),
        [_utc(2026, 3, 7, 7, 30), _utc(2026, 3, 8, 7), _utc(2026, 3, 9, 6, 30)],
        id="new-york-gap",
    ),
    # Sydney skips 02:00-03:00 on 4 Oct 2026: 02:30 becomes 03:00 AEDT (16:00 UTC the day before).
    pytest.param(
        "Australia/Sydney",
        time(2, 30),
        _utc(2026, 10, 2, 0),
        date(2026, 10, 6),
        [_utc(2026, 10, 2, 16, 30), _utc(2026, 10, 3, 16), _utc(2026, 10, 4, 15, 30)],
        id="sydney-gap",
    ),
    # London repeats 01:00-02:00 on 25 Oct 2026: 01:30 BST (00:30 UTC) only, not 01:30 GMT.
    pytest.param(
        "Europe/London",
        time(1, 30),
        _utc(2026, 10, 23, 12),
        date(2026, 10, 27),
        [_utc(2026, 10, 24, 0, 30), _utc(2026, 10, 25, 0, 30), _utc(2026, 10, 26, 1, 30)],
        id="london-fold",
    ),
    # New York repeats 01:00-02:00 on 1 Nov 2026: 01:30 EDT (05:30 UTC) only.
    pytest.param(
        "America/New_York",
        time(1, 30),
        _utc(2026, 10, 30, 12),
        date(2026, 11, 3),
        [_utc(2026, 10, 31, 5, 30), _utc(2026, 11, 1, 5, 30), _utc(2026, 11, 2, 6, 30)],
        id="new-york-fold",
    ),
    # Sydney repeats 02:00-03:00 on 5 Apr 2026: 02:30 AEDT (15:30 UTC the day before) only.
    pytest.param(
        "Australia/Sydney",
        time(2, 30),
        _utc(2026, 4, 3, 0),
        date(2026, 4, 7),
        [_utc(2026, 4, 3, 15, 30), _utc(2026, 4, 4, 15, 30), _utc(2026, 4, 5, 16, 30)],
        id="sydney-fold",
    ),
]


@pytest.mark.parametrize(("zone", "at", "after", "due", "expected"), GAP_AND_FOLD_DAYS)
def test_gap_and_fold_days_have_one_checkin_at_the_documented_instant(
    zone: str, at: time, after: datetime, due: date, expected: list[datetime]
) -> None:
    """A skipped wall time fires at the end of the gap, a repeated one at its first occurrence."""
    calendar = WorkCalendar(tz=ZoneInfo(zone), working_days=ALL_WEEK)
    assert _chain(calendar, at, Rhythm.DAILY, after, due) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # 01:15 BST, first pass through the repeated hour: today's 01:30 BST is still to come.
        (_utc(2026, 10, 25, 0, 15), _utc(2026, 10, 25, 0, 30)),
        # 01:45 BST, just after today's check-in: the next one is Monday's.
        (_utc(2026, 10, 25, 0, 45), _utc(2026, 10, 26, 1, 30)),
        # 01:15 GMT, second pass: 01:30 GMT is the same wall time again, not a new check-in.
        (_utc(2026, 10, 25, 1, 15), _utc(2026, 10, 26, 1, 30)),
    ],
)
def test_rescheduling_inside_the_repeated_hour_does_not_repeat_the_checkin(
    after: datetime, expected: datetime
) -> None:
    """An answer during London's repeated hour never brings back the check-in already sent."""
    calendar = WorkCalendar(tz=ZoneInfo("Europe/London"), working_days=ALL_WEEK)
    found = next_checkin_at(
        calendar, at=time(1, 30), rhythm=Rhythm.DAILY, after=after, due=date(2026, 11, 30)
    )
    assert found == expected


@pytest.mark.parametrize(
    ("zone", "utc_times"),
    [
        ("Europe/London", {time(10, 0), time(9, 0)}),
        ("America/New_York", {time(15, 0), time(14, 0)}),
        ("Australia/Sydney", {time(23, 0), time(0, 0)}),
        ("America/Sao_Paulo", {time(13, 0)}),
        ("Asia/Kolkata", {time(4, 30)}),
    ],
)
def test_a_year_of_daily_checkins_at_ten(zone: str, utc_times: set[time]) -> None:
    """A year daily: every working day once, at 10:00 local, in one or two UTC clock times."""
    tz = ZoneInfo(zone)
    calendar = WorkCalendar(tz=tz, working_days=SUN_THU)
    # Noon local on Tuesday 30 June 2026, after that day's check-in.
    after = datetime(2026, 6, 30, 12, tzinfo=tz).astimezone(UTC)
    chain = _assert_schedule(calendar, TEN, Rhythm.DAILY, after, date(2027, 7, 1))
    assert {instant.time() for instant in chain} == utc_times
    # Wed 1 Jul 2026 to Wed 30 Jun 2027: 52 whole Sun-Thu weeks of five days, plus that Wednesday.
    assert len(chain) == 52 * 5 + 1


# Greenland (America/Nuuk) springs forward at 01:00 UTC, from Saturday 23:00 -02 straight to
# Sunday 00:00 -01: on 28 Mar 2026 a 23:30 check-in has no instant on Saturday at all.
NUUK = ZoneInfo("America/Nuuk")


def test_a_gap_running_to_midnight_does_not_move_a_checkin_to_a_day_off() -> None:
    """Mon-Sat in Nuuk at 23:30: no check-in may land on Sunday 29 March 2026."""
    calendar = WorkCalendar(tz=NUUK, working_days=MON_SAT)
    chain = _chain(calendar, time(23, 30), Rhythm.DAILY, _utc(2026, 3, 25, 12), date(2026, 4, 3))
    local_days = [_wall(instant, NUUK).date() for instant in chain]
    assert date(2026, 3, 29) not in local_days, [_wall(i, NUUK).isoformat() for i in chain]


def test_a_gap_running_to_midnight_does_not_give_a_day_two_checkins() -> None:
    """All week in Nuuk at 23:30: Sunday 29 March 2026 gets one check-in, not two."""
    calendar = WorkCalendar(tz=NUUK, working_days=ALL_WEEK)
    chain = _chain(calendar, time(23, 30), Rhythm.DAILY, _utc(2026, 3, 25, 12), date(2026, 4, 3))
    local_days = [_wall(instant, NUUK).date() for instant in chain]
    assert local_days.count(date(2026, 3, 29)) == 1, [_wall(i, NUUK).isoformat() for i in chain]


ZONES = sorted(available_timezones() - {"Factory", "localtime"})
# Wall times that some zones skip (02:30, 00:30, 23:30 in Nuuk) or repeat (01:30, 02:30).
TRICKY_TIMES = [time(2, 30), time(1, 30), time(0, 30), time(0, 0), time(23, 30), time(23, 59)]


def _next_change(tz: ZoneInfo, start: datetime) -> datetime | None:
    """The first instant within a year after `start` at which the zone's UTC offset changes."""
    offset = start.astimezone(tz).utcoffset()
    later = next(
        (
            start + timedelta(days=days)
            for days in range(1, 400)
            if (start + timedelta(days=days)).astimezone(tz).utcoffset() != offset
        ),
        None,
    )
    if later is None:
        return None
    low, high = later - timedelta(days=1), later
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        low, high = (middle, high) if middle.astimezone(tz).utcoffset() == offset else (low, middle)
    return high.replace(microsecond=0)  # tzdata changes fall on whole seconds


def _wall_time_in_change(tz: ZoneInfo, change: datetime, percent: int) -> datetime:
    """A local wall time `percent` of the way through the gap or fold the change makes."""
    before = _wall(change - timedelta(seconds=1), tz) + timedelta(seconds=1)
    low, high = sorted((before, _wall(change, tz)))
    return low + (high - low) * percent / 100


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    working=st.frozensets(st.integers(0, 6), min_size=1),
    at=st.one_of(
        st.sampled_from(TRICKY_TIMES), st.builds(time, st.integers(0, 23), st.integers(0, 59))
    ),
    rhythm=st.sampled_from(list(Rhythm)),
    after=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
    ),
    aim=st.sampled_from(["anywhere", "near_change", "into_change"]),
    percent=st.integers(0, 100),
    span=st.integers(0, 120),
    checkpoint_offsets=st.lists(st.integers(-10, 130), max_size=3),
)
@example(
    # The Nuuk gap above, found by this test: Saturday's 23:30 lands on Sunday.
    zone="America/Nuuk",
    working=MON_SAT,
    at=time(23, 30),
    rhythm=Rhythm.DAILY,
    after=_utc(2026, 3, 25, 12),
    aim="anywhere",
    percent=0,
    span=9,
    checkpoint_offsets=[],
)
def test_any_zone_time_rhythm_and_calendar(
    zone: str,
    working: frozenset[int],
    at: time,
    rhythm: Rhythm,
    after: datetime,
    aim: str,
    percent: int,
    span: int,
    checkpoint_offsets: list[int],
) -> None:
    """Over random zones, times, rhythms, calendars and dates the whole chain keeps every rule.

    Random dates seldom meet a clock change, so `aim` can start the chain three days before
    the zone's next change and, for "into_change", check in at a wall time inside its gap or
    fold on a day made a working day.
    """
    tz = ZoneInfo(zone)
    change = _next_change(tz, after) if aim != "anywhere" else None
    if change is not None:
        after = change - timedelta(days=3)
        if aim == "into_change":
            inside = _wall_time_in_change(tz, change, percent)
            at = inside.time().replace(second=0, microsecond=0)
            working = working | {inside.weekday()}
    start = _wall(after, tz).date()
    due = start + timedelta(days=span)
    checkpoints = tuple(start + timedelta(days=offset) for offset in checkpoint_offsets)
    calendar = WorkCalendar(tz=tz, working_days=working)
    _assert_schedule(calendar, at, rhythm, after, due, checkpoints)
