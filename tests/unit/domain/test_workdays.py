from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.workdays import (
    TIGHT_SLACK_SHARE,
    EstimateFit,
    WorkCalendar,
    add_working_days,
    add_working_hours,
    describe_fit,
    estimate_fit,
    is_working_day,
    local_instant,
    working_days_left,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
KOLKATA = ZoneInfo("Asia/Kolkata")
EVERY_DAY = frozenset(range(7))


def cal(tz: ZoneInfo, days: frozenset[int] | None = None) -> WorkCalendar:
    return WorkCalendar(tz) if days is None else WorkCalendar(tz, working_days=days)


def at(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """An aware instant from a local wall-clock reading in `tz`."""
    return datetime(year, month, day, hour, minute, tzinfo=tz, fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def occurrences(tz: ZoneInfo, naive: datetime) -> set[datetime]:
    """The instants at which the clock in `tz` reads `naive`: none in a gap, two in a fold."""
    candidates = {naive.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)}
    return {instant for instant in candidates if wall(instant, tz) == naive}


def exists(tz: ZoneInfo, naive: datetime) -> bool:
    """Whether a wall time happens at all in `tz` (false inside a spring-forward gap)."""
    return bool(occurrences(tz, naive))


# --- WorkCalendar -----------------------------------------------------------------------


def test_calendar_defaults() -> None:
    calendar = WorkCalendar(LONDON)
    assert calendar.working_days == frozenset({0, 1, 2, 3, 4})
    assert (calendar.day_start, calendar.day_end) == (time(9, 0), time(17, 30))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"working_days": frozenset()},
        {"working_days": frozenset({7})},
        {"day_start": time(18, 0)},
        {"day_end": time(9, 0)},
        {"day_end": time(17, 30, tzinfo=UTC)},
    ],
)
def test_calendar_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(LONDON, **kwargs)  # type: ignore[arg-type]


# --- local_instant ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "wall_time", "expected_utc"),
    [
        # Ordinary days, summer and winter.
        (LONDON, date(2024, 1, 15), time(9, 0), utc(2024, 1, 15, 9, 0)),
        (LONDON, date(2024, 7, 15), time(9, 0), utc(2024, 7, 15, 8, 0)),
        (NEW_YORK, date(2024, 7, 15), time(9, 0), utc(2024, 7, 15, 13, 0)),
        (SYDNEY, date(2024, 7, 15), time(9, 0), utc(2024, 7, 14, 23, 0)),
        (KOLKATA, date(2024, 7, 15), time(9, 0), utc(2024, 7, 15, 3, 30)),
        (SAO_PAULO, date(2024, 7, 15), time(9, 0), utc(2024, 7, 15, 12, 0)),
    ],
)
def test_local_instant_ordinary(
    tz: ZoneInfo, day: date, wall_time: time, expected_utc: datetime
) -> None:
    result = local_instant(cal(tz), day, wall_time)
    assert result == expected_utc
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("tz", "day", "in_gap", "gap_end_utc", "gap_end_wall"),
    [
        # 01:00 GMT -> 02:00 BST.
        (LONDON, date(2024, 3, 31), time(1, 30), utc(2024, 3, 31, 1, 0), time(2, 0)),
        # 02:00 EST -> 03:00 EDT.
        (NEW_YORK, date(2024, 3, 10), time(2, 30), utc(2024, 3, 10, 7, 0), time(3, 0)),
        # Southern hemisphere: spring forward in October, 02:00 AEST -> 03:00 AEDT.
        (SYDNEY, date(2024, 10, 6), time(2, 30), utc(2024, 10, 5, 16, 0), time(3, 0)),
        # Brazil's last spring forward, at midnight: 00:00 -03 -> 01:00 -02.
        (SAO_PAULO, date(2018, 11, 4), time(0, 30), utc(2018, 11, 4, 3, 0), time(1, 0)),
    ],
)
def test_local_instant_gap_moves_to_the_end_of_the_gap(
    tz: ZoneInfo, day: date, in_gap: time, gap_end_utc: datetime, gap_end_wall: time
) -> None:
    assert not exists(tz, datetime.combine(day, in_gap))
    result = local_instant(cal(tz), day, in_gap)
    assert result == gap_end_utc
    assert wall(result, tz) == datetime.combine(day, gap_end_wall)
    # The gap's start itself is also a non-existent wall time.
    gap_start = (datetime.combine(day, gap_end_wall) - timedelta(hours=1)).time()
    assert local_instant(cal(tz), day, gap_start) == gap_end_utc


