"""Feedback rounds: k-anonymity of released answers, round reports and the lead's measures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from statistics import mean

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.export import SURVEY_COLUMNS, csv_text, survey_rows
from bot.domain.feedback import (
    DEFAULT_ANONYMITY_THRESHOLD,
    OWNER_SCORES,
    Answer,
    Comment,
    LeadMeasures,
    RhythmCounts,
    Round,
    RoundReport,
    Scores,
    TaskFacts,
    lead_measures,
    median_duration,
    offers_anonymity,
    overall_scores,
    released,
    round_close,
    round_report,
)
from bot.domain.types import RhythmFit, SurveyKind

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSED = date(2026, 3, 6)
MIDNIGHT = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
LEAD = "W0"  # never a substring of an owner id below
OWNERS: tuple[str, ...] = tuple(f"U{i}" for i in range(1, 10))


def owner(
    respondent: str,
    *,
    clarity: int | None = 4,
    skills_fit: int | None = 4,
    challenge: int | None = 3,
    rhythm: RhythmFit | None = RhythmFit.ABOUT_RIGHT,
    named: bool = False,
    at: datetime = T0,
    problems: str = "",
    lead_better: str = "",
    smoother: str = "",
    other: str = "",
) -> Answer:
    """An owner's answer with ordinary defaults."""
    return Answer(
        respondent=respondent,
        kind=SurveyKind.OWNER,
        clarity=clarity,
        skills_fit=skills_fit,
        challenge=challenge,
        rhythm_fit=rhythm,
        submitted_at=at,
        problems=problems,
        lead_better=lead_better,
        smoother=smoother,
        other=other,
        show_name=named,
    )


SELF = Answer(
    respondent=LEAD,
    kind=SurveyKind.LEAD_SELF,
    clarity=3,
    skills_fit=5,
    challenge=None,
    rhythm_fit=None,
    submitted_at=T0,
    lead_better="write the brief earlier",
)


def make_round(
    *answers: Answer, asked: int | None = None, self_answer: Answer | None = None
) -> Round:
    """A round closed on CLOSED holding `answers`."""
    return Round(
        label="Launch",
        closed_on=CLOSED,
        asked=len(answers) if asked is None else asked,
        answers=answers,
        self_answer=self_answer,
    )


def survey_csv(round_: Round, threshold: int) -> str:
    """The survey export of one round as CSV text."""
    return csv_text(SURVEY_COLUMNS, survey_rows([round_], threshold))


# --- examples -----------------------------------------------------------------------------


def test_anonymity_is_offered_from_the_threshold_up() -> None:
    """Under the threshold owners must answer with their name."""
    assert not offers_anonymity(2, 3)
    assert offers_anonymity(3, 3)
    assert offers_anonymity(7, 3)
    assert not offers_anonymity(0, DEFAULT_ANONYMITY_THRESHOLD)


def test_round_close_is_midnight_utc() -> None:
    """Released anonymous answers are stamped with the round's close."""
    assert round_close(CLOSED) == MIDNIGHT


def test_too_few_anonymous_answers_are_held_back_entirely() -> None:
    """Two anonymous answers under a threshold of three are not released at all."""
    round_ = make_round(
        owner("U2", clarity=1, problems="late"),
        owner("U1", clarity=5, named=True),
        owner("U3", clarity=2),
    )
    assert released(round_, 3) == (owner("U1", clarity=5, named=True),)


def test_enough_anonymous_answers_are_released_stripped_and_ordered_by_content() -> None:
    """At the threshold, anonymous answers lose respondent and time and sort by content."""
    round_ = make_round(
        owner("U5", clarity=3, at=T0 + timedelta(hours=1)),
        owner("U4", clarity=None, at=T0 + timedelta(hours=2)),
        owner("U9", named=True, problems="b"),
        owner("U6", clarity=2, other="z", at=T0 + timedelta(hours=3)),
        owner("U1", named=True, problems="a"),
    )
    shown = released(round_, 3)
    assert [a.respondent for a in shown] == ["U1", "U9", "", "", ""]
    assert [a.clarity for a in shown[2:]] == [None, 2, 3]
    assert all(a.submitted_at == MIDNIGHT for a in shown[2:])
    assert all(a.submitted_at == T0 for a in shown[:2])
    assert shown[3].other == "z"


