from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calendar import describe_working_days, parse_working_days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("Sun-Thu", {6, 0, 1, 2, 3}),
        ("mon,wed,FRI", {0, 2, 4}),
        ("Saturday", {5}),
        ("Mon-Tue, Thu", {0, 1, 3}),
    ],
)
def test_parse(text: str, days: set[int]) -> None:
    assert parse_working_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", " , ", "Mon-Funday", "Holiday"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_working_days(text)


@given(st.frozensets(st.integers(min_value=0, max_value=6), min_size=1))
def test_describe_round_trips(days: frozenset[int]) -> None:
    assert parse_working_days(describe_working_days(days)) == days