@pytest.mark.parametrize(
    ("tz", "day", "ambiguous", "first_utc"),
    [
        # 02:00 BST -> 01:00 GMT: 01:30 happens at 00:30 and at 01:30 UTC.
        (LONDON, date(2024, 10, 27), time(1, 30), utc(2024, 10, 27, 0, 30)),
        # 02:00 EDT -> 01:00 EST.
        (NEW_YORK, date(2024, 11, 3), time(1, 30), utc(2024, 11, 3, 5, 30)),
        # 03:00 AEDT -> 02:00 AEST, in April.
        (SYDNEY, date(2024, 4, 7), time(2, 30), utc(2024, 4, 6, 15, 30)),
        # Brazil's last fall back: midnight -02 -> 23:00 -03 the evening before.
        (SAO_PAULO, date(2019, 2, 16), time(23, 30), utc(2019, 2, 17, 1, 30)),
    ],
)
def test_local_instant_fold_takes_the_first_occurrence(
    tz: ZoneInfo, day: date, ambiguous: time, first_utc: datetime
) -> None:
    naive = datetime.combine(day, ambiguous)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    assert second == first_utc + timedelta(hours=1)
    result = local_instant(cal(tz), day, ambiguous)
    assert result == first_utc
    assert wall(result, tz) == naive
    assert result.astimezone(tz).fold == 0


def test_sao_paulo_has_had_no_dst_since_2019() -> None:
    # Brazil abolished DST in 2019 (tzdata 2019b); if that ever changes this test says so.
    offsets = {
        at(SAO_PAULO, year, month, 15, 12).utcoffset()
        for year in (2020, 2024, 2030)
        for month in range(1, 13)
    }
    assert offsets == {timedelta(hours=-3)}
    # The old spring-forward midnight (first Sunday of November) now exists, once.
    day = date(2024, 11, 3)
    assert exists(SAO_PAULO, datetime.combine(day, time(0, 30)))
    assert local_instant(cal(SAO_PAULO), day, time(0, 30)) == utc(2024, 11, 3, 3, 30)


@pytest.mark.parametrize("day", [date(2024, 3, 31), date(2024, 10, 27), date(2024, 3, 10)])
def test_kolkata_has_no_gap_or_fold(day: date) -> None:
    # India keeps +05:30 all year, so the days that are special elsewhere are ordinary here.
    for hour in range(24):
        naive = datetime.combine(day, time(hour, 30))
        result = local_instant(cal(KOLKATA), day, time(hour, 30))
        assert result == naive.replace(tzinfo=UTC) - timedelta(hours=5, minutes=30)
        assert naive.replace(tzinfo=KOLKATA, fold=1).astimezone(UTC) == result


def test_local_instant_ignores_a_time_zone_or_fold_on_the_wall_time() -> None:
    plain = local_instant(cal(LONDON), date(2024, 10, 27), time(1, 30))
    assert local_instant(cal(LONDON), date(2024, 10, 27), time(1, 30, fold=1)) == plain


def test_a_whole_missing_day_goes_to_the_next_morning() -> None:
    apia = ZoneInfo("Pacific/Apia")
    # Samoa crossed the date line: 29 December 2011 was followed by 31 December.
    result = local_instant(cal(apia), date(2011, 12, 30), time(9, 0))
    assert wall(result, apia) == datetime(2011, 12, 31, 0, 0)


# --- is_working_day ---------------------------------------------------------------------


