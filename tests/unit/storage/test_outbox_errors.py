"""Slack's failures by class: transient ones retry until sent, permanent ones fail visibly,
unknown ones retry a few times and then fail visibly; a lost answer never doubles a message.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.domain.types import OutboxKind, OutboxState
from bot.runtime import Runtime
from bot.services.delivery import tell_lead_of_failure
from sandbox.server import SandboxServer
from scheduler.sender import LEASE, MAX_BACKOFF, UNKNOWN_ATTEMPTS, OutboxSender
from scheduler.slack_errors import TRANSIENT_CODES, ErrorClass, classify, may_have_landed
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox
from storage.outbox import claim_due
from tests.helpers.clock import NOW, Clock
from tests.helpers.outbox import outbox_row
from tests.helpers.runtime import TEAM, make_runtime
from tests.helpers.storage import person, task

LEAD = "U0SBLENA1"
OWNERS = ("U0SBMARC1", "U0SBPRIY1", "U0SBCHLO1")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (200, "internal_error", ErrorClass.TRANSIENT),
        (200, "fatal_error", ErrorClass.TRANSIENT),
        (200, "service_unavailable", ErrorClass.TRANSIENT),
        (200, "request_timeout", ErrorClass.TRANSIENT),
        (200, "ratelimited", ErrorClass.TRANSIENT),
        (200, "team_added_to_org", ErrorClass.TRANSIENT),
        (429, "ratelimited", ErrorClass.TRANSIENT),
        (500, "internal_error", ErrorClass.TRANSIENT),
        (503, "", ErrorClass.TRANSIENT),
        (502, "channel_not_found", ErrorClass.TRANSIENT),  # a proxy's 5xx says nothing more
        (200, "channel_not_found", ErrorClass.PERMANENT),
        (200, "account_inactive", ErrorClass.PERMANENT),
        (200, "invalid_blocks", ErrorClass.PERMANENT),
        (200, "is_archived", ErrorClass.PERMANENT),
        (200, "cant_update_message", ErrorClass.PERMANENT),
        (200, "not_enabled", ErrorClass.PERMANENT),
        (200, "invalid_auth", ErrorClass.PERMANENT),
        (400, "invalid_arguments", ErrorClass.PERMANENT),
        (200, "something_slack_added_later", ErrorClass.UNKNOWN),
        (404, "http_404", ErrorClass.UNKNOWN),
        (200, "", ErrorClass.UNKNOWN),
    ],
)
def test_classify(status: int, code: str, expected: ErrorClass) -> None:
    assert classify(status, code) is expected


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (200, "internal_error", True),
        (200, "fatal_error", True),
        (500, "", True),
        (429, "ratelimited", False),
        (200, "ratelimited", False),
        (200, "request_timeout", False),  # the request never arrived whole
        (200, "channel_not_found", False),
    ],
)
def test_may_have_landed(status: int, code: str, expected: bool) -> None:
    assert may_have_landed(status, code) is expected


def _queue(runtime: Runtime, count: int) -> list[int]:
    """`count` briefs from the lead to the owners, each on its own task."""
    ids = []
    with session_scope(runtime.sessions) as session:
        lead = person(session, TEAM, LEAD)
        owners = [person(session, TEAM, owner) for owner in OWNERS]
        for number in range(count):
            owner = owners[number % len(owners)]
            brief_task = task(session, TEAM, lead, owner, title=f"task {number}")
            row = repo.enqueue_outbox(
                session=session,
                team_id=TEAM,
                kind=OutboxKind.BRIEF,
                payload={
                    "method": "chat.postMessage",
                    "args": {"channel": owner.slack_user_id, "text": f"brief {number}"},
                },
                due_at=NOW,
                now=NOW,
                task_id=brief_task.id,
                recipient_id=owner.id,
            )
            assert row is not None
            ids.append(row.id)
    return ids


def _sender(runtime: Runtime, sandbox: SandboxServer, timeout: int | float = 30) -> OutboxSender:
    client = WebClient(
        base_url=sandbox.api_url,
        token=sandbox.workspace.bot_token,
        timeout=timeout,  # type: ignore[arg-type]  # urllib takes fractions of a second
    )
    return OutboxSender(
        runtime,
        client,
        worker="t",
        after_failed=functools.partial(tell_lead_of_failure, runtime),
    )


def _delivered(sandbox: SandboxServer) -> Counter[int]:
    """How many messages Slack holds for each outbox row, read from their metadata."""
    ids: Counter[int] = Counter()
    for user in (*OWNERS, LEAD):
        for message in sandbox.messages(user):
            ids[message["metadata"]["event_payload"]["outbox_id"]] += 1
    return ids


def _sweep_until_quiet(sender: OutboxSender, clock: Clock, rounds: int = 30) -> None:
    """Sweep, moving the clock past any backoff, until nothing is due any more."""
    for _ in range(rounds):
        while sender.sweep():
            pass
        clock.now += MAX_BACKOFF
    with session_scope(sender._runtime.sessions) as session:
        pending = session.scalar(
            sa.select(sa.func.count()).where(
                Outbox.state.in_([OutboxState.PENDING, OutboxState.CLAIMED])
            )
        )
    assert pending == 0


@pytest.mark.parametrize("code", sorted(TRANSIENT_CODES))
def test_a_storm_of_transient_answers_loses_and_doubles_nothing(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer], code: str
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    ids = _queue(runtime, 12)
    # 30 refusals over 12 rows: most rows are refused two or three times in a row; where Slack
    # says the call may have half-succeeded, half of them really did deliver the message.
    sandbox.faults.add("chat.postMessage", "error", error=code, times=15)
    accepted = may_have_landed(200, code)
    sandbox.faults.add("chat.postMessage", "error", error=code, times=15, accepted=accepted)
    sender = _sender(runtime, sandbox)
    try:
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    assert _delivered(sandbox) == Counter({row_id: 1 for row_id in ids})
    for row_id in ids:
        assert outbox_row(runtime, row_id).state is OutboxState.SENT
    assert sandbox.messages(LEAD) == []  # nobody was told of a failure that did not happen
    refused = [c for c in sandbox.calls_to("chat.postMessage") if c.fault]
    assert len(refused) >= 24  # a row Slack did keep is found, not posted, on its next try
    assert {c.params["metadata"]["event_payload"]["outbox_id"] for c in refused} == set(ids)


@pytest.mark.parametrize("code", ["account_inactive", "invalid_blocks", "is_archived"])
def test_a_permanent_answer_fails_at_once_and_the_lead_hears(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer], code: str
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [row_id] = _queue(runtime, 1)
    sandbox.faults.add("chat.postMessage", "error", error=code)
    sender = _sender(runtime, sandbox)
    try:
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    failed = outbox_row(runtime, row_id)
    assert (failed.state, failed.last_error, failed.attempts) == (OutboxState.FAILED, code, 1)
    [note] = sandbox.messages(LEAD)
    assert f"`{code}`" in note["text"]


def test_an_unknown_answer_is_retried_a_few_times_then_fails_visibly(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [row_id] = _queue(runtime, 1)
    sandbox.faults.add("chat.postMessage", "error", error="brand_new_error", times=UNKNOWN_ATTEMPTS)
    sender = _sender(runtime, sandbox)
    try:
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    failed = outbox_row(runtime, row_id)
    assert (failed.state, failed.last_error) == (OutboxState.FAILED, "brand_new_error")
    assert failed.attempts == UNKNOWN_ATTEMPTS
    assert sandbox.messages(OWNERS[0]) == []
    [note] = sandbox.messages(LEAD)
    assert "`brand_new_error`" in note["text"]


def test_ratelimited_on_200_honours_retry_after_and_costs_no_attempt(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [row_id] = _queue(runtime, 1)
    sandbox.faults.add("chat.postMessage", "error", error="ratelimited", retry_after=42)
    sandbox.faults.add("chat.postMessage", "error", error="ratelimited")  # no Retry-After
    sender = _sender(runtime, sandbox)
    try:
        sender.sweep()
        waiting = outbox_row(runtime, row_id)
        assert (waiting.state, waiting.due_at, waiting.attempts) == (
            OutboxState.PENDING,
            NOW + dt.timedelta(seconds=42),
            0,
        )
        clock.now = waiting.due_at
        sender.sweep()
        assert outbox_row(runtime, row_id).due_at == clock.now + dt.timedelta(seconds=5)  # backoff
        clock.now += dt.timedelta(seconds=5)
        sender.sweep()
    finally:
        sender.close()
    assert outbox_row(runtime, row_id).state is OutboxState.SENT
    assert len(sandbox.messages(OWNERS[0])) == 1


@pytest.mark.parametrize(
    ("kind", "delay"),
    [("drop", 1.0), ("slow", 0.6), ("server_error", 1.0)],
)
def test_an_answer_lost_after_slack_took_the_message_does_not_double_it(
    migrated_engine: Engine,
    make_slack_sandbox: Callable[..., SandboxServer],
    kind: str,
    delay: float,
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [row_id] = _queue(runtime, 1)
    # Slack posts the message, then the connection drops, the client times out, or a 500.
    sandbox.faults.add("chat.postMessage", kind, accepted=True, delay=delay)
    sender = _sender(runtime, sandbox, timeout=0.2)
    try:
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    [message] = sandbox.messages(OWNERS[0])
    sent = outbox_row(runtime, row_id)
    assert (sent.state, sent.ts) == (OutboxState.SENT, message["ts"])


def test_a_failing_lookup_is_retried_not_fatal(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [row_id] = _queue(runtime, 1)
    with session_scope(runtime.sessions) as session:
        claim_due(session=session, now=NOW, worker="dead", lease=LEASE, limit=1)
    clock.now = NOW + LEASE * 2
    sandbox.faults.add("conversations.open", "drop")
    sandbox.faults.add("conversations.history", "server_error")
    sandbox.faults.add("conversations.history", "error", error="service_unavailable")
    sender = _sender(runtime, sandbox)
    try:
        sender.sweep()  # the lookup's connection drops
        waiting = outbox_row(runtime, row_id)
        assert waiting.state is OutboxState.PENDING
        assert (waiting.last_error or "").startswith("network:")
        assert waiting.lease_until is not None  # the next attempt looks again first
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    assert len(sandbox.messages(OWNERS[0])) == 1
    assert outbox_row(runtime, row_id).state is OutboxState.SENT
    assert sandbox.faults.armed == []


def _queue_reply(runtime: Runtime, parent_id: int) -> int:
    """A reply in the thread of outbox row `parent_id`."""
    with session_scope(runtime.sessions) as session:
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.NOTICE,
            payload={
                "method": "chat.postMessage",
                "args": {"text": "a reply"},
                "thread_of": parent_id,
            },
            due_at=NOW,
            now=NOW,
        )
        assert row is not None
        return row.id


def test_thread_replies_are_looked_for_in_their_thread_and_only_when_reclaimed(
    migrated_engine: Engine, make_slack_sandbox: Callable[..., SandboxServer]
) -> None:
    sandbox = make_slack_sandbox(validate=False)
    clock = Clock(NOW)
    runtime = make_runtime(migrated_engine, clock)
    [parent_id] = _queue(runtime, 1)
    first_reply = _queue_reply(runtime, parent_id)
    sender = _sender(runtime, sandbox)
    try:
        assert sender.sweep() == 2  # parent, then its reply in the same batch
        # The hot path: nothing was reclaimed, so nothing was looked for.
        assert sandbox.calls_to("conversations.replies") == []
        assert sandbox.calls_to("conversations.history") == []
        second_reply = _queue_reply(runtime, parent_id)
        with session_scope(runtime.sessions) as session:
            claim_due(session=session, now=NOW, worker="dead", lease=LEASE, limit=1)
        clock.now = NOW + LEASE * 2
        # The lookup in the thread fails for a while: the row waits, it is not posted blind.
        sandbox.faults.add("conversations.replies", "server_error")
        sandbox.faults.add("conversations.replies", "error", error="service_unavailable")
        _sweep_until_quiet(sender, clock)
    finally:
        sender.close()
    [parent, *replies] = sandbox.messages(OWNERS[0])
    assert [r["metadata"]["event_payload"]["outbox_id"] for r in replies] == [
        first_reply,
        second_reply,
    ]
    assert {r["thread_ts"] for r in replies} == {parent["ts"]}
    looked = sandbox.calls_to("conversations.replies")
    assert len(looked) == 3 and {c.params["ts"] for c in looked} == {parent["ts"]}
    assert sandbox.calls_to("conversations.history") == []
    assert sandbox.faults.armed == []
