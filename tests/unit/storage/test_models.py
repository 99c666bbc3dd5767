"""Column types and model rules, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.domain.types import OutboxKind, TaskState
from storage import repositories as repo
from storage.db import make_session_factory
from storage.models import (
    Outbox,
    Person,
    Task,
    decode_working_days,
    encode_working_days,
)
from tests.helpers.clock import NOW
from tests.helpers.storage import DUE, person, task

KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))


def test_a_task_with_a_missing_owner_is_refused(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    session.add(
        Task(
            team_id="T1",
            lead_id=lead.id,
            owner_id=lead.id + 1000,
            title="t",
            goal="g",
            due_at=DUE,
            due_tz="UTC",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)foreign key"):
        session.flush()


def test_instants_come_back_as_aware_utc(migrated_engine: Engine) -> None:
    factory = make_session_factory(migrated_engine)
    with factory.begin() as session:
        lead = person(session, "T1", "ULEAD")
        lead.tz_refreshed_at = dt.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=KOLKATA)
        lead_id = lead.id

    with factory() as session:
        stored = session.get(Person, lead_id)
        assert stored is not None
        read_back = stored.tz_refreshed_at
    assert read_back == dt.datetime(2026, 3, 2, 4, 30, 0, 123456, tzinfo=dt.UTC)
    assert read_back is not None and read_back.utcoffset() == dt.timedelta(0)
    assert read_back.tzinfo is dt.UTC


def test_comparisons_in_sql_use_utc_whatever_offset_is_passed(session: Session) -> None:
    # On SQLite instants are text: this fails if a bound value kept its local offset.
    due = dt.datetime(2026, 3, 2, 4, 30, tzinfo=dt.UTC)
    repo.enqueue_outbox(
        session=session, team_id="T1", kind=OutboxKind.DIGEST, payload={}, due_at=due, now=NOW
    )

    def due_by(instant: dt.datetime) -> int:
        return len(session.scalars(sa.select(Outbox).where(Outbox.due_at <= instant)).all())

    assert due_by(dt.datetime(2026, 3, 2, 10, 15, tzinfo=KOLKATA)) == 1  # 04:45Z
    assert due_by(dt.datetime(2026, 3, 2, 9, 45, tzinfo=KOLKATA)) == 0  # 04:15Z
    assert due_by(dt.datetime(2026, 3, 1, 23, 45, tzinfo=dt.timezone(-dt.timedelta(hours=5)))) == 1


def test_naive_datetimes_are_refused(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    lead.tz_refreshed_at = dt.datetime(2026, 3, 2, 10, 0)  # no tzinfo
    with pytest.raises(sa.exc.StatementError, match="naive datetime") as raised:
        session.flush()
    assert isinstance(raised.value.orig, ValueError)


def test_task_version_increments_and_stale_writes_fail(migrated_engine: Engine) -> None:
    factory = make_session_factory(migrated_engine)
    with factory.begin() as session:
        lead, owner = person(session, "T1", "ULEAD"), person(session, "T1", "UOWNER")
        created = task(session, "T1", lead, owner)
        task_id = created.id
    assert created.version == 1

    with factory() as first, factory() as second:
        mine = repo.get_task(session=first, team_id="T1", task_id=task_id)
        theirs = repo.get_task(session=second, team_id="T1", task_id=task_id)
        assert mine is not None and theirs is not None
        # End the second reader's transaction, as a request would: on SQLite a write from a
        # stale snapshot is refused by the lock before the version check is ever reached.
        second.commit()

        mine.state = TaskState.AWAITING_APPROVAL
        first.commit()
        assert mine.version == 2

        theirs.state = TaskState.CANCELLED
        with pytest.raises(StaleDataError):
            second.commit()

    with factory() as session:
        final = repo.get_task(session=session, team_id="T1", task_id=task_id)
        assert final is not None
        assert (final.state, final.version) == (TaskState.AWAITING_APPROVAL, 2)


def test_json_skills_and_enums_round_trip(migrated_engine: Engine) -> None:
    factory = make_session_factory(migrated_engine)
    skills = ["SQL", "Kundengespräch", "data viz"]
    with factory.begin() as session:
        owner = person(session, "T1", "UOWNER")
        owner.skills = skills
        created = task(session, "T1", owner, owner)
        created.skills = ["writing"]
        owner_id, task_id = owner.id, created.id

    with factory() as session:
        stored_owner = session.get(Person, owner_id)
        stored_task = session.get(Task, task_id)
        assert stored_owner is not None and stored_task is not None
        assert stored_owner.skills == skills
        assert stored_task.skills == ["writing"]
        assert stored_task.state is TaskState.AWAITING_CONFIRMATION
        raw_state = session.execute(
            sa.text("SELECT state FROM tasks WHERE id = :id"), {"id": task_id}
        ).scalar_one()
    assert raw_state == "awaiting_confirmation"


def test_unknown_enum_strings_are_refused(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    created = task(session, "T1", lead, lead)
    created.state = "finished"  # type: ignore[assignment]
    with pytest.raises(sa.exc.StatementError, match="finished"):
        session.flush()


def test_working_days_are_a_compact_validated_string() -> None:
    assert encode_working_days([4, 0, 1, 2, 3, 0]) == "01234"
    assert decode_working_days("0246") == frozenset({0, 2, 4, 6})
    with pytest.raises(ValueError, match=r"0 \(Monday\) to 6"):
        encode_working_days([7])
    for bad in ("", "10", "0012", "x"):
        with pytest.raises(ValueError, match="working days"):
            decode_working_days(bad)
    with pytest.raises(ValueError, match="working days"):
        Person(team_id="T1", slack_user_id="U1", working_days="01234567")


def test_check_constraints_hold(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    lead.checkin_hour = 24
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)check"):
        session.flush()
