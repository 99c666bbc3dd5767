"""Local mode's shared clock: moves forward on request, never back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.clock import MovableClock


def test_it_runs_with_real_time_plus_the_moves() -> None:
    real = [1_000.0]
    clock = MovableClock(lambda: real[0])
    clock.advance(86_400)
    real[0] += 5
    assert clock() == 1_000 + 5 + 86_400
    assert clock.utc() == datetime.fromtimestamp(87_405, UTC)


def test_advance_to_moves_only_forward() -> None:
    clock = MovableClock(lambda: 1_000.0)
    assert clock.advance_to(datetime.fromtimestamp(500, UTC)) is False
    assert clock() == 1_000
    assert clock.advance_to(datetime.fromtimestamp(1_000, UTC) + timedelta(hours=2)) is True
    assert clock() == 1_000 + 7_200 and clock.offset == 7_200
    with pytest.raises(ValueError):
        clock.advance(-1)
