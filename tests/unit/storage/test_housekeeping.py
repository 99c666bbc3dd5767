"""Pruning retried-event ids: what Slack can still retry stays, the rest goes in batches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.app import create_app
from bot.services import housekeeping
from bot.services.housekeeping import PROCESSED_EVENT_RETENTION, prune_processed_events
from bot.settings import Settings
from sandbox.server import SandboxServer
from storage import repositories as repo
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from storage.models import ProcessedEvent
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import make_runtime


def _received(engine: Engine, *events: tuple[str, str, dt.datetime]) -> None:
    runtime = make_runtime(engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        for team_id, event_id, at in events:
            assert repo.mark_event_processed(
                session=session, team_id=team_id, event_id=event_id, at=at
            )


def _left(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(ProcessedEvent.team_id, ProcessedEvent.event_id).order_by(
                ProcessedEvent.team_id, ProcessedEvent.event_id
            )
        ).all()
    return [(row.team_id, row.event_id) for row in rows]


def test_ids_slack_may_still_retry_stay_and_older_ones_go_in_every_workspace(
    migrated_engine: Engine,
) -> None:
    hour = dt.timedelta(hours=1)
    _received(
        migrated_engine,
        ("T1", "EvTwoDays", NOW - 2 * PROCESSED_EVENT_RETENTION),
        ("T2", "EvJustOver", NOW - PROCESSED_EVENT_RETENTION - dt.timedelta(seconds=1)),
        ("T1", "EvYesterday", NOW - PROCESSED_EVENT_RETENTION + hour),
        ("T2", "EvAnHourAgo", NOW - hour),
        ("T1", "EvNow", NOW),
    )
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)

    assert prune_processed_events(runtime) == 2
    assert _left(migrated_engine) == [("T1", "EvNow"), ("T1", "EvYesterday"), ("T2", "EvAnHourAgo")]
    # A retry of a kept id is still recognised as one.
    with session_scope(runtime.sessions) as session:
        assert not repo.mark_event_processed(
            session=session, team_id="T2", event_id="EvAnHourAgo", at=NOW
        )

    clock.now = NOW + 2 * hour  # the next hourly run: yesterday's id is now past the window
    assert prune_processed_events(runtime) == 1
    assert _left(migrated_engine) == [("T1", "EvNow"), ("T2", "EvAnHourAgo")]


def test_a_backlog_goes_in_batches_and_what_one_run_leaves_the_next_takes(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(housekeeping, "PRUNE_BATCH", 3)
    monkeypatch.setattr(housekeeping, "PRUNE_BATCHES_PER_RUN", 2)
    old = NOW - 3 * PROCESSED_EVENT_RETENTION
    _received(
        migrated_engine,
        *((f"T{n % 2}", f"Ev{n:02d}", old + dt.timedelta(minutes=n)) for n in range(8)),
        ("T1", "EvFresh", NOW),
    )
    runtime = make_runtime(migrated_engine, Clock(NOW))
    deletes: list[str] = []

    def count(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("DELETE"):
            deletes.append(str(args[2]))

    event.listen(migrated_engine, "before_cursor_execute", count)
    try:
        assert prune_processed_events(runtime) == 6  # two batches of three, the oldest first
        assert len(deletes) == 2
        assert ("T0", "Ev06") in _left(migrated_engine)
        assert prune_processed_events(runtime) == 2
        assert len(deletes) == 3  # two left: one short batch ends the run
        assert prune_processed_events(runtime) == 0
        assert len(deletes) == 4  # nothing to prune costs one statement
    finally:
        event.remove(migrated_engine, "before_cursor_execute", count)
    assert _left(migrated_engine) == [("T1", "EvFresh")]


def test_the_sweep_prunes_about_hourly(tmp_path: Path, slack_sandbox: SandboxServer) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sweep.sqlite3'}")
    upgrade_to_head(engine)
    clock = Clock(NOW)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token=SecretStr(slack_sandbox.workspace.bot_token),
        slack_signing_secret=SecretStr("secret"),
        slack_api_url=slack_sandbox.api_url,
    )
    app = create_app(settings, clock=clock, engine=engine)
    try:
        _received(engine, ("T1", "EvOld", NOW - 2 * PROCESSED_EVENT_RETENTION))
        app.ticker._sweep()
        assert _left(engine) == []
        _received(
            engine, ("T1", "EvLater", NOW - PROCESSED_EVENT_RETENTION + dt.timedelta(minutes=30))
        )
        clock.now = NOW + dt.timedelta(minutes=40)
        app.ticker._sweep()
        assert _left(engine) == [("T1", "EvLater")]  # not an hour since the last prune
        clock.now = NOW + dt.timedelta(minutes=61)
        app.ticker._sweep()
        assert _left(engine) == []
    finally:
        app.sender.close()
        app.listeners.shutdown()
        engine.dispose()
