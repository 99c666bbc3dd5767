"""Sending a brief: the modal's inline errors, the load warning, and the owner's DM."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState, TaskState
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import AuditEvent, Checkpoint, Outbox, Task
from tests.helpers.flows import (
    INJECTION,
    LEAD,
    OWNER,
    open_modal,
    submit,
    texts,
    today,
    values,
    wait_until,
)

pytestmark = pytest.mark.e2e


def _sent_kinds(database: sa.Engine) -> set[OutboxKind]:
    """Which kinds of message the bot has recorded as sent."""
    with database.connect() as db:
        query = sa.select(Outbox.kind).where(Outbox.state == OutboxState.SENT)
        return set(db.execute(query).scalars())


def test_brief_reaches_the_owner_and_the_lead_gets_a_receipt(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    delivery = submit(slack_sandbox, http_slack, risks=INJECTION, title=f"Deck {INJECTION}")
    assert delivery.status == 200
    assert delivery.ack in (None, {}), delivery.ack  # the modal closes
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=2, timeout=10)
    by_channel = {call.params["channel"]: call for call in posts}
    brief = by_channel[OWNER]
    assert brief.ok, brief.response
    actions = next(b for b in brief.params["blocks"] if b["type"] == "actions")
    assert [e["text"]["text"] for e in actions["elements"]] == [
        "Confirm in my own words",
        "I have a question",
        "I can't take this",
    ]
    # Slack parses mentions and links only in mrkdwn (plain_text headers show them as typed).
    shown = texts(brief.params["blocks"], only="mrkdwn") + brief.params["text"]
    assert "Keep Acme at a flat price" in shown and "Outline shared" in shown
    assert (
        "<!channel>" not in shown and "<https://evil" not in shown and "<@U0SBTOM01>" not in shown
    )
    assert "&lt;!channel&gt;" in shown
    assert brief.params["metadata"]["event_type"] == "delegate_bot_brief"
    receipt = by_channel[LEAD]
    assert "I'll tell you when they have confirmed it" in texts(receipt.params["blocks"])

    # Slack has both messages; the bot records them as sent a moment after Slack answers.
    wait_until(lambda: _sent_kinds(database) == {OutboxKind.BRIEF, OutboxKind.RECEIPT})
    with database.connect() as db:
        task = db.execute(sa.select(Task)).one()
        assert task.state == TaskState.AWAITING_CONFIRMATION
        assert task.title.startswith("Deck <!channel>")  # stored as typed, escaped on display
        assert db.scalar(sa.select(sa.func.count()).select_from(Checkpoint)) == 1
        assert db.execute(sa.select(AuditEvent.action)).scalars().all() == ["created"]
        rows = db.execute(sa.select(Outbox.kind, Outbox.state, Outbox.due_at)).all()
        sent = {row.kind for row in rows if row.state == OutboxState.SENT}
        assert sent == {OutboxKind.BRIEF, OutboxKind.RECEIPT}
        # A reminder after one working day of silence, a note to the lead after two.
        waiting = sorted(row for row in rows if row.state == OutboxState.PENDING)
        assert [row.kind for row in sorted(waiting, key=lambda r: r.due_at)] == [
            OutboxKind.CONFIRMATION_REMINDER,
            OutboxKind.NOTICE,
        ]


@pytest.mark.parametrize(
    ("overrides", "block", "words"),
    [
        ({"owner": None}, "owner", "Choose the one person"),
        ({"owner": "U0SBBOT01"}, "owner", "is a bot"),
        ({"owner": "U0SBDANA1"}, "owner", "deactivated"),
        ({"owner": LEAD}, "owner", "You're the lead"),
        (
            {"due_date": "2020-01-01", "checkpoint_1_text": None, "checkpoint_1_date": None},
            "due_date",
            "has passed",
        ),
        ({"due_date": (today() + timedelta(days=400)).isoformat()}, "due_date", "year"),
        ({"checkpoint_1_date": "2020-01-01"}, "checkpoint_1_date", "passed"),
        (
            {"checkpoint_1_date": (today() + timedelta(days=30)).isoformat()},
            "checkpoint_1_date",
            "before the due date",
        ),
        ({"goal": "g" * 2001}, "goal", "under 2000 characters"),
        ({"update_channel": "C0SBRAND1"}, "update_channel", "/invite @Delegate"),
    ],
)
def test_bad_brief_gets_an_inline_error_and_sends_nothing(
    slack_sandbox: SandboxServer,
    http_slack: Deliverer,
    overrides: dict[str, Any],
    block: str,
    words: str,
) -> None:
    delivery = submit(slack_sandbox, http_slack, **overrides)
    assert delivery.ack is not None
    assert delivery.ack["response_action"] == "errors"
    assert list(delivery.ack["errors"]) == [block]
    assert words in delivery.ack["errors"][block]
    assert slack_sandbox.calls_to("chat.postMessage") == []


def test_owner_at_the_soft_limit_needs_a_confirm_step(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    for number in range(5):
        assert submit(slack_sandbox, http_slack, title=f"Task {number}").ack in (None, {})
    slack_sandbox.wait_for_call("chat.postMessage", count=10, timeout=10)
    view_id = open_modal(slack_sandbox, http_slack, count=6)
    warned = http_slack.view_submission(LEAD, view_id, values(title="Task 6"))
    assert warned.ack is not None and warned.ack["response_action"] == "update"
    warning = texts(warned.ack["view"]["blocks"])
    assert f"<@{OWNER}> already owns 5 open delegations" in warning
    sent = http_slack.view_submission(
        LEAD, view_id, values(title="Task 6", confirm_overload=["send_anyway"])
    )
    assert sent.ack in (None, {})
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=12, timeout=10)
    assert any("now has 6 open delegations" in texts(call.params["blocks"]) for call in posts)
    with database.connect() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Task)) == 6


def test_add_a_checkpoint_row(slack_sandbox: SandboxServer, http_slack: Deliverer) -> None:
    view_id = open_modal(slack_sandbox, http_slack)
    delivery = http_slack.block_action(LEAD, "brief_add_checkpoint", view=view_id)
    assert delivery.status == 200
    update = slack_sandbox.wait_for_call("views.update", count=2, timeout=10)[-1]
    assert update.ok, update.response
    block_ids = {block.get("block_id") for block in update.params["view"]["blocks"]}
    assert {"checkpoint_2_text", "checkpoint_2_date"} <= block_ids
