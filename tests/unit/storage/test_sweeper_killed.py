"""A sweeper process that dies mid-send: nothing is lost and nothing is sent twice.

The sweeper runs in its own OS process and is killed (os._exit) at the worst moments:
after Slack has accepted the message but before the row is recorded as sent, and after
the claim but before the call to Slack. A second sweeper takes over once the lease runs
out; the sandbox counts what Slack holds.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.domain.types import OutboxKind, OutboxState
from sandbox.server import SandboxServer
from scheduler import sender as sender_module
from scheduler.sender import LEASE, OutboxSender
from storage import repositories as repo
from storage.db import make_engine, session_scope
from storage.models import Outbox
from tests.unit.storage.conftest import NOW
from tests.unit.storage.test_outbox import TEAM, Clock, _runtime

OWNER = "U0SBMARC1"
KILLED = 9


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os._exit(KILLED)


def _doomed_sweep(url: str, api_url: str, token: str, point: str) -> None:
    """Child process: one sweep that dies at `point`."""
    engine = make_engine(url)
    client = WebClient(base_url=api_url, token=token)
    if point == "after_answer":
        sender_module.mark_sent = _die  # type: ignore[attr-defined]
    else:
        client.api_call = _die  # type: ignore[method-assign]
    OutboxSender(_runtime(engine, Clock(NOW)), client, worker="doomed").sweep()
    os._exit(0)  # not reached when the kill point is hit


def _queue(engine: Engine) -> int:
    runtime = _runtime(engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.CHECKIN,
            payload={
                "method": "chat.postMessage",
                "args": {"channel": OWNER, "text": "How is it?"},
            },
            due_at=NOW,
            now=NOW,
        )
        assert row is not None
        return row.id


def _row(engine: Engine, row_id: int) -> Any:
    with engine.connect() as db:
        return db.execute(
            sa.select(Outbox.state, Outbox.claimed_by, Outbox.ts).where(Outbox.id == row_id)
        ).one()


@pytest.mark.parametrize("point", ["after_answer", "before_send"])
def test_a_killed_sweeper_leaves_work_that_is_finished_exactly_once(
    migrated_engine: Engine, slack_sandbox: SandboxServer, point: str
) -> None:
    row_id = _queue(migrated_engine)
    child = multiprocessing.get_context("spawn").Process(
        target=_doomed_sweep,
        args=(
            migrated_engine.url.render_as_string(hide_password=False),
            slack_sandbox.api_url,
            slack_sandbox.workspace.bot_token,
            point,
        ),
    )
    child.start()
    child.join(60)
    assert child.exitcode == KILLED
    held = _row(migrated_engine, row_id)
    assert (held.state, held.claimed_by) == (OutboxState.CLAIMED, "doomed")
    assert len(slack_sandbox.messages(OWNER)) == (1 if point == "after_answer" else 0)

    # Within the lease nobody touches it; after it, the survivor finishes the job once.
    survivor = OutboxSender(
        _runtime(migrated_engine, Clock(NOW + LEASE / 2)),
        WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token),
        worker="survivor",
    )
    assert survivor.sweep() == 0
    survivor = OutboxSender(
        _runtime(migrated_engine, Clock(NOW + LEASE * 2)),
        WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token),
        worker="survivor",
    )
    try:
        assert survivor.sweep() == 1
    finally:
        survivor.close()
    [message] = slack_sandbox.messages(OWNER)
    assert message["metadata"]["event_payload"]["outbox_id"] == row_id
    done = _row(migrated_engine, row_id)
    assert (done.state, done.ts) == (OutboxState.SENT, message["ts"])
    assert len(slack_sandbox.calls_to("chat.postMessage")) == 1
