"""Adaptive check-in rhythm: ask less often while things go well, daily while they do not.

RULES_TEXT also states the escalation rules (nudge, missed, overdue) that the services in
bot/services/checkins.py apply, so the owner reads them before confirming.

Rules (shown to the owner when they confirm a brief):
- three on-track answers in a row relax the rhythm one step: daily, then twice a week, then
  weekly; never beyond weekly (a "before checkpoints" rhythm is already sparse and stays);
- an at-risk or blocked answer tightens it to daily, until the next on-track answer, which
  restores the rhythm it had before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.types import CheckinAnswer, Rhythm

RELAX_AFTER = 3
_LOOSER: dict[Rhythm, Rhythm] = {
    Rhythm.DAILY: Rhythm.TWICE_WEEKLY,
    Rhythm.TWICE_WEEKLY: Rhythm.WEEKLY,
}
RHYTHM_WORDS: dict[Rhythm, str] = {
    Rhythm.DAILY: "every working day",
    Rhythm.TWICE_WEEKLY: "twice a week",
    Rhythm.WEEKLY: "once a week",
    Rhythm.BEFORE_CHECKPOINTS: "the working day before each checkpoint",
}
RULES_TEXT = (
    "How check-ins adapt: after 3 on-track answers in a row I ask less often "
    "(daily, then twice a week, then weekly). If you say at risk or blocked, I ask every "
    "working day until you are on track again, then go back to the rhythm before. "
    "An unanswered check-in gets one nudge after 4 working hours; after 2 missed in a row "
    'your lead is told. After the due date I ask "Done or new date?" on up to 3 working '
    "days, and your lead is told. Snooze or out-of-office dates pause all of this."
)

Change = Literal["relaxed", "tightened", "restored"]


@dataclass(frozen=True)
class RhythmState:
    """A task's current rhythm, its run of on-track answers, and the rhythm to go back to."""

    rhythm: Rhythm
    streak: int = 0
    tightened_from: Rhythm | None = None


@dataclass(frozen=True)
class Adapted:
    """The state after one answer, and what changed (None: the rhythm stayed)."""

    state: RhythmState
    change: Change | None = None


def adapt(state: RhythmState, answer: CheckinAnswer) -> Adapted:
    """Apply one answer to the rhythm rules."""
    if answer is CheckinAnswer.DONE:
        return Adapted(state)
    if answer is not CheckinAnswer.ON_TRACK:
        if state.rhythm is Rhythm.DAILY:
            return Adapted(RhythmState(Rhythm.DAILY, 0, state.tightened_from))
        return Adapted(RhythmState(Rhythm.DAILY, 0, state.rhythm), "tightened")
    if state.tightened_from is not None:
        return Adapted(RhythmState(state.tightened_from, 0, None), "restored")
    streak = state.streak + 1
    looser = _LOOSER.get(state.rhythm)
    if streak >= RELAX_AFTER and looser is not None:
        return Adapted(RhythmState(looser, 0, None), "relaxed")
    return Adapted(RhythmState(state.rhythm, streak, None))


def describe_change(adapted: Adapted) -> str | None:
    """One sentence for the owner about a rhythm change, or None."""
    words = RHYTHM_WORDS[adapted.state.rhythm]
    if adapted.change == "relaxed":
        return f"Three on-track answers in a row: I'll check in {words} from now on."
    if adapted.change == "tightened":
        return "I'll check in every working day until you're on track again."
    if adapted.change == "restored":
        return f"Glad it's back on track: I'll check in {words} again."
    return None
