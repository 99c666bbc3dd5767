"""Rules for an owner's restatement: their own words, a real estimate, a workable date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.similarity import brief_text_of, check_restatement, containment

ESTIMATE_BLOCK, PROPOSED_DATE_BLOCK = "estimate", "proposed_date"


@dataclass(frozen=True)
class RestatementVerdict:
    """Errors by block id (empty means accepted) and the whole restatement's copy score."""

    errors: dict[str, str]
    similarity: float


def judge_restatement(
    *,
    own_words: dict[str, str],
    estimate_days: float | None,
    due_date_ok: bool,
    proposed_due: date | None,
    brief_parts: tuple[str, ...],
    today: date,
) -> RestatementVerdict:
    """Check a restatement against the brief it restates, as of the owner's `today`."""
    brief_text = brief_text_of(*brief_parts)
    problems = check_restatement(own_words, brief_text)
    errors = {problem.field: problem.message for problem in problems}
    if estimate_days is None or estimate_days <= 0:
        errors[ESTIMATE_BLOCK] = "Give your estimate in working days, e.g. 3 or 4.5."
    if not due_date_ok:
        if proposed_due is None:
            errors[PROPOSED_DATE_BLOCK] = "Propose the date that would work for you."
        elif proposed_due <= today:
            errors[PROPOSED_DATE_BLOCK] = "Propose a date after today."
    # Stored with each accepted round, so the threshold can be checked against real data.
    overall = containment(" ".join(own_words.values()), brief_text)
    return RestatementVerdict(errors=errors, similarity=overall)
