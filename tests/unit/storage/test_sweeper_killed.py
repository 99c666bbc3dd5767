"""A sweeper process that dies mid-send: nothing is lost and nothing is sent twice.

The sweeper runs in its own OS process and is killed (SIGKILL, as kill -9) at the worst
moments: after Slack has accepted the message but before the row is recorded as sent, and
after the claim but before the call to Slack. A second sweeper takes over once the lease
runs out; the sandbox counts what Slack holds.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from collections.abc import Callable
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
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import TEAM, make_runtime

OWNER = "U0SBMARC1"
KILLED = -signal.SIGKILL  # multiprocessing's exit code for a process killed by a signal


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def _doomed_sweep(url: str, api_url: str, token: str, point: str) -> None:
    """Child process: one sweep that dies at `point`."""
    engine = make_engine(url)
    client = WebClient(base_url=api_url, token=token)
    if point == "after_answer":
        sender_module.mark_sent = _die  # type: ignore[attr-defined]
    else:
        client.api_call = _die  # type: ignore[method-assign]
    OutboxSender(make_runtime(engine, Clock(NOW)), client, worker="doomed").sweep()
    os._exit(0)  # not reached when the kill point is hit


def _kill_a_sweeper(engine: Engine, sandbox: SandboxServer, point: str) -> None:
    """Run one sweep in a child process that is killed at `point`."""
    child = multiprocessing.get_context("spawn").Process(
        target=_doomed_sweep,
        args=(
            engine.url.render_as_string(hide_password=False),
            sandbox.api_url,
            sandbox.workspace.bot_token,
            point,
        ),
    )
    child.start()
    child.join(60)
    assert child.exitcode == KILLED


def _queue(engine: Engine) -> int:
    runtime = make_runtime(engine, Clock(NOW))
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


def outbox_row(engine: Engine, row_id: int) -> Any:
    with engine.connect() as db:
        return db.execute(
            sa.select(Outbox.state, Outbox.claimed_by, Outbox.ts).where(Outbox.id == row_id)
        ).one()


@pytest.mark.parametrize("point", ["after_answer", "before_send"])
def test_a_killed_sweeper_leaves_work_that_is_finished_exactly_once(
    migrated_engine: Engine, slack_sandbox: SandboxServer, point: str
) -> None:
    row_id = _queue(migrated_engine)
    _kill_a_sweeper(migrated_engine, slack_sandbox, point)
    held = outbox_row(migrated_engine, row_id)
    assert (held.state, held.claimed_by) == (OutboxState.CLAIMED, "doomed")
    assert len(slack_sandbox.messages(OWNER)) == (1 if point == "after_answer" else 0)

    # Within the lease nobody touches it; after it, the survivor finishes the job once.
    survivor = OutboxSender(
        make_runtime(migrated_engine, Clock(NOW + LEASE / 2)),
        WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token),
        worker="survivor",
    )
    assert survivor.sweep() == 0
    survivor = OutboxSender(
        make_runtime(migrated_engine, Clock(NOW + LEASE * 2)),
        WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token),
        worker="survivor",
    )
    try:
        assert survivor.sweep() == 1
    finally:
        survivor.close()
    [message] = slack_sandbox.messages(OWNER)
    assert message["metadata"]["event_payload"]["outbox_id"] == row_id
    done = outbox_row(migrated_engine, row_id)
    assert (done.state, done.ts) == (OutboxState.SENT, message["ts"])
    assert len(slack_sandbox.calls_to("chat.postMessage")) == 1


class WallClock:
    """The sandbox's wall clock, in step with the test's clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now.timestamp()


def _chatter(sandbox: SandboxServer, count: int, prefix: str) -> None:
    """`count` messages in the owner's DM: the owner's own and the bot's other notices."""
    channel = sandbox.workspace.dm_id(OWNER)
    for number in range(count):
        ts = sandbox.state.next_ts()
        if number % 2:
            said: dict[str, Any] = {"type": "message", "user": OWNER, "text": prefix, "ts": ts}
        else:
            said = sandbox.state.bot_message(
                ts=ts,
                text=prefix,
                blocks=None,
                metadata={
                    "event_type": "delegate_bot_notice",
                    "event_payload": {"outbox_id": 100_000 + number},
                },
            )
        sandbox.state.store_message(channel, said)


