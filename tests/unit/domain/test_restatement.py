from __future__ import annotations

from datetime import date

from bot.domain.restatement import judge_restatement

BRIEF = (
    "Acme renewal deck",
    "Keep Acme at a flat price; they are weighing a competitor.",
    "A 10-slide deck signed off by finance.",
)
GENUINE = {
    "what": "A short deck that argues for renewing Acme without a price rise, ready for finance.",
    "how": "Pull their usage numbers, compare with the rival's offer, and draft it with Tom.",
    "why": "If Acme walks we lose our biggest logo and the reference it gives us in retail.",
}
TODAY = date(2026, 11, 23)


def _judge(**changes: object) -> dict[str, str]:
    options: dict[str, object] = {
        "own_words": GENUINE,
        "estimate_days": 4.0,
        "due_date_ok": True,
        "proposed_due": None,
        "brief_parts": BRIEF,
        "today": TODAY,
    } | changes
    return judge_restatement(**options).errors  # type: ignore[arg-type]


def test_own_words_with_an_estimate_pass() -> None:
    verdict = judge_restatement(
        own_words=GENUINE,
        estimate_days=4.0,
        due_date_ok=True,
        proposed_due=None,
        brief_parts=BRIEF,
        today=TODAY,
    )
    assert verdict.errors == {}
    assert 0.0 <= verdict.similarity < 0.35


def test_copied_fields_are_refused() -> None:
    copied = GENUINE | {"what": BRIEF[1], "how": BRIEF[2] + " Then some more words here."}
    errors = _judge(own_words=copied)
    assert "what" in errors and "own words" in errors["what"]


def test_missing_or_zero_estimate() -> None:
    assert "estimate" in _judge(estimate_days=None)
    assert "estimate" in _judge(estimate_days=0.0)


def test_a_date_that_does_not_work_needs_a_future_proposal() -> None:
    assert "proposed_date" in _judge(due_date_ok=False)
    assert "proposed_date" in _judge(due_date_ok=False, proposed_due=TODAY)
    assert _judge(due_date_ok=False, proposed_due=date(2026, 12, 9)) == {}