def test_is_working_day() -> None:
    week = [date(2024, 6, 10) + timedelta(days=offset) for offset in range(7)]  # Mon..Sun
    assert [is_working_day(cal(LONDON), day) for day in week] == [True] * 5 + [False] * 2
    sun_thu = cal(LONDON, frozenset({6, 0, 1, 2, 3}))
    assert [is_working_day(sun_thu, day) for day in week] == [True] * 4 + [False] * 2 + [True]


# --- working_days_left ------------------------------------------------------------------

FRIDAY, SATURDAY, MONDAY, TUESDAY = (
    date(2024, 6, 14),
    date(2024, 6, 15),
    date(2024, 6, 17),
    date(2024, 6, 18),
)


@pytest.mark.parametrize(
    ("now", "due", "expected"),
    [
        (at(LONDON, 2024, 6, 14, 16, 0), MONDAY, 2),  # Friday before day end: Friday, Monday
        (at(LONDON, 2024, 6, 14, 17, 29), MONDAY, 2),
        (at(LONDON, 2024, 6, 14, 17, 30), MONDAY, 1),  # day end itself: Friday is over
        (at(LONDON, 2024, 6, 14, 18, 0), MONDAY, 1),  # only Monday
        (at(LONDON, 2024, 6, 14, 7, 0), MONDAY, 2),  # before day start still counts Friday
        (at(LONDON, 2024, 6, 15, 11, 0), MONDAY, 1),  # weekend: Monday
        (at(LONDON, 2024, 6, 17, 10, 0), MONDAY, 1),  # due today, still working
        (at(LONDON, 2024, 6, 17, 18, 0), MONDAY, 0),  # due today, day over
        (at(LONDON, 2024, 6, 18, 10, 0), MONDAY, 0),  # overdue: never negative
        (at(LONDON, 2024, 6, 14, 18, 0), SATURDAY, 0),  # due on a day off
        (at(LONDON, 2024, 6, 14, 16, 0), SATURDAY, 1),
        (at(LONDON, 2024, 6, 17, 9, 0), date(2024, 6, 21), 5),
        (at(LONDON, 2024, 6, 14, 18, 0), date(2024, 12, 31), 142),
        (at(LONDON, 2024, 6, 14, 18, 0), FRIDAY, 0),
        (at(LONDON, 2024, 6, 14, 16, 0), FRIDAY, 1),
        (at(LONDON, 2024, 6, 14, 16, 0), TUESDAY, 3),
    ],
)
def test_working_days_left_examples(now: datetime, due: date, expected: int) -> None:
    assert working_days_left(cal(LONDON), now, due) == expected


def test_working_days_left_is_in_the_persons_time_zone() -> None:
    now = utc(2024, 6, 14, 20, 0)  # Friday 21:00 in London, 16:00 in New York
    assert working_days_left(cal(LONDON), now, MONDAY) == 1
    assert working_days_left(cal(NEW_YORK), now, MONDAY) == 2
    # Already Saturday 06:00 in Sydney.
    assert working_days_left(cal(SYDNEY), now, MONDAY) == 1


def test_working_days_left_with_a_sunday_to_thursday_week() -> None:
    jerusalem = cal(ZoneInfo("Asia/Jerusalem"), frozenset({6, 0, 1, 2, 3}))
    friday_noon = at(jerusalem.tz, 2024, 6, 14, 12, 0)
    assert working_days_left(jerusalem, friday_noon, date(2024, 6, 16)) == 1  # Sunday
    assert working_days_left(jerusalem, friday_noon, MONDAY) == 2


def test_working_days_left_rejects_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        working_days_left(cal(LONDON), datetime(2024, 6, 14, 16, 0), MONDAY)


def test_results_do_not_depend_on_the_real_clock() -> None:
    now = at(LONDON, 2024, 6, 14, 16, 0)
    expected = (working_days_left(cal(LONDON), now, MONDAY), add_working_days(cal(LONDON), now, 1))
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        moved = (
            working_days_left(cal(LONDON), now, MONDAY),
            add_working_days(cal(LONDON), now, 1),
        )
    assert moved == expected


