"""The same request again, with nothing new in it, writes nothing: no people row changes and
no Home is published (the fuzz suite's replay family found every one of these on main).

Opening the profile or settings from Home refreshed the person from users.info and stamped
updated_at and tz_refreshed_at on every click; submitting the same profile again stamped
the row and queued a Home publish.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.services.delegations import SlackUser
from bot.services.profiles import profile_form, save_profile
from bot.services.settings import save_settings, settings_form
from bot.views.profile import ProfileInput
from bot.views.settings import SettingsInput
from storage.db import session_scope
from storage.models import Outbox, Person
from tests.helpers.clock import Clock
from tests.helpers.pg import postgres_url, throwaway_database
from tests.helpers.runtime import make_runtime as _runtime
from tests.helpers.storage import migrated_engine

TEAM = "T0SANDBOX"
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LENA = SlackUser(user_id="U0SBLENA1", display_name="lena", real_name="Lena", tz="Europe/London")
PROFILE = ProfileInput(skills=("Pricing",), experience="Ran renewals", capacity=4)
SETTINGS = SettingsInput(
    tz="Europe/London",
    checkin_time=time(10, 0),
    working_days=frozenset(range(5)),
    ooo_start=None,
    ooo_end=None,
)


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """One throwaway PostgreSQL database for this module (skipped without a server)."""
    with throwaway_database(postgres_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL schema."""
    with migrated_engine(
        request.param,
        tmp_path / "repeat.sqlite3",
        lambda: str(request.getfixturevalue("pg_database")),
    ) as made:
        yield made


@pytest.fixture
def clock() -> Clock:
    """Monday 09:00, moved by hand."""
    return Clock(MONDAY)


@pytest.fixture
def runtime(engine: Engine, clock: Clock) -> Runtime:
    """The app's session settings on the hand-moved clock."""
    return _runtime(engine, clock)


def state(runtime: Runtime) -> tuple[list[tuple[Any, ...]], int]:
    """Every people row, and how many messages (Home publishes included) are queued."""
    with session_scope(runtime.sessions) as session:
        people = [tuple(r) for r in session.execute(sa.select(Person.__table__)).all()]
        queued = int(session.scalar(sa.select(sa.func.count()).select_from(Outbox)) or 0)
    return people, queued


def test_opening_the_profile_and_settings_again_writes_nothing(
    runtime: Runtime, clock: Clock
) -> None:
    profile_form(runtime=runtime, team_id=TEAM, user=LENA)
    before = state(runtime)
    clock.now += timedelta(hours=1)
    profile_form(runtime=runtime, team_id=TEAM, user=LENA)
    settings_form(runtime=runtime, team_id=TEAM, user=LENA)
    assert state(runtime) == before


def test_the_same_profile_submitted_again_writes_nothing_and_publishes_no_home(
    runtime: Runtime, clock: Clock
) -> None:
    save_profile(runtime=runtime, team_id=TEAM, user=LENA, chosen=PROFILE)
    before = state(runtime)
    clock.now += timedelta(minutes=5)
    save_profile(runtime=runtime, team_id=TEAM, user=LENA, chosen=PROFILE)
    assert state(runtime) == before
    # Something new is still saved.
    save_profile(
        runtime=runtime, team_id=TEAM, user=LENA, chosen=dataclasses.replace(PROFILE, capacity=2)
    )
    with session_scope(runtime.sessions) as session:
        assert session.scalars(sa.select(Person.capacity)).one() == 2


def test_the_same_settings_submitted_again_write_nothing(runtime: Runtime, clock: Clock) -> None:
    assert save_settings(runtime=runtime, team_id=TEAM, user=LENA, chosen=SETTINGS) == {}
    before = state(runtime)
    clock.now += timedelta(minutes=5)
    assert save_settings(runtime=runtime, team_id=TEAM, user=LENA, chosen=SETTINGS) == {}
    assert state(runtime) == before


def test_slack_news_is_still_stored_and_the_zone_restamped_after_a_day(
    runtime: Runtime, clock: Clock
) -> None:
    profile_form(runtime=runtime, team_id=TEAM, user=LENA)
    clock.now += timedelta(hours=1)
    renamed = dataclasses.replace(LENA, display_name="lena.k")
    profile_form(runtime=runtime, team_id=TEAM, user=renamed)
    with session_scope(runtime.sessions) as session:
        person = session.scalars(sa.select(Person)).one()
        assert (person.display_name, person.updated_at) == ("lena.k", clock.now)
    # A day on, the same zone from users.info renews the stamp the daily refresh goes by.
    clock.now += timedelta(days=1, minutes=1)
    profile_form(runtime=runtime, team_id=TEAM, user=renamed)
    with session_scope(runtime.sessions) as session:
        assert session.scalars(sa.select(Person.tz_refreshed_at)).one() == clock.now
