"""Exactly once: three sweepers racing over the same due rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.domain.types import OutboxKind, OutboxState
from sandbox.server import SandboxServer
from scheduler.sender import OutboxSender
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import TEAM, make_runtime

ROWS = 1000
RECIPIENTS = ("U0SBMARC1", "U0SBPRIY1", "U0SBCHLO1", "U0SBANA01")


def _fill(engine: Engine, clock: Clock) -> None:
    runtime = make_runtime(engine, clock)
    with session_scope(runtime.sessions) as session:
        for number in range(ROWS):
            repo.enqueue_outbox(
                session=session,
                team_id=TEAM,
                kind=OutboxKind.NOTICE,
                payload={
                    "method": "chat.postMessage",
                    "args": {"channel": RECIPIENTS[number % 4], "text": f"message {number}"},
                },
                due_at=NOW,
                now=NOW,
            )


def _race(engine: Engine, sandbox: SandboxServer, clock: Clock) -> Counter[str]:
    """Three sweepers, each in its own thread, sweep until nothing is due; rows per worker."""
    senders = [
        OutboxSender(
            make_runtime(engine, clock),
            WebClient(base_url=sandbox.api_url, token=sandbox.workspace.bot_token),
            worker=name,
            batch=25,
        )
        for name in ("a", "b", "c")
    ]

    def run(sender: OutboxSender) -> int:
        claimed = 0
        while (batch := sender.sweep()) > 0:
            claimed += batch
        return claimed

    with ThreadPoolExecutor(3) as pool:
        claims = dict(zip("abc", pool.map(run, senders), strict=True))
    for sender in senders:
        sender.close()
    return Counter(claims)


def _delivered(sandbox: SandboxServer) -> Counter[int]:
    """How many messages Slack holds for each outbox row, read from their metadata."""
    ids: Counter[int] = Counter()
    for user in RECIPIENTS:
        for message in sandbox.messages(user):
            ids[message["metadata"]["event_payload"]["outbox_id"]] += 1
    return ids


def _states(engine: Engine) -> Counter[OutboxState]:
    with engine.connect() as db:
        return Counter(OutboxState(s) for s in db.execute(sa.select(Outbox.state)).scalars())


def test_three_sweepers_send_every_row_exactly_once(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    _fill(migrated_engine, clock)
    claims = _race(migrated_engine, sandbox, clock)
    delivered = _delivered(sandbox)
    assert len(delivered) == ROWS and set(delivered.values()) == {1}
    assert _states(migrated_engine) == Counter({OutboxState.SENT: ROWS})
    assert sum(claims.values()) == ROWS  # no row was claimed twice either


def test_rate_limits_and_server_errors_delay_but_never_duplicate(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    sandbox.faults.add("chat.postMessage", "ratelimited", times=30, retry_after=7)
    sandbox.faults.add("chat.postMessage", "server_error", times=30)
    clock = Clock(NOW)
    _fill(migrated_engine, clock)
    rounds = 0
    while _states(migrated_engine).get(OutboxState.SENT, 0) < ROWS:
        _race(migrated_engine, sandbox, clock)
        clock.now += dt.timedelta(seconds=10)  # Slack's pauses pass without anyone sleeping
        rounds += 1
        assert rounds < 50, _states(migrated_engine)
    delivered = _delivered(sandbox)
    assert len(delivered) == ROWS and set(delivered.values()) == {1}
    faulted = [call for call in sandbox.calls if call.fault is not None]
    assert len(faulted) == 60
    with migrated_engine.connect() as db:
        retried = db.scalar(sa.select(sa.func.count()).where(Outbox.attempts > 1))
    assert retried == 30  # a rate limit gives its attempt back; the 30 server errors count