# --- add_working_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected_local"),
    [
        # Friday 10:00 + 1 working day is Monday 10:00.
        (cal(LONDON), at(LONDON, 2024, 6, 14, 10, 0), 1, datetime(2024, 6, 17, 10, 0)),
        (cal(LONDON), at(LONDON, 2024, 6, 14, 10, 0), 2, datetime(2024, 6, 18, 10, 0)),
        # From a Saturday, the first working day is Monday.
        (cal(LONDON), at(LONDON, 2024, 6, 15, 10, 0), 1, datetime(2024, 6, 17, 10, 0)),
        (cal(LONDON), at(LONDON, 2024, 6, 10, 9, 15), 5, datetime(2024, 6, 17, 9, 15)),
        (cal(LONDON), at(LONDON, 2024, 1, 1, 12, 0), 261, datetime(2024, 12, 31, 12, 0)),
        # Wall time kept across a DST change: 09:00 GMT Friday, 09:00 BST Monday.
        (cal(LONDON), at(LONDON, 2024, 3, 29, 9, 0), 1, datetime(2024, 4, 1, 9, 0)),
        (cal(SYDNEY), at(SYDNEY, 2024, 4, 5, 9, 0), 1, datetime(2024, 4, 8, 9, 0)),
        # Landing in a gap: 02:30 on New York's spring-forward Sunday becomes 03:00.
        (
            cal(NEW_YORK, EVERY_DAY),
            at(NEW_YORK, 2024, 3, 8, 2, 30),
            2,
            datetime(2024, 3, 10, 3, 0),
        ),
        (
            cal(NEW_YORK, EVERY_DAY),
            at(NEW_YORK, 2024, 3, 8, 2, 30),
            3,
            datetime(2024, 3, 11, 2, 30),
        ),
        # Weekend days count when the calendar says so.
        (cal(LONDON, EVERY_DAY), at(LONDON, 2024, 6, 14, 10, 0), 1, datetime(2024, 6, 15, 10, 0)),
    ],
)
def test_add_working_days_examples(
    calendar: WorkCalendar, start: datetime, days: int, expected_local: datetime
) -> None:
    result = add_working_days(calendar, start, days)
    assert result.tzinfo is UTC
    assert wall(result, calendar.tz) == expected_local


def test_add_working_days_landing_in_a_fold_takes_the_first_occurrence() -> None:
    start = at(LONDON, 2024, 10, 24, 1, 30)  # Thursday
    result = add_working_days(cal(LONDON, EVERY_DAY), start, 3)  # Sunday 27 October
    assert result == utc(2024, 10, 27, 0, 30)


def test_add_working_days_from_the_second_occurrence_of_a_fold() -> None:
    start = at(LONDON, 2024, 10, 27, 1, 30, fold=1)  # 01:30 GMT, the second 01:30
    assert add_working_days(cal(LONDON), start, 1) == utc(2024, 10, 28, 1, 30)


def test_add_working_days_skips_a_day_that_never_happened() -> None:
    apia = ZoneInfo("Pacific/Apia")
    start = at(apia, 2011, 12, 29, 9, 0)  # Thursday; Friday 30 December was skipped
    result = add_working_days(cal(apia, EVERY_DAY), start, 1)
    assert wall(result, apia) == datetime(2011, 12, 31, 9, 0)


@pytest.mark.parametrize("days", [0, -1])
def test_add_working_days_needs_a_positive_count(days: int) -> None:
    with pytest.raises(ValueError):
        add_working_days(cal(LONDON), at(LONDON, 2024, 6, 14, 10, 0), days)


def test_add_working_days_rejects_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_days(cal(LONDON), datetime(2024, 6, 14, 10, 0), 1)


# --- estimate_fit and describe_fit ------------------------------------------------------


