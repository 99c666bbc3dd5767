"""After approval: the first check-in is queued, sent when due, and answered with one tap."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.domain.types import CheckinAnswer, Health, OutboxKind, OutboxState
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import Outbox, StatusUpdate, Task
from tests.e2e.flows import LEAD, OWNER
from tests.e2e.test_confirmation import GENUINE, _brief_sent, _click, _restate, _review

pytestmark = pytest.mark.e2e


def _pending_checkins(database: sa.Engine) -> list[int]:
    with database.connect() as db:
        return list(
            db.execute(
                sa.select(Outbox.id).where(
                    Outbox.kind == OutboxKind.CHECKIN, Outbox.state == OutboxState.PENDING
                )
            ).scalars()
        )


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll another process's effect until it shows, with a deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)  # polling the bot process, not waiting for time to pass


def _make_due(database: sa.Engine, row_id: int) -> None:
    """Move a queued check-in to now, as if its morning had come."""
    with database.begin() as db:
        db.execute(sa.update(Outbox).where(Outbox.id == row_id).values(due_at=datetime.now(UTC)))


def test_checkin_after_approval_is_answered_in_place_and_risk_reaches_the_lead(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = _brief_sent(slack_sandbox, http_slack)
    _restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    _click(http_slack, LEAD, "review_approve", _review(slack_sandbox))
    approved = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)[-1]
    assert "the first is" in approved.params["text"]
    [first] = _pending_checkins(database)

    _make_due(database, first)
    checkins = [
        c
        for c in slack_sandbox.wait_for_call("chat.postMessage", count=5, timeout=10)
        if "How is" in str(c.params.get("blocks"))
    ]
    [checkin] = checkins
    assert checkin.params["channel"] == OWNER
    # Sending it queued the next one at once, so an owner's silence never ends the rhythm.
    _wait_until(lambda: len(_pending_checkins(database)) == 1)
    [second] = _pending_checkins(database)
    assert second != first
    _click(http_slack, "U0SBTOM01", "checkin_on_track", checkin)
    assert (
        "Only" in slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)[-1].params["text"]
    )

    _click(http_slack, OWNER, "checkin_at_risk", checkin)
    edits = slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)
    assert edits[-1].params["ts"] == checkin.response["ts"]
    assert "at risk" in edits[-1].params["text"]
    alert = slack_sandbox.wait_for_call("chat.postMessage", count=6, timeout=10)[-1]
    assert alert.params["channel"] == LEAD and "at risk" in alert.params["text"]
    with database.connect() as db:
        assert db.execute(sa.select(Task.health)).scalar_one() == Health.AT_RISK
        answers = db.execute(sa.select(StatusUpdate.answer)).scalars().all()
        assert answers == [CheckinAnswer.AT_RISK]
    assert _pending_checkins(database) == [second]  # answering found it queued: still once