def test_content_order_breaks_ties_on_later_fields() -> None:
    """Anonymous answers equal in scores are ordered by rhythm, then by text."""
    round_ = make_round(
        owner("U1", rhythm=RhythmFit.TOO_RARE),
        owner("U2", smoother="b"),
        owner("U3", smoother="a"),
        owner("U4", rhythm=None),
    )
    shown = released(round_, 2)
    assert [(a.rhythm_fit, a.smoother) for a in shown] == [
        (None, ""),
        (RhythmFit.ABOUT_RIGHT, "a"),
        (RhythmFit.ABOUT_RIGHT, "b"),
        (RhythmFit.TOO_RARE, ""),
    ]


def test_named_answers_sort_by_respondent_then_content_not_time() -> None:
    """Two named answers of one person come back in content order, whatever their times."""
    later_low = owner("U2", clarity=1, named=True, at=T0 + timedelta(days=1))
    early_high = owner("U2", clarity=5, named=True, at=T0)
    first = owner("U1", clarity=3, named=True, at=T0 + timedelta(days=2))
    assert released(make_round(early_high, first, later_low), 3) == (first, later_low, early_high)


def test_round_report_with_released_anonymous_answers() -> None:
    """Averages round halves up, comments sort by question, name, text."""
    round_ = make_round(
        owner("U3", clarity=2, challenge=None, rhythm=RhythmFit.TOO_OFTEN, problems=" slow  "),
        owner("U1", clarity=2, challenge=None, named=True, other="thanks", problems="scope"),
        owner("U2", clarity=2, challenge=None, rhythm=None, problems="  "),
        owner("U4", clarity=3, challenge=None, rhythm=RhythmFit.TOO_OFTEN, problems="auth"),
        asked=5,
        self_answer=SELF,
    )
    report = round_report(round_, 3)
    assert report == RoundReport(
        label="Launch",
        closed_on=CLOSED,
        asked=5,
        answered=4,
        held_back=0,
        scores=Scores(clarity=2.3, skills_fit=4.0, challenge=None),
        rhythm=RhythmCounts(too_often=2, about_right=1, too_rare=0),
        comments=(
            Comment("problems", "scope", "U1"),
            Comment("problems", "auth", None),
            Comment("problems", "slow", None),
            Comment("other", "thanks", "U1"),
        ),
        named=("U1",),
        self_assessment=SELF,
    )


def test_round_report_holds_back_scores_and_comments_of_too_few_anonymous() -> None:
    """Held-back answers count only in held_back, not in averages, rhythm or comments."""
    round_ = make_round(
        owner("U1", clarity=5, named=True, lead_better="more context"),
        owner("U2", clarity=5, named=True, rhythm=RhythmFit.TOO_RARE),
        owner("U3", clarity=1, rhythm=RhythmFit.TOO_OFTEN, problems="secret"),
        owner("U4", clarity=1, smoother="secret too"),
        asked=6,
    )
    report = round_report(round_, 3)
    assert (report.answered, report.held_back) == (2, 2)
    assert report.scores.clarity == 5.0
    assert report.rhythm == RhythmCounts(too_often=0, about_right=1, too_rare=1)
    assert report.comments == (Comment("lead_better", "more context", "U1"),)
    assert report.named == ("U1", "U2")
    assert report.self_assessment is None
    assert "U3" not in repr(report) and "U4" not in repr(report)


def test_round_report_of_an_empty_round() -> None:
    """No answers: nothing averaged, nothing held back."""
    report = round_report(make_round(asked=4), 3)
    assert report.scores == Scores()
    assert (report.answered, report.held_back, report.comments, report.named) == (0, 0, (), ())


def _report(answered: int, **scores: float | None) -> RoundReport:
    """A round report that only matters for its scores and answer count."""
    return RoundReport(
        label="r",
        closed_on=CLOSED,
        asked=answered,
        answered=answered,
        held_back=0,
        scores=Scores(**scores),
        rhythm=RhythmCounts(),
        comments=(),
        named=(),
        self_assessment=None,
    )


def test_overall_scores_weight_rounds_by_answers() -> None:
    """A round of three counts three times a round of one; missing averages are skipped."""
    reports = [
        _report(3, clarity=4.0, skills_fit=3.3, challenge=None),
        _report(1, clarity=2.0, skills_fit=None, challenge=None),
        _report(0, clarity=None, skills_fit=None, challenge=None),
    ]
    assert overall_scores(reports) == Scores(clarity=3.5, skills_fit=3.3, challenge=None)
    assert overall_scores([_report(1, clarity=2.2), _report(1, clarity=2.3)]).clarity == 2.3
    assert overall_scores([]) == Scores()


