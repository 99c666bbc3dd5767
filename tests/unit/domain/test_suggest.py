"""Owner suggestions: who matches, who is left out, and in which order."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.suggest import (
    Candidate,
    Suggestion,
    normalise_skill,
    rank_key,
    suggest_owners,
)

START = date(2026, 3, 9)
PERIOD = (START, date(2026, 3, 20))
SPELLINGS = [
    "Excel",
    " excel",
    "EXCEL ",
    "Python",
    "py thon",
    "SQL",
    "sql",
    "Design",
    "de  sign",
    "Finance",
    "Public speaking",
    "public\tSpeaking",
]


def person(
    user_id: str,
    skills: tuple[str, ...],
    *,
    capacity: int = 4,
    open_count: int = 0,
    away: tuple[date, date] | None = None,
    name: str | None = None,
) -> Candidate:
    """A candidate with sensible defaults."""
    return Candidate(
        user_id=user_id,
        name=name or user_id.title(),
        skills=skills,
        capacity=capacity,
        open_count=open_count,
        away=away,
    )


def ids(found: list[Suggestion]) -> list[str]:
    """The user ids of the suggestions, in order."""
    return [s.user_id for s in found]


def test_normalise_skill_casefolds_and_collapses_whitespace() -> None:
    assert normalise_skill("  Public \t\n SPEAKING  ") == "public speaking"
    assert normalise_skill("Straße") == normalise_skill("STRASSE")
    assert normalise_skill("   ") == ""


def test_no_needed_skills_suggests_nobody() -> None:
    people = [person("ana", ("Excel",))]
    assert suggest_owners([], people, period=PERIOD) == []
    assert suggest_owners(["  ", ""], people, period=PERIOD) == []


def test_more_matches_rank_first_and_matched_keeps_the_needed_order() -> None:
    people = [
        person("ana", ("excel",)),
        person("bo", ("sql", "EXCEL", "python")),
        person("cy", ("Design",)),
    ]
    found = suggest_owners(["Python", " Excel ", "excel", "SQL"], people, period=PERIOD)
    assert ids(found) == ["bo", "ana"]
    assert found[0].matched == ("Python", "Excel", "SQL")
    assert found[1].matched == ("Excel",)


def test_spare_share_then_open_count_then_name_break_ties() -> None:
    people = [
        person("busy", ("Excel",), capacity=4, open_count=3),  # 1/4 spare
        person("roomy", ("Excel",), capacity=2, open_count=0),  # all spare
        person("half", ("Excel",), capacity=10, open_count=5),  # 1/2 spare, 5 open
        person("half2", ("Excel",), capacity=2, open_count=1),  # 1/2 spare, 1 open
        person("zero", ("Excel",), capacity=0, open_count=0),  # no capacity: share 0
        person("over", ("Excel",), capacity=3, open_count=5),  # over capacity: share 0
    ]
    found = suggest_owners(["excel"], people, period=PERIOD, limit=10)
    assert ids(found) == ["roomy", "half2", "half", "busy", "zero", "over"]


def test_names_compare_casefolded_and_user_id_decides_last() -> None:
    people = [
        person("u2", ("Excel",), name="ana"),
        person("u3", ("Excel",), name="Bo"),
        person("u1", ("Excel",), name="ANA"),
    ]
    assert ids(suggest_owners(["excel"], people, period=PERIOD)) == ["u1", "u2", "u3"]


def test_excluded_and_away_all_period_are_left_out() -> None:
    people = [
        person("lead", ("Excel",)),
        person("gone", ("Excel",), away=(date(2026, 3, 1), date(2026, 3, 31))),
        person("exact", ("Excel",), away=PERIOD),
        person("part", ("Excel",), away=(date(2026, 3, 16), date(2026, 3, 27))),
        person("before", ("Excel",), away=(date(2026, 2, 1), date(2026, 3, 8))),
    ]
    found = suggest_owners(["Excel"], people, period=PERIOD, exclude={"lead"})
    assert ids(found) == ["before", "part"]
    by_id = {s.user_id: s for s in found}
    assert by_id["part"].away == (date(2026, 3, 16), date(2026, 3, 27))
    assert by_id["before"].away is None


def test_limit_caps_the_list() -> None:
    people = [person(f"u{i}", ("Excel",)) for i in range(8)]
    assert len(suggest_owners(["Excel"], people, period=PERIOD)) == 5
    assert len(suggest_owners(["Excel"], people, period=PERIOD, limit=2)) == 2
    assert suggest_owners(["Excel"], people, period=PERIOD, limit=0) == []


def test_a_user_id_given_twice_is_suggested_once() -> None:
    people = [person("ana", ("Excel",)), person("ana", ("Excel", "SQL"))]
    found = suggest_owners(["Excel", "SQL"], people, period=PERIOD)
    assert ids(found) == ["ana"]
    assert found[0].matched == ("Excel", "SQL")


# Properties


@st.composite
def candidates(draw: st.DrawFn) -> list[Candidate]:
    """Candidates with distinct user ids, mixed skills, loads and time away."""
    count = draw(st.integers(min_value=0, max_value=12))
    people: list[Candidate] = []
    for index in range(count):
        away: tuple[date, date] | None = None
        if draw(st.booleans()):
            first = START + timedelta(days=draw(st.integers(-10, 20)))
            away = (first, first + timedelta(days=draw(st.integers(0, 25))))
        people.append(
            Candidate(
                user_id=f"U{index:03d}",
                name=draw(st.sampled_from(["Ana", "ana", "Bo", "Cy", "Dee"])),
                skills=tuple(draw(st.lists(st.sampled_from(SPELLINGS), max_size=5))),
                capacity=draw(st.integers(0, 6)),
                open_count=draw(st.integers(0, 8)),
                away=away,
            )
        )
    return people


needed_skills = st.lists(st.sampled_from(SPELLINGS), max_size=5)
limits = st.integers(min_value=0, max_value=8)
excludes = st.sets(st.sampled_from([f"U{i:03d}" for i in range(12)]), max_size=4)


def eligible(people: list[Candidate], needed: list[str], exclude: set[str]) -> dict[str, Candidate]:
    """Who may be suggested, worked out independently of the code under test."""
    wanted = {normalise_skill(s) for s in needed} - {""}
    return {
        p.user_id: p
        for p in people
        if p.user_id not in exclude
        and wanted & {normalise_skill(s) for s in p.skills}
        and not (p.away and p.away[0] <= PERIOD[0] and p.away[1] >= PERIOD[1])
    }


def expected_key(s: Suggestion) -> tuple[int, Fraction, int, str, str]:
    """The documented ranking, written out again."""
    share = Fraction(max(s.capacity - s.open_count, 0), s.capacity) if s.capacity else Fraction(0)
    return (-len(s.matched), -share, s.open_count, s.name.casefold(), s.user_id)


@given(people=candidates(), needed=needed_skills, exclude=excludes, limit=limits)
def test_suggestions_are_eligible_capped_and_sorted(
    people: list[Candidate], needed: list[str], exclude: set[str], limit: int
) -> None:
    found = suggest_owners(needed, people, period=PERIOD, exclude=exclude, limit=limit)
    allowed = eligible(people, needed, exclude)
    assert len(found) <= limit
    assert {s.user_id for s in found} <= set(allowed)
    assert not {s.user_id for s in found} & exclude
    for s in found:
        away = allowed[s.user_id].away
        assert not (away and away[0] <= PERIOD[0] and away[1] >= PERIOD[1])
        assert s.away is None or (s.away[0] <= PERIOD[1] and s.away[1] >= PERIOD[0])
    keys = [expected_key(s) for s in found]
    assert keys == sorted(keys)
    assert [rank_key(s)[:5] for s in found] == keys
    if len(allowed) < limit:
        assert {s.user_id for s in found} == set(allowed)


@given(people=candidates(), needed=needed_skills, exclude=excludes, limit=limits, data=st.data())
def test_candidate_order_does_not_matter(
    people: list[Candidate], needed: list[str], exclude: set[str], limit: int, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(people))
    before = suggest_owners(needed, people, period=PERIOD, exclude=exclude, limit=limit)
    after = suggest_owners(needed, shuffled, period=PERIOD, exclude=exclude, limit=limit)
    assert before == after


def full_ranking(people: list[Candidate], needed: list[str]) -> list[str]:
    """Every eligible user id, best first."""
    return ids(suggest_owners(needed, people, period=PERIOD, limit=len(people) + 1))


def never_worse(before: list[str], after: list[str], who: str) -> None:
    """Assert `who` keeps (or gains) its lead over everyone it was ahead of."""
    if who not in before:
        return
    assert who in after
    assert after.index(who) <= before.index(who)
    ahead_of = before[before.index(who) + 1 :]
    for other in ahead_of:
        assert other not in after or after.index(who) < after.index(other)


@given(people=candidates(), needed=needed_skills, data=st.data())
def test_one_more_needed_skill_never_moves_someone_down(
    people: list[Candidate], needed: list[str], data: st.DataObject
) -> None:
    assume(people and needed)
    index = data.draw(st.integers(0, len(people) - 1))
    extra = data.draw(st.sampled_from(needed))
    better = list(people)
    better[index] = dataclasses.replace(people[index], skills=(*people[index].skills, extra))
    never_worse(full_ranking(people, needed), full_ranking(better, needed), people[index].user_id)


@given(people=candidates(), needed=needed_skills, data=st.data())
def test_fewer_open_delegations_never_move_someone_down(
    people: list[Candidate], needed: list[str], data: st.DataObject
) -> None:
    assume(people)
    index = data.draw(st.integers(0, len(people) - 1))
    assume(people[index].open_count > 0)
    drop = data.draw(st.integers(1, 5))
    lighter = list(people)
    lighter[index] = dataclasses.replace(
        people[index], open_count=max(people[index].open_count - drop, 0)
    )
    never_worse(full_ranking(people, needed), full_ranking(lighter, needed), people[index].user_id)
