"""Feedback rounds: what a lead may see of their surveys, and the measures per lead.

Pure rules, no I/O. A *round* is one survey occasion: a closed project (every owner who
worked on it is asked) or an accepted task outside any project (its owner is asked). The
lead answers a self-assessment in the same round.

Anonymity (issue 5, item 6) is k-anonymity over the answers given without a name:
- anonymity is offered only when at least `threshold` owners were asked; under that the
  owner is told the lead will know who answered, and the answer is stored as named;
- an anonymous answer reaches the lead only when the round holds at least `threshold`
  anonymous answers; fewer are held back entirely (no scores, no comments, not even in the
  averages, where subtracting the named scores would reveal them) and only their number is
  reported;
- released anonymous answers carry no respondent, no time, and are ordered by content, so
  neither ordering nor timestamps tell who wrote what.
Every report, export and measure goes through `released()`, so the rule lives here once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from bot.domain.types import RhythmFit, SurveyKind

DEFAULT_ANONYMITY_THRESHOLD = 3
# The owner's three ratings and the lead's two, in the order reports show them.
OWNER_SCORES: tuple[str, ...] = ("clarity", "skills_fit", "challenge")
LEAD_SCORES: tuple[str, ...] = ("clarity", "skills_fit")
# The owner's free-text questions, in the order the modal asks them.
TEXT_FIELDS: tuple[str, ...] = ("problems", "lead_better", "smoother", "other")


@dataclass(frozen=True)
class Answer:
    """One submitted survey, owner's or the lead's own; scores 1-5, texts possibly empty."""

    respondent: str  # Slack user id
    kind: SurveyKind
    clarity: int | None
    skills_fit: int | None
    challenge: int | None
    rhythm_fit: RhythmFit | None
    submitted_at: dt.datetime
    problems: str = ""
    lead_better: str = ""  # the lead's self-assessment keeps "what I would do differently" here
    smoother: str = ""
    other: str = ""
    show_name: bool = False


@dataclass(frozen=True)
class Round:
    """One feedback round as stored: who was asked, what came back."""

    label: str  # the project's name or the task's title
    closed_on: dt.date
    asked: int  # owners asked (the lead's self-assessment not counted)
    answers: tuple[Answer, ...]  # owners' answers only
    self_answer: Answer | None = None


@dataclass(frozen=True)
class Scores:
    """Average ratings, one decimal; None where nobody's released answer gave one."""

    clarity: float | None = None
    skills_fit: float | None = None
    challenge: float | None = None


@dataclass(frozen=True)
class RhythmCounts:
    """How many released answers found the check-in rhythm too often / right / too rare."""

    too_often: int = 0
    about_right: int = 0
    too_rare: int = 0


@dataclass(frozen=True)
class Comment:
    """One free-text answer; `author` is a Slack user id only when the writer chose a name."""

    question: str  # one of TEXT_FIELDS
    text: str
    author: str | None


@dataclass(frozen=True)
class RoundReport:
    """What the lead is shown about one round."""

    label: str
    closed_on: dt.date
    asked: int
    answered: int  # answers included below (named + released anonymous)
    held_back: int  # anonymous answers withheld because too few were anonymous
    scores: Scores
    rhythm: RhythmCounts
    comments: tuple[Comment, ...]  # by question, then named before anonymous, then text
    named: tuple[str, ...]  # respondents who showed their name, sorted
    self_assessment: Answer | None


def offers_anonymity(asked: int, threshold: int) -> bool:
    """Whether owners in a round of `asked` may answer without their name."""
    return asked >= threshold


_RHYTHM_ORDER: tuple[RhythmFit, ...] = (
    RhythmFit.TOO_OFTEN,
    RhythmFit.ABOUT_RIGHT,
    RhythmFit.TOO_RARE,
)

_ContentKey = tuple[str, int, int, int, int, str, str, str, str]


def _score_key(score: int | None) -> int:
    """A sort key for an optional score: missing first, then by value."""
    return -1 if score is None else score


def _content_key(answer: Answer) -> _ContentKey:
    """A total order over what an answer says, blind to who gave it and when."""
    rhythm = -1 if answer.rhythm_fit is None else _RHYTHM_ORDER.index(answer.rhythm_fit)
    return (
        answer.kind.value,
        _score_key(answer.clarity),
        _score_key(answer.skills_fit),
        _score_key(answer.challenge),
        rhythm,
        answer.problems,
        answer.lead_better,
        answer.smoother,
        answer.other,
    )


def _named_key(answer: Answer) -> tuple[str, _ContentKey, dt.datetime]:
    """Sort key of a named answer: respondent, then content, then time as a last resort."""
    return (answer.respondent, _content_key(answer), answer.submitted_at)


def round_close(closed_on: dt.date) -> dt.datetime:
    """The instant that stands in for every released anonymous answer's time: midnight UTC."""
    return dt.datetime.combine(closed_on, dt.time(0), dt.UTC)


def _anonymous(round_: Round) -> list[Answer]:
    """The round's owner answers given without a name, as stored."""
    return [answer for answer in round_.answers if not answer.show_name]


def released(round_: Round, threshold: int) -> tuple[Answer, ...]:
    """The owner answers a lead may see: named ones, plus anonymous ones when enough.

    Anonymous answers come back with respondent "" and submitted_at replaced by the round's
    close (midnight UTC of closed_on), in a content-based order; named ones sorted by
    respondent then content.
    """
    named = sorted((answer for answer in round_.answers if answer.show_name), key=_named_key)
    hidden = _anonymous(round_)
    if len(hidden) < threshold:
        return tuple(named)
    close = round_close(round_.closed_on)
    stripped = [replace(answer, respondent="", submitted_at=close) for answer in hidden]
    return (*named, *sorted(stripped, key=_content_key))


