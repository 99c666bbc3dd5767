"""Snooze reports success only when the snoozed check-in is really queued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState
from bot.runtime import Runtime
from bot.services import checkins
from storage.db import session_scope
from storage.models import Outbox, Task
from tests.helpers.delegations import OWNER, TEAM, approve, create, open_runtime, restate


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite database, a manual clock, and four people who have opened Home."""
    with open_runtime(tmp_path) as opened:
        yield opened


# The owner's check-in time (10:00) on Thursday 12 March, London, which is UTC in March.
THURSDAY_CHECKIN = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)


def pending(runtime: Runtime) -> list[tuple[int, OutboxKind, str | None]]:
    """(id, kind, unique key) of every unsent row."""
    with session_scope(runtime.sessions) as session:
        rows = session.scalars(
            sa.select(Outbox).where(Outbox.state == OutboxState.PENDING).order_by(Outbox.id)
        ).all()
        return [(row.id, row.kind, row.unique_key) for row in rows]


def snooze_until(runtime: Runtime, task_id: int, day: dt.date) -> object:
    """The owner snoozes the check-in until `day`."""
    return checkins.snooze(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, until=day)


def test_a_snooze_whose_checkin_cannot_be_queued_says_so_and_changes_nothing(
    runtime: Runtime,
) -> None:
    task_id = create(runtime)
    restate(runtime, task_id)
    approve(runtime, task_id)
    # A check-in for that very instant already went out (or is going out, or failed): its
    # unique key stays taken, so the snoozed one would silently not be queued.
    with session_scope(runtime.sessions) as session:
        session.add(
            Outbox(
                team_id=TEAM,
                kind=OutboxKind.CHECKIN,
                payload={},
                due_at=THURSDAY_CHECKIN,
                state=OutboxState.SENT,
                attempts=1,
                unique_key=checkins.checkin_key(task_id, THURSDAY_CHECKIN),
                task_id=task_id,
                created_at=THURSDAY_CHECKIN,
                sent_at=THURSDAY_CHECKIN,
                channel="D1",
                ts="1.000001",
            )
        )
    before = pending(runtime)
    assert any(kind is OutboxKind.CHECKIN for _, kind, _ in before)

    result = snooze_until(runtime, task_id, THURSDAY_CHECKIN.date())

    assert isinstance(result, str) and "Nothing changed" in result
    assert pending(runtime) == before  # the planned check-ins are still there
    with session_scope(runtime.sessions) as session:
        task = session.get(Task, task_id)
        assert task is not None and task.snoozed_until is None


def test_a_snooze_that_is_queued_succeeds(runtime: Runtime) -> None:
    task_id = create(runtime)
    restate(runtime, task_id)
    approve(runtime, task_id)

    assert snooze_until(runtime, task_id, THURSDAY_CHECKIN.date()) is None

    keys = [key for _, kind, key in pending(runtime) if kind is OutboxKind.CHECKIN]
    assert keys == [checkins.checkin_key(task_id, THURSDAY_CHECKIN)]
