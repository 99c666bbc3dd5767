"""App Home's queries (window function, conditional aggregates, subqueries) on both backends."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.services.home import gather
from bot.views.home import NeedKind
from storage import repositories as repo
from storage.db import session_scope
from tests.helpers.clock import NOW, Clock
from tests.helpers.home import seed_home
from tests.helpers.runtime import make_runtime
from tests.helpers.statements import count_statements

TEAM = "T1"


def test_home_gathers_the_same_on_sqlite_and_postgresql(migrated_engine: Engine) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    seed_home(runtime, 30, team=TEAM)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=TEAM, slack_user_id="ULEAD")
        assert lead is not None
        statements = count_statements(migrated_engine)
        data = gather(runtime, session, TEAM, lead)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5
    assert len(data.delegated) == 30 and len(data.assigned) == 1
    assert [n.kind for n in data.needs_you] == [NeedKind.CONFIRM_BRIEF]
    first = data.delegated[0]
    assert first.last_update == "on track, 2026-02-28: note 0"
    assert first.next_checkin == NOW + dt.timedelta(days=1)
    assert first.next_checkin.tzinfo is not None
    assert sorted(line.open_count for line in data.team_load)[-1] == 2
    with migrated_engine.connect() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(sa.table("tasks"))) == 31