def _round_half_up(value: Fraction) -> float:
    """`value` to one decimal, halves away from zero (2.25 -> 2.3), as a float."""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    return math.copysign(tenths / 10, value)


def _average(values: Sequence[int]) -> float | None:
    """The mean of `values` to one decimal, or None when there are none."""
    if not values:
        return None
    return _round_half_up(Fraction(sum(values), len(values)))


def _scores(answers: Sequence[Answer]) -> Scores:
    """Average clarity, skills fit and challenge over `answers`, skipping missing ratings."""

    def mean_of(pick: Callable[[Answer], int | None]) -> float | None:
        """The average of one rating over the answers that gave it."""
        return _average([v for v in (pick(a) for a in answers) if v is not None])

    return Scores(
        clarity=mean_of(lambda a: a.clarity),
        skills_fit=mean_of(lambda a: a.skills_fit),
        challenge=mean_of(lambda a: a.challenge),
    )


def _rhythm_counts(answers: Sequence[Answer]) -> RhythmCounts:
    """How many of `answers` gave each verdict on the check-in rhythm."""
    fits = [answer.rhythm_fit for answer in answers]
    return RhythmCounts(
        too_often=fits.count(RhythmFit.TOO_OFTEN),
        about_right=fits.count(RhythmFit.ABOUT_RIGHT),
        too_rare=fits.count(RhythmFit.TOO_RARE),
    )


def _comments(answers: Sequence[Answer]) -> tuple[Comment, ...]:
    """Every non-blank free-text answer, by question, named before anonymous, then text."""
    found = [
        Comment(
            question=question,
            text=text,
            author=answer.respondent if answer.show_name else None,
        )
        for answer in answers
        for question in TEXT_FIELDS
        if (text := str(getattr(answer, question)).strip())
    ]
    return tuple(
        sorted(
            found,
            key=lambda c: (TEXT_FIELDS.index(c.question), c.author is None, c.text, c.author or ""),
        )
    )


def round_report(round_: Round, threshold: int) -> RoundReport:
    """The report of one round, built only from `released()` answers."""
    shown = released(round_, threshold)
    hidden = len(_anonymous(round_))
    return RoundReport(
        label=round_.label,
        closed_on=round_.closed_on,
        asked=round_.asked,
        answered=len(shown),
        held_back=hidden if hidden < threshold else 0,
        scores=_scores(shown),
        rhythm=_rhythm_counts(shown),
        comments=_comments(shown),
        named=tuple(sorted({answer.respondent for answer in shown if answer.show_name})),
        self_assessment=round_.self_answer,
    )


def _weighted(pairs: Sequence[tuple[float | None, int]]) -> float | None:
    """The mean of (average, weight) pairs weighted by weight, skipping None and weight 0."""
    used = [(Fraction(str(avg)), weight) for avg, weight in pairs if avg is not None and weight > 0]
    total = sum(weight for _, weight in used)
    if total == 0:
        return None
    return _round_half_up(sum((avg * weight for avg, weight in used), Fraction(0)) / total)


def overall_scores(reports: Sequence[RoundReport]) -> Scores:
    """Averages across rounds, each round weighted by the answers it contributed."""
    return Scores(
        clarity=_weighted([(r.scores.clarity, r.answered) for r in reports]),
        skills_fit=_weighted([(r.scores.skills_fit, r.answered) for r in reports]),
        challenge=_weighted([(r.scores.challenge, r.answered) for r in reports]),
    )


@dataclass(frozen=True)
class TaskFacts:
    """What the measures need of one task of the lead."""

    created_at: dt.datetime
    activated_at: dt.datetime | None  # the lead approved the owner's restatement
    due_at: dt.datetime
    done_at: dt.datetime | None  # the owner said done
    completed: bool  # the lead accepted it
    went_at_risk: bool  # any at-risk or blocked answer while it ran


@dataclass(frozen=True)
class LeadMeasures:
    """Per-lead figures for the results DM, /delegate feedback and the export."""

    delegations: int  # tasks approved (activated) in the period
    completed: int
    on_time_rate: float | None  # completed tasks whose done_at <= due_at, share 0-1
    median_to_approval: dt.timedelta | None  # created_at -> activated_at
    checkin_answer_rate: float | None  # check-ins answered / check-ins sent, 0-1
    at_risk_share: float | None  # activated tasks that went at risk or blocked, 0-1
    scores: Scores  # average survey scores (released answers only)


def lead_measures(
    tasks: Sequence[TaskFacts],
    *,
    checkins_sent: int,
    checkins_answered: int,
    reports: Sequence[RoundReport],
) -> LeadMeasures:
    """The lead's measures from their tasks, check-in counts and round reports."""
    activated = [task for task in tasks if task.activated_at is not None]
    completed = [task for task in tasks if task.completed]
    done_dates = [(task.done_at, task.due_at) for task in completed if task.done_at is not None]
    on_time = sum(done_at <= due_at for done_at, due_at in done_dates)
    waits = [task.activated_at - task.created_at for task in tasks if task.activated_at is not None]
    return LeadMeasures(
        delegations=len(activated),
        completed=len(completed),
        on_time_rate=_share(on_time, len(done_dates)),
        median_to_approval=median_duration(waits),
        checkin_answer_rate=(
            None if checkins_sent <= 0 else min(1.0, checkins_answered / checkins_sent)
        ),
        at_risk_share=_share(sum(task.went_at_risk for task in activated), len(activated)),
        scores=overall_scores(reports),
    )


def _share(part: int, whole: int) -> float | None:
    """`part / whole`, or None when `whole` is 0."""
    return None if whole == 0 else part / whole


def median_duration(durations: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The median of `durations` (mean of the middle two when even), None when empty."""
    if not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
