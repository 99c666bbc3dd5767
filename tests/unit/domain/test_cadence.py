from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.cadence import next_checkin_at, working_day_before
from bot.domain.types import Rhythm
from bot.domain.workdays import WorkCalendar, is_working_day
from bot.services.checkins import checkin_key, scheduled_at

LONDON = WorkCalendar(tz=ZoneInfo("Europe/London"))
TEN = time(10, 0)


def _next(rhythm: Rhythm, after: datetime, due: date, **kwargs: object) -> datetime | None:
    return next_checkin_at(LONDON, at=TEN, rhythm=rhythm, after=after, due=due, **kwargs)  # type: ignore[arg-type]


def _local(instant: datetime | None) -> tuple[date, time] | None:
    if instant is None:
        return None
    local = instant.astimezone(LONDON.tz)
    return local.date(), local.time()


# Monday 23 Nov 2026, 15:00 in London.
MONDAY_AFTERNOON = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
FAR = date(2027, 1, 29)


def test_daily_is_the_next_working_day_at_ten() -> None:
    assert _local(_next(Rhythm.DAILY, MONDAY_AFTERNOON, FAR)) == (date(2026, 11, 24), TEN)
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert _local(_next(Rhythm.DAILY, friday, FAR)) == (date(2026, 11, 30), TEN)


def test_same_day_before_ten_counts() -> None:
    early = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert _local(_next(Rhythm.DAILY, early, FAR)) == (date(2026, 11, 24), TEN)


def test_twice_a_week_is_monday_and_thursday() -> None:
    assert _local(_next(Rhythm.TWICE_WEEKLY, MONDAY_AFTERNOON, FAR)) == (date(2026, 11, 26), TEN)
    thursday_noon = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert _local(_next(Rhythm.TWICE_WEEKLY, thursday_noon, FAR)) == (date(2026, 11, 30), TEN)


def test_twice_a_week_moves_to_the_nearest_working_day() -> None:
    tue_to_sat = WorkCalendar(tz=ZoneInfo("Asia/Kolkata"), working_days=frozenset({1, 2, 3, 4, 5}))
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    found = next_checkin_at(tue_to_sat, at=TEN, rhythm=Rhythm.TWICE_WEEKLY, after=sunday, due=FAR)
    assert found is not None and found.astimezone(tue_to_sat.tz).date() == date(2026, 11, 24)


def test_weekly_is_the_first_working_day_of_the_week() -> None:
    assert _local(_next(Rhythm.WEEKLY, MONDAY_AFTERNOON, FAR)) == (date(2026, 11, 30), TEN)


def test_always_one_the_working_day_before_the_due_date() -> None:
    due_wednesday = date(2026, 11, 25)
    assert _local(_next(Rhythm.WEEKLY, MONDAY_AFTERNOON, due_wednesday)) == (
        date(2026, 11, 24),
        TEN,
    )


def test_before_checkpoints_only() -> None:
    found = _next(Rhythm.BEFORE_CHECKPOINTS, MONDAY_AFTERNOON, FAR, checkpoints=[date(2026, 12, 7)])
    assert _local(found) == (date(2026, 12, 4), TEN)  # the Friday before a Monday checkpoint


def test_nothing_left_before_the_due_date() -> None:
    assert _next(Rhythm.DAILY, MONDAY_AFTERNOON, date(2026, 11, 24)) is None


def test_dst_spring_forward_keeps_the_local_hour() -> None:
    # London springs forward on Sunday 29 March 2026; Monday's 10:00 is 09:00 UTC.
    friday = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    found = _next(Rhythm.DAILY, friday, date(2026, 4, 30))
    assert found == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_working_day_before() -> None:
    assert working_day_before(LONDON, date(2026, 11, 30)) == date(2026, 11, 27)


ZONES = sorted(available_timezones() - {"Factory", "localtime"})


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    rhythm=st.sampled_from(list(Rhythm)),
    after=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    span=st.integers(1, 60),
)
def test_properties(
    zone: str, days: frozenset[int], hour: int, rhythm: Rhythm, after: datetime, span: int
) -> None:
    calendar = WorkCalendar(tz=ZoneInfo(zone), working_days=days)
    due = after.astimezone(calendar.tz).date() + timedelta(days=span)
    found = next_checkin_at(calendar, at=time(hour, 0), rhythm=rhythm, after=after, due=due)
    if found is None:
        return
    local = found.astimezone(calendar.tz)
    assert found > after
    assert local.date() < due
    assert is_working_day(calendar, local.date())
    # The local hour is kept, except when that hour does not exist that day (a DST gap).
    assert local.hour == hour or local.utcoffset() != (local - timedelta(hours=3)).utcoffset()
    again = next_checkin_at(calendar, at=time(hour, 0), rhythm=rhythm, after=found, due=due)
    assert again is None or again > found


def test_checkin_key_round_trips_its_instant() -> None:
    at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert scheduled_at(checkin_key(7, at)) == at
    assert scheduled_at("confirmation-wait:7:1:1") is None
    assert scheduled_at(None) is None