@pytest.mark.parametrize(
    ("estimate", "left", "verdict", "sentence"),
    [
        (3, 10, "fits", "3 working days estimated, 10 left: fits with 70% slack."),
        (8, 10, "fits", "8 working days estimated, 10 left: fits with 20% slack."),
        (8, 9, "tight", "8 working days estimated, 9 left: tight, 11% slack."),
        (9, 9, "tight", "9 working days estimated, 9 left: tight, 0% slack."),
        (12, 9, "exceeds", "12 working days estimated, only 9 left: the plan does not fit."),
        (1, 1, "tight", "1 working day estimated, 1 left: tight, 0% slack."),
        (0.5, 2, "fits", "0.5 working days estimated, 2 left: fits with 75% slack."),
        (2.5, 3, "tight", "2.5 working days estimated, 3 left: tight, 16% slack."),
        (0.71, 1, "fits", "0.71 working days estimated, 1 left: fits with 29% slack."),
        (
            2,
            0,
            "no_time",
            "2 working days estimated, but no working days are left before the due date.",
        ),
        (
            0,
            0,
            "no_time",
            "0 working days estimated, but no working days are left before the due date.",
        ),
    ],
)
def test_estimate_fit_examples(estimate: float, left: int, verdict: str, sentence: str) -> None:
    fit = estimate_fit(estimate, left)
    assert fit.verdict == verdict
    assert (fit.days_left, fit.estimate_days) == (left, estimate)
    assert describe_fit(fit) == sentence


def test_slack_share() -> None:
    assert estimate_fit(3, 10).slack_share == pytest.approx(0.7)
    assert estimate_fit(12, 9).slack_share == pytest.approx(-1 / 3)
    assert estimate_fit(3, 0).slack_share is None


@pytest.mark.parametrize(
    ("estimate", "left"), [(-1, 5), (float("nan"), 5), (float("inf"), 5), (1, -1)]
)
def test_estimate_fit_rejects_nonsense(estimate: float, left: int) -> None:
    with pytest.raises(ValueError):
        estimate_fit(estimate, left)


@given(
    st.floats(min_value=0, max_value=500, allow_nan=False),
    st.integers(min_value=0, max_value=500),
)
def test_fit_verdict_and_sentence_agree(estimate: float, left: int) -> None:
    fit = estimate_fit(estimate, left)
    sentence = describe_fit(fit)
    assert sentence.endswith(".") and "\n" not in sentence
    assert len(sentence) < 150
    if left == 0:
        assert fit.verdict == "no_time"
        return
    assert fit.slack_share is not None
    if estimate > left:
        assert fit.verdict == "exceeds"
    elif fit.slack_share < TIGHT_SLACK_SHARE:
        assert fit.verdict == "tight"
        percent = int(sentence.rsplit(", ", 1)[1].split("%")[0])
        assert 0 <= percent < 20
    else:
        assert fit.verdict == "fits"
        percent = int(sentence.rsplit(" ", 2)[1].rstrip("%"))
        assert 20 <= percent <= 100


def test_describe_fit_accepts_a_hand_made_fit() -> None:
    fit = EstimateFit(days_left=4, estimate_days=1.0, slack_share=0.75, verdict="fits")
    assert describe_fit(fit) == "1 working day estimated, 4 left: fits with 75% slack."


# --- properties over real time zones ----------------------------------------------------

ZONES = sorted(available_timezones())
zones = st.sampled_from(ZONES).map(ZoneInfo)
weeks = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)
days_between = st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31))
wall_times = st.times()
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
end_times = st.times(min_value=time(0, 1)).map(lambda t: t.replace(microsecond=0))


@given(zones, days_between, wall_times)
def test_local_instant_round_trips_except_in_gaps(tz: ZoneInfo, day: date, at_time: time) -> None:
    naive = datetime.combine(day, at_time.replace(fold=0))
    result = local_instant(cal(tz), day, at_time)
    assert result.tzinfo is UTC
    if exists(tz, naive):
        assert wall(result, tz) == naive
        # The first occurrence: nothing earlier has the same wall time.
        assert result <= naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    else:
        # The first instant after the gap: just before it the clock still read earlier.
        assert wall(result, tz) > naive
        assert wall(result - timedelta(microseconds=1), tz) < naive


