"""The outbox: claiming with a lease, fenced settling, and the sender against the sandbox."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState
from bot.runtime import Runtime
from sandbox.server import SandboxServer
from scheduler.sender import LEASE, OutboxSender, _phases
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox
from storage.outbox import ClaimedMessage, claim_due, mark_sent, retry_later
from tests.helpers.clock import NOW, Clock
from tests.helpers.outbox import enqueue_notice, outbox_row
from tests.helpers.runtime import TEAM, make_runtime


def test_claim_takes_only_due_rows_and_fences_settling(migrated_engine: Engine) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    due = enqueue_notice(runtime, "U1", "now")
    later = enqueue_notice(runtime, "U1", "later", due=NOW + dt.timedelta(hours=1))
    with session_scope(runtime.sessions) as session:
        claimed = claim_due(session=session, now=NOW, worker="a", lease=LEASE, limit=10)
    assert [m.id for m in claimed] == [due]
    assert claimed[0].attempts == 1
    with session_scope(runtime.sessions) as session:
        assert claim_due(session=session, now=NOW, worker="b", lease=LEASE, limit=10) == []
    # After the lease runs out, another worker takes the row over; the first cannot settle it.
    expired = NOW + LEASE + dt.timedelta(seconds=1)
    with session_scope(runtime.sessions) as session:
        retaken = claim_due(session=session, now=expired, worker="b", lease=LEASE, limit=10)
    assert [m.id for m in retaken] == [due]
    with session_scope(runtime.sessions) as session:
        assert not mark_sent(
            session=session, message_id=due, worker="a", channel="D1", ts="1.1", now=NOW
        )
        assert mark_sent(
            session=session, message_id=due, worker="b", channel="D1", ts="1.2", now=NOW
        )
    assert outbox_row(runtime, due).ts == "1.2"
    assert outbox_row(runtime, later).state is OutboxState.PENDING


def test_retry_later_returns_the_row(migrated_engine: Engine) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    row_id = enqueue_notice(runtime, "U1", "x")
    with session_scope(runtime.sessions) as session:
        claim_due(session=session, now=NOW, worker="a", lease=LEASE, limit=1)
        later = NOW + dt.timedelta(seconds=30)
        assert retry_later(session=session, message_id=row_id, worker="a", due_at=later, error="e")
    row = outbox_row(runtime, row_id)
    assert (row.state, row.due_at, row.claimed_by) == (OutboxState.PENDING, later, None)


@pytest.fixture
def sender_setup(
    migrated_engine: Engine, slack_sandbox: SandboxServer
) -> tuple[Runtime, Clock, OutboxSender]:
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    client = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token)
    sender = OutboxSender(runtime, client, worker="test")
    return runtime, clock, sender


def test_sender_posts_with_metadata_and_records_the_ts(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, _, sender = sender_setup
    row_id = enqueue_notice(runtime, "U0SBMARC1", "Your brief is here")
    assert sender.sweep() == 1
    row = outbox_row(runtime, row_id)
    assert row.state is OutboxState.SENT
    [message] = slack_sandbox.messages("U0SBMARC1")
    assert (row.channel, row.ts) == ("D0SBMARC1", message["ts"])
    assert message["metadata"]["event_payload"] == {"outbox_id": row_id}
    assert sender.sweep() == 0  # nothing is sent twice


def test_rate_limit_moves_the_due_time_by_retry_after(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, clock, sender = sender_setup
    slack_sandbox.faults.add("chat.postMessage", "ratelimited", retry_after=30)
    row_id = enqueue_notice(runtime, "U0SBMARC1", "hello")
    sender.sweep()
    row = outbox_row(runtime, row_id)
    assert (row.state, row.due_at, row.last_error) == (
        OutboxState.PENDING,
        NOW + dt.timedelta(seconds=30),
        "ratelimited",
    )
    assert sender.sweep() == 0  # not due yet
    clock.now = NOW + dt.timedelta(seconds=30)
    assert sender.sweep() == 1
    assert outbox_row(runtime, row_id).state is OutboxState.SENT
    assert len(slack_sandbox.messages("U0SBMARC1")) == 1


def test_server_errors_back_off_then_succeed(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, clock, sender = sender_setup
    slack_sandbox.faults.add("chat.postMessage", "server_error", times=2)
    row_id = enqueue_notice(runtime, "U0SBMARC1", "hello")
    sender.sweep()
    assert outbox_row(runtime, row_id).due_at == NOW + dt.timedelta(seconds=5)
    clock.now = NOW + dt.timedelta(seconds=5)
    sender.sweep()
    assert outbox_row(runtime, row_id).due_at == NOW + dt.timedelta(seconds=15)
    clock.now = NOW + dt.timedelta(seconds=15)
    sender.sweep()
    row = outbox_row(runtime, row_id)
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)


def test_permanent_error_fails_the_row(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, _, sender = sender_setup
    row_id = enqueue_notice(runtime, "C0NOSUCH", "hello")
    sender.sweep()
    row = outbox_row(runtime, row_id)
    assert (row.state, row.last_error) == (OutboxState.FAILED, "channel_not_found")
    with session_scope(runtime.sessions) as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Outbox))
    assert count == 1


def _enqueue_payload(runtime: Runtime, payload: dict[str, object]) -> int:
    with session_scope(runtime.sessions) as session:
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.NOTICE,
            payload=payload,
            due_at=NOW,
            now=NOW,
        )
        assert row is not None
        return row.id


def test_edit_and_thread_reply_wait_for_the_original(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, clock, sender = sender_setup
    slack_sandbox.faults.add("chat.postMessage", "server_error")
    original = enqueue_notice(runtime, "U0SBMARC1", "Your brief")
    edit = _enqueue_payload(
        runtime,
        {"method": "chat.update", "args": {"text": "Approved"}, "update_of": original},
    )
    reply = _enqueue_payload(
        runtime,
        {"method": "chat.postMessage", "args": {"text": "Answer"}, "thread_of": original},
    )
    sender.sweep()  # the original hits a 500; the edit and the reply must wait for it
    assert outbox_row(runtime, edit).last_error == "original_pending"
    assert outbox_row(runtime, reply).state is OutboxState.PENDING
    clock.now = NOW + dt.timedelta(seconds=5)
    sender.sweep()
    sender.sweep()
    first = outbox_row(runtime, original)
    assert first.state is OutboxState.SENT
    assert outbox_row(runtime, edit).state is OutboxState.SENT
    assert outbox_row(runtime, reply).state is OutboxState.SENT
    [shown, answer] = slack_sandbox.messages("U0SBMARC1")
    assert shown["ts"] == first.ts and shown["text"] == "Approved"
    assert answer["thread_ts"] == first.ts and answer["text"] == "Answer"


def test_two_edits_of_one_message_in_a_batch_land_in_order(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, _, sender = sender_setup
    original = enqueue_notice(runtime, "U0SBMARC1", "Your brief")
    sender.sweep()
    accepted = _enqueue_payload(
        runtime, {"method": "chat.update", "args": {"text": "Accepted"}, "update_of": original}
    )
    thanked = _enqueue_payload(
        runtime, {"method": "chat.update", "args": {"text": "Thanked"}, "update_of": original}
    )
    # The older edit is answered slowly: sent side by side, it would land last and win.
    slack_sandbox.faults.add("chat.update", "slow", delay=0.5)
    sender.sweep()
    assert outbox_row(runtime, accepted).state is OutboxState.SENT
    assert outbox_row(runtime, thanked).state is OutboxState.SENT
    [shown] = slack_sandbox.messages("U0SBMARC1")
    assert shown["text"] == "Thanked"


def test_phases_keep_references_and_edits_of_one_message_apart() -> None:
    def row(row_id: int, **refs: int) -> ClaimedMessage:
        return ClaimedMessage(
            id=row_id,
            team_id="T1",
            kind=OutboxKind.CHECKIN,
            payload={"method": "chat.update", "args": {}, **refs},
            attempts=1,
            task_id=None,
        )

    batch = [
        row(5, update_of=1),
        row(2),
        row(3, thread_of=2),
        row(4, update_of=1),
        row(6, update_of=3),
        row(7),
    ]
    phases = [[message.id for message in phase] for phase in _phases(batch)]
    assert phases == [[2, 4, 7], [3, 5], [6]]


def test_edit_of_a_failed_message_fails(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, _, sender = sender_setup
    original = enqueue_notice(runtime, "C0NOSUCH", "lost")
    sender.sweep()
    edit = _enqueue_payload(
        runtime, {"method": "chat.update", "args": {"text": "x"}, "update_of": original}
    )
    sender.sweep()
    assert outbox_row(runtime, edit).state is OutboxState.FAILED


def test_after_sent_hook_runs_only_for_sent_rows(
    migrated_engine: Engine, slack_sandbox: SandboxServer
) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    seen: list[tuple[int, OutboxState]] = []

    def hook(session: Session, sent: ClaimedMessage) -> None:
        # Same transaction as mark_sent: the row already reads as sent here.
        row = session.get(Outbox, sent.id)
        assert row is not None
        seen.append((sent.id, row.state))

    client = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token)
    sender = OutboxSender(runtime, client, worker="test", after_sent={OutboxKind.NOTICE: hook})
    ok = enqueue_notice(runtime, "U0SBMARC1", "hello")
    enqueue_notice(runtime, "C0NOSUCH", "lost")
    sender.sweep()
    assert seen == [(ok, OutboxState.SENT)]


def test_a_sender_that_died_after_slack_answered_is_not_repeated(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, clock, sender = sender_setup
    row_id = enqueue_notice(runtime, "U0SBMARC1", "Your brief")
    # The first sweeper claims the row and Slack accepts its message, then the process dies
    # before it can record the ts.
    with session_scope(runtime.sessions) as session:
        [claimed] = claim_due(session=session, now=NOW, worker="dead", lease=LEASE, limit=1)
    client = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token)
    metadata = {"event_type": "delegate_bot_notice", "event_payload": {"outbox_id": claimed.id}}
    posted = client.chat_postMessage(channel="U0SBMARC1", text="Your brief", metadata=metadata)
    clock.now = NOW + LEASE + dt.timedelta(seconds=1)
    assert sender.sweep() == 1
    row = outbox_row(runtime, row_id)
    assert (row.state, row.ts, row.claimed_by) == (OutboxState.SENT, posted["ts"], "test")
    assert len(slack_sandbox.messages("U0SBMARC1")) == 1


def test_a_sender_that_died_before_sending_is_taken_over_after_the_lease(
    sender_setup: tuple[Runtime, Clock, OutboxSender], slack_sandbox: SandboxServer
) -> None:
    runtime, clock, sender = sender_setup
    row_id = enqueue_notice(runtime, "U0SBMARC1", "Your brief")
    with session_scope(runtime.sessions) as session:
        claim_due(session=session, now=NOW, worker="dead", lease=LEASE, limit=1)
    assert sender.sweep() == 0  # still leased to the dead sweeper
    clock.now = NOW + LEASE + dt.timedelta(seconds=1)
    assert sender.sweep() == 1
    assert outbox_row(runtime, row_id).state is OutboxState.SENT
    [message] = slack_sandbox.messages("U0SBMARC1")
    assert message["metadata"]["event_payload"] == {"outbox_id": row_id}
