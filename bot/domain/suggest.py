"""Owner suggestions for a brief: who has the skills, the room and the time to take it on."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

Span = tuple[date, date]
RankKey = tuple[int, Fraction, int, str, str, tuple[str, ...], int, tuple[date, ...]]


def normalise_skill(text: str) -> str:
    """A skill as compared: casefolded, inner whitespace collapsed, ends stripped."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Candidate:
    """Someone who could own the brief, with their skills and current load."""

    user_id: str
    name: str
    skills: tuple[str, ...]
    capacity: int  # weekly capacity in open delegations (already defaulted by caller)
    open_count: int  # open delegations now
    away: Span | None = None  # out of office, inclusive


@dataclass(frozen=True)
class Suggestion:
    """A suggested owner: which needed skills they have and how busy they are."""

    user_id: str
    name: str
    matched: tuple[str, ...]  # needed skills they have, in the order needed
    open_count: int
    capacity: int
    away: Span | None  # shown when it overlaps the period partly


def spare_share(capacity: int, open_count: int) -> Fraction:
    """The share of capacity still free: max(capacity - open, 0) / capacity, 0 without capacity."""
    if capacity <= 0:
        return Fraction(0)
    return Fraction(max(capacity - open_count, 0), capacity)


def rank_key(suggestion: Suggestion) -> RankKey:
    """Sort key, best first: most matched, most spare share, fewest open, name, user id."""
    away = suggestion.away or ()
    return (
        -len(suggestion.matched),
        -spare_share(suggestion.capacity, suggestion.open_count),
        suggestion.open_count,
        suggestion.name.casefold(),
        suggestion.user_id,
        # Only duplicates of one user id get this far; these keep even them in a fixed order.
        suggestion.matched,
        suggestion.capacity,
        away,
    )


def _needed_skills(needed: Sequence[str]) -> dict[str, str]:
    """Normalised needed skill -> its first spelling, stripped, in the order needed."""
    seen: dict[str, str] = {}
    for skill in needed:
        key = normalise_skill(skill)
        if key and key not in seen:
            seen[key] = skill.strip()
    return seen


def _valid_span(span: Span | None) -> Span | None:
    """The span, or None when it is missing or ends before it starts."""
    if span is None or span[0] > span[1]:
        return None
    return span


def _covers(away: Span, period: Span) -> bool:
    """True when the time away covers the whole period, both ends inclusive."""
    return away[0] <= period[0] and away[1] >= period[1]


def _overlaps(away: Span, period: Span) -> bool:
    """True when the time away shares at least one day with the period."""
    return away[0] <= period[1] and away[1] >= period[0]


def suggest_owners(
    needed: Sequence[str],
    candidates: Sequence[Candidate],
    *,
    period: Span,
    exclude: Collection[str] = (),
    limit: int = 5,
) -> list[Suggestion]:
    """The best `limit` eligible candidates for the needed skills, best first."""
    wanted = _needed_skills(needed)
    if not wanted or limit <= 0:
        return []
    excluded = frozenset(exclude)
    eligible: list[Suggestion] = []
    for candidate in candidates:
        if candidate.user_id in excluded:
            continue
        away = _valid_span(candidate.away)
        if away is not None and _covers(away, period):
            continue
        has = {normalise_skill(skill) for skill in candidate.skills}
        matched = tuple(spelling for key, spelling in wanted.items() if key in has)
        if not matched:
            continue
        eligible.append(
            Suggestion(
                user_id=candidate.user_id,
                name=candidate.name,
                matched=matched,
                open_count=candidate.open_count,
                capacity=candidate.capacity,
                away=away if away is not None and _overlaps(away, period) else None,
            )
        )
    eligible.sort(key=rank_key)
    chosen: list[Suggestion] = []
    shown: set[str] = set()
    for suggestion in eligible:
        if suggestion.user_id in shown:
            continue  # a user id given twice is suggested once, at its better rank
        shown.add(suggestion.user_id)
        chosen.append(suggestion)
        if len(chosen) == limit:
            break
    return chosen
