"""App Home data: a fixed handful of statements however much is in flight, and refreshes
that coalesce through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState, TaskState
from bot.runtime import Runtime
from bot.services.delegations import owner_load
from bot.services.home import compose_home, gather, refresh_home, refresh_home_and_leads
from bot.views.home import NeedKind, need_line
from storage import repositories as repo
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from storage.models import Outbox, Person
from storage.outbox import ClaimedMessage
from tests.helpers.clock import NOW, Clock
from tests.helpers.home import seed_home
from tests.helpers.runtime import make_runtime
from tests.helpers.statements import count_statements

TEAM = "T1"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite database and a fixed clock."""
    engine = make_engine(f"sqlite:///{tmp_path / 'home.sqlite3'}")
    upgrade_to_head(engine)
    yield make_runtime(engine, Clock(NOW))
    engine.dispose()


def test_a_lead_with_200_delegations_costs_a_fixed_number_of_statements(runtime: Runtime) -> None:
    seed_home(runtime, 200, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        assert lead is not None
        statements = count_statements(runtime.engine)
        data = gather(runtime, session, TEAM, lead)
    assert len(statements) == 5, statements
    assert len(data.delegated) == 200 and len(data.assigned) == 1
    assert [n.kind for n in data.needs_you] == [NeedKind.CONFIRM_BRIEF]
    first = data.delegated[0]
    assert first.last_update == "on track, 2026-02-28: note 0"
    assert first.next_checkin == NOW + dt.timedelta(days=1)
    assert first.overdue is True  # due two days ago
    assert {line.user_id for line in data.team_load} == {f"U{n:03d}" for n in range(20)}
    assert all(line.open_count == 10 for line in data.team_load)


def test_the_same_count_with_one_delegation(runtime: Runtime) -> None:
    seed_home(runtime, 1, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        assert lead is not None
        statements = count_statements(runtime.engine)
        gather(runtime, session, TEAM, lead)
    assert len(statements) == 5


def test_refreshes_only_for_home_users_and_coalesce_until_sent(runtime: Runtime) -> None:
    seed_home(runtime, 2, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        other = repo.get_person(session=session, team_id=TEAM, slack_user_id="U001")
        assert lead is not None and other is not None
        refresh_home(runtime, session, TEAM, lead, other)
        assert session.scalars(sa.select(Outbox).where(Outbox.kind == OutboxKind.HOME)).all() == []
        lead.home_seen_at = NOW
        session.flush()
        refresh_home(runtime, session, TEAM, lead, other)
        refresh_home(runtime, session, TEAM, lead)
        [row] = session.scalars(sa.select(Outbox).where(Outbox.kind == OutboxKind.HOME)).all()
        assert row.payload == {"method": "views.publish", "args": {"user_id": "ULEAD"}}
        message = ClaimedMessage(
            id=row.id,
            team_id=TEAM,
            kind=OutboxKind.HOME,
            payload=row.payload,
            attempts=0,
            task_id=None,
            recipient_id=lead.id,
        )
        composed = compose_home(runtime, session, message)
        assert composed is not None and composed["view"]["type"] == "home"
        row.state = OutboxState.SENT
        session.flush()
        refresh_home(runtime, session, TEAM, lead)
        rows = session.scalars(sa.select(Outbox).where(Outbox.kind == OutboxKind.HOME)).all()
        assert len(rows) == 2
        gone = ClaimedMessage(
            id=0, team_id=TEAM, kind=OutboxKind.HOME, payload={}, attempts=0, task_id=None
        )
        assert compose_home(runtime, session, gone) is None
        assert session.get(Person, lead.id) is not None


def test_an_owners_own_capacity_replaces_the_team_limit_for_the_load_warning(
    runtime: Runtime,
) -> None:
    seed_home(runtime, 40, team=TEAM)  # two open delegations each
    assert owner_load(runtime=runtime, team_id=TEAM, owner_user_id="U001") == (2, 5, False)
    with session_scope(runtime.sessions) as session:
        person = repo.get_person(session=session, team_id=TEAM, slack_user_id="U001")
        assert person is not None
        person.capacity = 2
    assert owner_load(runtime=runtime, team_id=TEAM, owner_user_id="U001") == (2, 2, True)
    assert owner_load(runtime=runtime, team_id=TEAM, owner_user_id="UNEW") == (0, 5, False)


def test_a_change_to_an_owner_refreshes_their_leads_home_too(runtime: Runtime) -> None:
    seed_home(runtime, 3, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        owner = repo.get_person(session=session, team_id=TEAM, slack_user_id="U001")
        assert lead is not None and owner is not None
        lead.home_seen_at = owner.home_seen_at = NOW
        session.flush()
        refresh_home_and_leads(runtime, session, TEAM, owner)
        rows = session.scalars(sa.select(Outbox).where(Outbox.kind == OutboxKind.HOME)).all()
        assert sorted(r.payload["args"]["user_id"] for r in rows) == ["U001", "ULEAD"]


def test_a_declined_delegation_needs_the_lead(runtime: Runtime) -> None:
    seed_home(runtime, 1, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        assert lead is not None
        [task] = repo.list_tasks_for_lead(session=session, team_id=TEAM, lead_id=lead.id)
        task.state, task.declined_at = TaskState.DECLINED, NOW - dt.timedelta(days=2)
        session.flush()
        data = gather(runtime, session, TEAM, lead)
    need = next(n for n in data.needs_you if n.kind is NeedKind.REASSIGN)
    assert need.since == NOW - dt.timedelta(days=2) and need.other_id == "U000"
    line = need_line(need, NOW)
    assert "<@U000> can't take *Task 0*" in line and "reassign or cancel" in line