def test_a_killed_sweeper_in_a_busy_dm_is_not_repeated(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    wall = WallClock(NOW - dt.timedelta(hours=2))
    sandbox = make_slack_sandbox(wall_clock=wall)
    _chatter(sandbox, 300, "before")  # older than the claim: the lookup need not read these
    row_id = _queue(migrated_engine)
    wall.now = NOW
    _kill_a_sweeper(migrated_engine, sandbox, "after_answer")  # claimed and sent at NOW
    wall.now = NOW + dt.timedelta(seconds=20)
    _chatter(sandbox, 250, "after")  # a busy DM: 250 newer messages before anyone takes over

    survivor = OutboxSender(
        make_runtime(migrated_engine, Clock(NOW + LEASE * 2)),
        WebClient(base_url=sandbox.api_url, token=sandbox.workspace.bot_token),
        worker="survivor",
    )
    try:
        assert survivor.sweep() == 1
    finally:
        survivor.close()
    mine = [
        message
        for message in sandbox.messages(OWNER)
        if (message.get("metadata") or {}).get("event_payload") == {"outbox_id": row_id}
    ]
    assert len(mine) == 1
    done = outbox_row(migrated_engine, row_id)
    assert (done.state, done.ts) == (OutboxState.SENT, mine[0]["ts"])
    assert len(sandbox.calls_to("chat.postMessage")) == 1
    read = [len(call.response["messages"]) for call in sandbox.calls_to("conversations.history")]
    assert sum(read) <= 251  # from the claim on, every page of it, and nothing older


def _queue_reply(engine: Engine, parent_id: int) -> int:
    """A reply in the thread of outbox row `parent_id`, as the lead's answer to a question."""
    runtime = make_runtime(engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.NOTICE,
            payload={
                "method": "chat.postMessage",
                "args": {"text": "Lena replied: yes, Friday is fine"},
                "thread_of": parent_id,
            },
            due_at=NOW,
            now=NOW,
        )
        assert row is not None
        return row.id


def _thread_chatter(sandbox: SandboxServer, thread_ts: str, count: int, prefix: str) -> None:
    """`count` replies in a thread: the owner's own and the bot's other replies, with metadata."""
    channel = sandbox.workspace.dm_id(OWNER)
    for number in range(count):
        ts = sandbox.state.next_ts()
        if number % 2:
            said: dict[str, Any] = {
                "type": "message",
                "user": OWNER,
                "text": prefix,
                "ts": ts,
                "thread_ts": thread_ts,
            }
        else:
            said = sandbox.state.bot_message(
                ts=ts,
                text=prefix,
                blocks=None,
                thread_ts=thread_ts,
                metadata={
                    "event_type": "delegate_bot_notice",
                    "event_payload": {"outbox_id": 100_000 + number},
                },
            )
        sandbox.state.store_message(channel, said)


def test_a_killed_sweeper_in_a_busy_thread_is_not_repeated(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    # A thread reply is not in conversations.history (only top-level messages are): a
    # lookup there never finds it, and the reply went out twice.
    wall = WallClock(NOW - dt.timedelta(hours=2))
    sandbox = make_slack_sandbox(wall_clock=wall)
    client = WebClient(base_url=sandbox.api_url, token=sandbox.workspace.bot_token)
    parent_id = _queue(migrated_engine)
    first = OutboxSender(make_runtime(migrated_engine, Clock(NOW)), client, worker="first")
    try:
        assert first.sweep() == 1  # the parent goes out two hours before the reply
    finally:
        first.close()
    [parent] = sandbox.messages(OWNER)
    _thread_chatter(sandbox, parent["ts"], 300, "before")  # older than the reply's claim
    reply_id = _queue_reply(migrated_engine, parent_id)
    wall.now = NOW
    _kill_a_sweeper(migrated_engine, sandbox, "after_answer")  # claimed and sent at NOW
    wall.now = NOW + dt.timedelta(seconds=20)
    _thread_chatter(sandbox, parent["ts"], 250, "after")  # 250 newer replies in the thread
    _chatter(sandbox, 250, "after")  # and a busy DM besides

    survivor = OutboxSender(
        make_runtime(migrated_engine, Clock(NOW + LEASE * 2)), client, worker="survivor"
    )
    try:
        assert survivor.sweep() == 1
    finally:
        survivor.close()
    mine = [
        message
        for message in sandbox.messages(OWNER)
        if (message.get("metadata") or {}).get("event_payload") == {"outbox_id": reply_id}
    ]
    assert len(mine) == 1
    assert mine[0]["thread_ts"] == parent["ts"]
    done = outbox_row(migrated_engine, reply_id)
    assert (done.state, done.ts) == (OutboxState.SENT, mine[0]["ts"])
    replies = [c for c in sandbox.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1  # the doomed sweeper's, and no other
    read = [len(call.response["messages"]) for call in sandbox.calls_to("conversations.replies")]
    assert sum(read) <= 1 + 251  # the parent, then from the claim on and nothing older
