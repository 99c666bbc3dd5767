"""A message Slack refuses for good reaches the lead as a note saying what to do."""

from __future__ import annotations

import functools

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.domain.types import OutboxKind, OutboxState
from bot.services.delivery import tell_lead_of_failure
from sandbox.server import SandboxServer
from scheduler.sender import OutboxSender
from storage import repositories as repo
from storage.db import session_scope
from tests.helpers.clock import NOW, Clock
from tests.helpers.outbox import outbox_row
from tests.helpers.runtime import TEAM, make_runtime
from tests.helpers.storage import person, task

LEAD, GONE = "U0SBLENA1", "U0SBDANA1"


def test_undeliverable_brief_is_reported_to_the_lead(
    migrated_engine: Engine, slack_sandbox: SandboxServer
) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        lead, owner = person(session, TEAM, LEAD), person(session, TEAM, GONE)
        brief_task = task(session, TEAM, lead, owner, title="Acme <deck>")
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.BRIEF,
            payload={"method": "chat.postMessage", "args": {"channel": GONE, "text": "Brief"}},
            due_at=NOW,
            now=NOW,
            task_id=brief_task.id,
            recipient_id=owner.id,
        )
        assert row is not None
        brief_id = row.id
    client = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token)
    sender = OutboxSender(
        runtime, client, worker="t", after_failed=functools.partial(tell_lead_of_failure, runtime)
    )
    sender.sweep()
    failed = outbox_row(runtime, brief_id)
    assert (failed.state, failed.last_error) == (OutboxState.FAILED, "account_inactive")
    sender.sweep()
    [note] = slack_sandbox.messages(LEAD)
    assert f"to <@{GONE}>" in note["text"] and "`account_inactive`" in note["text"]
    assert "reassign or cancel" in note["text"]
    assert "*Acme &lt;deck&gt;*" in note["text"]


def test_a_failed_note_to_the_lead_does_not_loop(
    migrated_engine: Engine, slack_sandbox: SandboxServer
) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        lead, owner = person(session, TEAM, GONE), person(session, TEAM, "U0SBMARC1")
        lead_task = task(session, TEAM, lead, owner)
        repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.RECEIPT,
            payload={"method": "chat.postMessage", "args": {"channel": GONE, "text": "Sent"}},
            due_at=NOW,
            now=NOW,
            task_id=lead_task.id,
            recipient_id=lead.id,
        )
    client = WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token)
    sender = OutboxSender(
        runtime, client, worker="t", after_failed=functools.partial(tell_lead_of_failure, runtime)
    )
    assert sender.sweep() == 1
    assert sender.sweep() == 0  # nothing new was queued about it