def test_median_duration() -> None:
    """Odd counts take the middle; even ones the mean of the middle two."""
    hour = timedelta(hours=1)
    assert median_duration([]) is None
    assert median_duration([5 * hour, hour, 3 * hour]) == 3 * hour
    assert median_duration([4 * hour, hour, 2 * hour, 9 * hour]) == 3 * hour


def _task(
    *,
    approved_after: timedelta | None = timedelta(hours=2),
    done_after: timedelta | None = None,
    completed: bool = False,
    at_risk: bool = False,
) -> TaskFacts:
    """A task created at T0 and due five days later."""
    return TaskFacts(
        created_at=T0,
        activated_at=None if approved_after is None else T0 + approved_after,
        due_at=T0 + timedelta(days=5),
        done_at=None if done_after is None else T0 + done_after,
        completed=completed,
        went_at_risk=at_risk,
    )


def test_lead_measures() -> None:
    """Counts, rates over the right denominators, the median wait and the scores."""
    tasks = [
        _task(approved_after=timedelta(hours=1), done_after=timedelta(days=4), completed=True),
        _task(approved_after=timedelta(hours=3), done_after=timedelta(days=6), completed=True),
        _task(approved_after=timedelta(hours=10), done_after=timedelta(days=5), completed=True),
        _task(approved_after=timedelta(hours=4), at_risk=True),
        _task(approved_after=None),
        _task(approved_after=timedelta(hours=2), completed=True),  # accepted, no done_at
    ]
    reports = [_report(2, clarity=4.0)]
    measures = lead_measures(tasks, checkins_sent=8, checkins_answered=6, reports=reports)
    assert measures == LeadMeasures(
        delegations=5,
        completed=4,
        on_time_rate=2 / 3,
        median_to_approval=timedelta(hours=3),
        checkin_answer_rate=0.75,
        at_risk_share=0.2,
        scores=Scores(clarity=4.0),
    )


def test_lead_measures_without_denominators() -> None:
    """Nothing to divide by gives None, and the answer rate never passes 1."""
    measures = lead_measures(
        [_task(approved_after=None)], checkins_sent=0, checkins_answered=0, reports=[]
    )
    assert (measures.delegations, measures.completed) == (0, 0)
    assert measures.on_time_rate is None
    assert measures.median_to_approval is None
    assert measures.checkin_answer_rate is None
    assert measures.at_risk_share is None
    assert measures.scores == Scores()
    capped = lead_measures([], checkins_sent=2, checkins_answered=3, reports=[])
    assert capped.checkin_answer_rate == 1.0


# --- properties of the anonymity rule -----------------------------------------------------

SCORE = st.none() | st.integers(1, 5)
TEXT = st.text(alphabet="ab =-@\t\n", max_size=4)  # no letter or digit of an id
INSTANT = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)


@st.composite
def answers(draw: st.DrawFn, respondent: str, named: bool | None = None) -> Answer:
    """An owner's answer by `respondent`, named or not as drawn unless given."""
    return owner(
        respondent,
        clarity=draw(SCORE),
        skills_fit=draw(SCORE),
        challenge=draw(SCORE),
        rhythm=draw(st.none() | st.sampled_from(RhythmFit)),
        named=draw(st.booleans()) if named is None else named,
        at=draw(INSTANT),
        problems=draw(TEXT),
        lead_better=draw(TEXT),
        smoother=draw(TEXT),
        other=draw(TEXT),
    )


@st.composite
def rounds(draw: st.DrawFn) -> tuple[Round, int]:
    """A round of distinct owners answering named or not, and a threshold of 2 to 5."""
    threshold = draw(st.integers(2, 5))
    ids = draw(st.lists(st.sampled_from(OWNERS), unique=True, max_size=len(OWNERS)))
    given_answers = tuple(draw(answers(respondent)) for respondent in ids)
    self_answer = draw(st.none() | st.builds(replace, st.just(SELF), submitted_at=INSTANT))
    round_ = Round(
        label="Launch",
        closed_on=draw(st.dates(date(2025, 1, 1), date(2027, 1, 1))),
        asked=draw(st.integers(len(ids), 12)),
        answers=given_answers,
        self_answer=self_answer,
    )
    return round_, threshold


def _anonymous(round_: Round) -> list[Answer]:
    """The round's answers given without a name."""
    return [a for a in round_.answers if not a.show_name]


def _expected_released(round_: Round, threshold: int) -> list[Answer]:
    """The answers the rule allows, computed independently of `released()`."""
    named = [a for a in round_.answers if a.show_name]
    hidden = _anonymous(round_)
    return named + (hidden if len(hidden) >= threshold else [])


