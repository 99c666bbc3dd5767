"""The adaptive rhythm: relax after three on-track answers, daily while at risk or blocked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.rhythm import RELAX_AFTER, RULES_TEXT, RhythmState, adapt, describe_change
from bot.domain.types import CheckinAnswer, Rhythm
from bot.services.checkins import MISSED_BEFORE_LEAD, OVERDUE_ROUNDS, RENUDGE_AFTER_HOURS

ON, RISK, BLOCKED, DONE = (
    CheckinAnswer.ON_TRACK,
    CheckinAnswer.AT_RISK,
    CheckinAnswer.BLOCKED,
    CheckinAnswer.DONE,
)


def _run(rhythm: Rhythm, *answers: CheckinAnswer) -> RhythmState:
    """The state after answering in order from a fresh task."""
    state = RhythmState(rhythm)
    for answer in answers:
        state = adapt(state, answer).state
    return state


def test_three_on_track_answers_relax_one_step_at_a_time() -> None:
    assert _run(Rhythm.DAILY, ON, ON).rhythm is Rhythm.DAILY
    assert _run(Rhythm.DAILY, ON, ON, ON).rhythm is Rhythm.TWICE_WEEKLY
    assert _run(Rhythm.DAILY, *[ON] * 5).rhythm is Rhythm.TWICE_WEEKLY
    assert _run(Rhythm.DAILY, *[ON] * 6).rhythm is Rhythm.WEEKLY
    assert _run(Rhythm.DAILY, *[ON] * 30).rhythm is Rhythm.WEEKLY


def test_before_checkpoints_never_changes_on_good_news() -> None:
    assert _run(Rhythm.BEFORE_CHECKPOINTS, *[ON] * 9).rhythm is Rhythm.BEFORE_CHECKPOINTS


def test_risk_tightens_to_daily_until_on_track_then_restores() -> None:
    tightened = _run(Rhythm.WEEKLY, RISK)
    assert (tightened.rhythm, tightened.tightened_from) == (Rhythm.DAILY, Rhythm.WEEKLY)
    still = _run(Rhythm.WEEKLY, RISK, BLOCKED, RISK)
    assert (still.rhythm, still.tightened_from) == (Rhythm.DAILY, Rhythm.WEEKLY)
    back = adapt(still, ON)
    assert (back.state.rhythm, back.change) == (Rhythm.WEEKLY, "restored")
    assert back.state.tightened_from is None


def test_a_risk_breaks_the_streak() -> None:
    assert _run(Rhythm.DAILY, ON, ON, RISK, ON, ON).rhythm is Rhythm.DAILY
    assert _run(Rhythm.DAILY, ON, ON, RISK, ON, ON, ON).rhythm is Rhythm.TWICE_WEEKLY


def test_done_changes_nothing() -> None:
    state = RhythmState(Rhythm.TWICE_WEEKLY, 2)
    assert adapt(state, DONE).state == state


def test_each_change_is_explained_to_the_owner() -> None:
    relaxed = adapt(RhythmState(Rhythm.DAILY, 2), ON)
    assert describe_change(relaxed) == (
        "Three on-track answers in a row: I'll check in twice a week from now on."
    )
    assert "every working day" in str(describe_change(adapt(RhythmState(Rhythm.WEEKLY), RISK)))
    assert describe_change(adapt(RhythmState(Rhythm.WEEKLY), ON)) is None


@given(
    st.sampled_from(list(Rhythm)),
    st.lists(st.sampled_from([ON, RISK, BLOCKED, DONE]), max_size=40),
)
def test_never_looser_than_weekly_and_daily_whenever_the_last_news_was_bad(
    start: Rhythm, answers: list[CheckinAnswer]
) -> None:
    state = RhythmState(start)
    for answer in answers:
        state = adapt(state, answer).state
        if start is not Rhythm.BEFORE_CHECKPOINTS or state.tightened_from is not None:
            assert state.rhythm in (Rhythm.DAILY, Rhythm.TWICE_WEEKLY, Rhythm.WEEKLY)
        if answer in (RISK, BLOCKED):
            assert state.rhythm is Rhythm.DAILY
        assert 0 <= state.streak < 3 or state.rhythm in (Rhythm.WEEKLY, Rhythm.BEFORE_CHECKPOINTS)


def test_the_rules_shown_to_the_owner_match_the_rules_applied() -> None:
    assert f"after {RELAX_AFTER} on-track answers" in RULES_TEXT
    assert f"after {RENUDGE_AFTER_HOURS} working hours" in RULES_TEXT
    assert f"after {MISSED_BEFORE_LEAD} missed in a row" in RULES_TEXT
    assert f"on up to {OVERDUE_ROUNDS} working days" in RULES_TEXT