@given(zones, weeks, instants, st.integers(min_value=1, max_value=30))
def test_add_working_days_properties(
    tz: ZoneInfo, working: frozenset[int], start: datetime, days: int
) -> None:
    calendar = cal(tz, working)
    result = add_working_days(calendar, start, days)
    start_wall, result_wall = wall(start, tz), wall(result, tz)
    assert result > start
    assert is_working_day(calendar, result_wall.date())
    assert result_wall.date() > start_wall.date()
    target = datetime.combine(result_wall.date(), start_wall.time())
    if exists(tz, target):
        assert result_wall == target
    else:
        assert result_wall > target
    # Exactly `days` working days were used: every one before the result counted.
    counted = [
        day
        for offset in range(1, (result_wall.date() - start_wall.date()).days + 1)
        if is_working_day(calendar, day := start_wall.date() + timedelta(days=offset))
        and wall(local_instant(calendar, day, start_wall.time()), tz).date() == day
    ]
    assert len(counted) == days
    assert counted[-1] == result_wall.date()


@given(
    zones,
    weeks,
    end_times,
    instants,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    st.integers(min_value=-5, max_value=60),
)
def test_working_days_left_never_grows_as_time_passes(
    tz: ZoneInfo,
    working: frozenset[int],
    day_end: time,
    now: datetime,
    step: timedelta,
    due_offset: int,
) -> None:
    calendar = WorkCalendar(tz, working_days=working, day_start=time(0, 0), day_end=day_end)
    due = wall(now, tz).date() + timedelta(days=due_offset)
    earlier = working_days_left(calendar, now, due)
    later = working_days_left(calendar, now + step, due)
    assert 0 <= later <= earlier


@given(zones, weeks, instants, st.integers(min_value=-5, max_value=400))
def test_working_days_left_matches_counting_day_by_day(
    tz: ZoneInfo, working: frozenset[int], now: datetime, due_offset: int
) -> None:
    calendar = cal(tz, working)
    today = wall(now, tz).date()
    due = today + timedelta(days=due_offset)
    expected = sum(
        1
        for offset in range(due_offset + 1)
        if is_working_day(calendar, today + timedelta(days=offset))
        and (offset > 0 or wall(now, tz).time() < calendar.day_end)
    )
    result = working_days_left(calendar, now, due)
    if len(occurrences(tz, datetime.combine(today, calendar.day_end))) == 1:
        assert result == expected
    else:
        # Today's day end is in a gap or a fold, so "before day end" by wall clock and by
        # instant can disagree; at most today is counted differently.
        assert abs(result - expected) <= 1


# --- properties aimed at clock changes --------------------------------------------------
# Random instants rarely fall within an hour of a clock change, so these draw wall times and
# instants around real transitions, in zones with unusual ones: half-hour DST (Lord Howe),
# changes at midnight (Havana, Sao Paulo), at 00:01 (Goose Bay) and a skipped day (Apia).

CHANGING_ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "America/Havana",
    "America/Goose_Bay",
    "America/Santiago",
    "Pacific/Chatham",
    "Pacific/Apia",
)


