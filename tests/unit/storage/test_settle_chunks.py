"""Outcomes are settled together, yet one row whose hook fails spoils none of the others."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState
from sandbox.server import SandboxServer
from scheduler.sender import OutboxSender
from storage.outbox import ClaimedMessage
from tests.helpers.clock import NOW, Clock
from tests.helpers.outbox import enqueue_notice, outbox_row
from tests.helpers.runtime import make_runtime


def test_a_failing_hook_leaves_only_its_own_row_for_later(
    migrated_engine: Engine, slack_sandbox: SandboxServer
) -> None:
    runtime = make_runtime(migrated_engine, Clock(NOW))
    ids = [enqueue_notice(runtime, "U0SBMARC1", f"message {n}") for n in range(3)]
    broken = ids[1]

    def hook(_session: Session, sent: ClaimedMessage) -> None:
        if sent.id == broken:
            raise RuntimeError("hook bug")

    sender = OutboxSender(
        runtime,
        WebClient(base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token),
        worker="w",
        after_sent={OutboxKind.NOTICE: hook},
    )
    try:
        assert sender.sweep() == 3
    finally:
        sender.close()
    states = {row_id: outbox_row(runtime, row_id).state for row_id in ids}
    assert states == {
        ids[0]: OutboxState.SENT,
        broken: OutboxState.CLAIMED,  # its lease runs out, and it is looked up by metadata
        ids[2]: OutboxState.SENT,
    }
    assert len(slack_sandbox.messages("U0SBMARC1")) == 3