@given(rounds())
def test_anonymous_ids_never_reach_the_lead(drawn: tuple[Round, int]) -> None:
    """(a) An anonymous respondent's id is in neither the report nor the survey export."""
    round_, threshold = drawn
    report_text = repr(round_report(round_, threshold))
    export_text = survey_csv(round_, threshold)
    named_ids = {a.respondent for a in round_.answers if a.show_name}
    for answer in _anonymous(round_):
        assert answer.respondent not in named_ids
        assert answer.respondent not in report_text
        assert answer.respondent not in export_text
    for respondent in named_ids:
        assert respondent in report_text and respondent in export_text


@given(rounds())
def test_released_anonymous_answers_carry_no_name_and_no_time(drawn: tuple[Round, int]) -> None:
    """(a) Released anonymous answers have an empty respondent and the round's close."""
    round_, threshold = drawn
    for answer in released(round_, threshold):
        if not answer.show_name:
            assert answer.respondent == ""
            assert answer.submitted_at == round_close(round_.closed_on)


@given(rounds(), st.data())
def test_who_and_when_of_anonymous_answers_and_input_order_change_nothing(
    drawn: tuple[Round, int], data: st.DataObject
) -> None:
    """(b) Swapping anonymous ids and times, or shuffling answers, leaves every view alone."""
    round_, threshold = drawn
    disguised = tuple(
        a
        if a.show_name
        else replace(
            a,
            respondent=data.draw(st.sampled_from((*OWNERS, "U0", "X7"))),
            submitted_at=data.draw(INSTANT),
        )
        for a in round_.answers
    )
    shuffled = replace(round_, answers=tuple(data.draw(st.permutations(disguised))))
    assert released(shuffled, threshold) == released(round_, threshold)
    assert round_report(shuffled, threshold) == round_report(round_, threshold)
    assert survey_csv(shuffled, threshold) == survey_csv(round_, threshold)


@given(rounds(), st.data())
def test_held_back_contents_do_not_matter(drawn: tuple[Round, int], data: st.DataObject) -> None:
    """(c) Under the threshold, what anonymous owners wrote changes nothing but held_back."""
    round_, threshold = drawn
    named = [a for a in round_.answers if a.show_name]
    few = _anonymous(round_)[: threshold - 1]
    base = replace(round_, answers=(*named, *few))
    rewritten = replace(
        base,
        answers=(
            *named,
            *(data.draw(answers(data.draw(st.sampled_from(OWNERS)), named=False)) for _ in few),
        ),
    )
    report = round_report(base, threshold)
    assert report.held_back == len(few)
    assert round_report(rewritten, threshold) == report
    assert survey_csv(rewritten, threshold) == survey_csv(base, threshold)
    without = round_report(replace(base, answers=tuple(named)), threshold)
    assert without == replace(report, held_back=0)


@given(rounds())
def test_every_answer_is_either_counted_or_held_back(drawn: tuple[Round, int]) -> None:
    """(d) answered + held_back is the number of answers."""
    round_, threshold = drawn
    report = round_report(round_, threshold)
    assert report.answered + report.held_back == len(round_.answers)
    assert report.answered == len(released(round_, threshold))


@given(rounds())
def test_averages_are_the_means_of_released_scores(drawn: tuple[Round, int]) -> None:
    """(e) Each average lies in 1..5 and is the released scores' mean to one decimal."""
    round_, threshold = drawn
    report = round_report(round_, threshold)
    included = _expected_released(round_, threshold)
    for field in OWNER_SCORES:
        average = getattr(report.scores, field)
        values = [getattr(a, field) for a in included if getattr(a, field) is not None]
        if not values:
            assert average is None
            continue
        assert 1 <= average <= 5
        assert abs(average - mean(values)) <= 0.05 + 1e-9
        assert round(average, 1) == average


@given(rounds())
def test_comments_are_exactly_the_released_texts(drawn: tuple[Round, int]) -> None:
    """Comments hold every non-blank released text once and nothing held back."""
    round_, threshold = drawn
    report = round_report(round_, threshold)
    expected = sorted(
        (question, text.strip(), a.respondent if a.show_name else "")
        for a in _expected_released(round_, threshold)
        for question in ("problems", "lead_better", "smoother", "other")
        if (text := getattr(a, question)).strip()
    )
    got = sorted((c.question, c.text, c.author or "") for c in report.comments)
    assert got == expected
    rhythm = report.rhythm
    assert rhythm.too_often + rhythm.about_right + rhythm.too_rare <= report.answered