def transitions(tz: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in `year` at which `tz` changes its offset, to the second."""
    found = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    while instant.year == year:
        following = instant + timedelta(days=1)
        if instant.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            low, high = int(instant.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                offset = datetime.fromtimestamp(middle, tz).utcoffset()
                if offset == instant.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(datetime.fromtimestamp(high, UTC))
        instant = following
    return found


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[ZoneInfo, datetime, timedelta]:
    """A zone, one of its clock changes, and an offset within a few hours of it."""
    tz = ZoneInfo(draw(st.sampled_from(CHANGING_ZONES)))
    year = draw(st.sampled_from((1995, 2008, 2011, 2018, 2019, 2024, 2031)))
    changes = transitions(tz, year)
    if not changes:
        changes = transitions(ZoneInfo("Europe/London"), year)
        tz = ZoneInfo("Europe/London")
    change = draw(st.sampled_from(changes))
    seconds = draw(st.integers(min_value=-3 * 3600, max_value=3 * 3600))
    return tz, change, timedelta(seconds=seconds)


def wall_before(change: datetime, tz: ZoneInfo, offset: timedelta) -> datetime:
    """The wall time `offset` after `change`, read with the offset in force before it."""
    before = (change - timedelta(seconds=1)).astimezone(tz).utcoffset()
    assert before is not None
    return (change + offset + before).replace(tzinfo=None)


def test_transitions_helper_finds_london_2024() -> None:
    assert transitions(LONDON, 2024) == [utc(2024, 3, 31, 1, 0), utc(2024, 10, 27, 1, 0)]


@given(near_a_change())
def test_local_instant_near_clock_changes(case: tuple[ZoneInfo, datetime, timedelta]) -> None:
    tz, change, offset = case
    naive = wall_before(change, tz, offset)
    result = local_instant(cal(tz), naive.date(), naive.time())
    found = occurrences(tz, naive)
    if found:
        assert result == min(found)
    else:
        # Inside the gap this change opened: the answer is the change itself.
        assert result == change
        assert wall(result, tz) > naive


@given(near_a_change(), weeks, st.integers(min_value=1, max_value=8))
def test_add_working_days_near_clock_changes(
    case: tuple[ZoneInfo, datetime, timedelta], working: frozenset[int], days: int
) -> None:
    tz, change, offset = case
    calendar = cal(tz, working)
    # Start some days earlier at the wall time found near the change, so landings hit it.
    target = wall_before(change, tz, offset)
    start = local_instant(calendar, target.date() - timedelta(days=days), target.time())
    result = add_working_days(calendar, start, days)
    start_wall, result_wall = wall(start, tz), wall(result, tz)
    assert result > start
    assert is_working_day(calendar, result_wall.date())
    expected = datetime.combine(result_wall.date(), start_wall.time())
    if exists(tz, expected):
        assert result == min(occurrences(tz, expected))
    else:
        assert result_wall > expected


@given(
    near_a_change(),
    weeks,
    st.integers(min_value=0, max_value=3 * 3600),
    st.integers(min_value=-2, max_value=10),
)
def test_working_days_left_near_clock_changes(
    case: tuple[ZoneInfo, datetime, timedelta],
    working: frozenset[int],
    step_seconds: int,
    due_offset: int,
) -> None:
    tz, change, offset = case
    now = change + offset
    # A day end at the wall time of the change itself, so "before day end" is tested there.
    day_end = wall_before(change, tz, timedelta(0)).time()
    if day_end == time(0, 0):
        day_end = time(0, 30)
    calendar = WorkCalendar(tz, working_days=working, day_start=time(0, 0), day_end=day_end)
    due = wall(now, tz).date() + timedelta(days=due_offset)
    earlier = working_days_left(calendar, now, due)
    later = working_days_left(calendar, now + timedelta(seconds=step_seconds), due)
    assert 0 <= later <= earlier


def test_working_hours_skip_evenings_and_weekends() -> None:
    london = WorkCalendar(tz=ZoneInfo("Europe/London"))
    friday_3pm = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    assert add_working_hours(london, friday_3pm, 4) == datetime(2026, 3, 9, 10, 30, tzinfo=UTC)
    morning = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    assert add_working_hours(london, morning, 4) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    night = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
    assert add_working_hours(london, night, 1) == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_away_days_are_not_working_days() -> None:
    away = WorkCalendar(tz=ZoneInfo("UTC"), away=(date(2026, 3, 9), date(2026, 3, 11)))
    assert not is_working_day(away, date(2026, 3, 10))
    assert is_working_day(away, date(2026, 3, 12))
    monday = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    # Mon-Wed away: Thursday and Friday are left of that week.
    assert working_days_left(away, monday, date(2026, 3, 13)) == 2
    assert add_working_hours(away, monday, 1) == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
