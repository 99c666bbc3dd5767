"""After approval: the first check-in is queued, sent when due, and answered with one tap."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    Rhythm,
    UpdateSource,
)
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import Outbox, Person, StatusUpdate, Task
from tests.e2e.flows import LEAD, OWNER, texts, wait_until
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
    # Restatement, review and brief (now live, with "Report progress") were edited before.
    edits = slack_sandbox.wait_for_call("chat.update", count=4, timeout=10)
    assert edits[-1].params["ts"] == checkin.response["ts"]
    assert "at risk" in edits[-1].params["text"]
    alert = slack_sandbox.wait_for_call("chat.postMessage", count=6, timeout=10)[-1]
    assert alert.params["channel"] == LEAD and "at risk" in alert.params["text"]
    with database.connect() as db:
        assert db.execute(sa.select(Task.health)).scalar_one() == Health.AT_RISK
        answers = db.execute(sa.select(StatusUpdate.answer)).scalars().all()
        assert answers == [CheckinAnswer.AT_RISK]
    # At risk tightens the rhythm to daily: the queued check-in gave way to one on the new
    # rhythm, still exactly one.
    [third] = _pending_checkins(database)
    with database.connect() as db:
        rhythm, was = db.execute(sa.select(Task.rhythm, Task.tightened_from)).one()
        assert rhythm == Rhythm.DAILY and was is not None and was != Rhythm.DAILY
        withdrawn = db.execute(sa.select(Outbox.state).where(Outbox.id == second)).scalar_one()
        assert withdrawn == OutboxState.CANCELLED and third != second


def test_owner_reports_unasked_and_settings_are_checked_inline(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = _brief_sent(slack_sandbox, http_slack)
    _restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    _click(http_slack, LEAD, "review_approve", _review(slack_sandbox))
    slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)

    # "Report progress" on the live brief opens the update modal for that task.
    _click(http_slack, OWNER, "brief_report", brief)
    modal = slack_sandbox.wait_for_call("views.open", count=3, timeout=10)[-1]
    assert modal.ok, modal.response
    view_id = modal.response["view"]["id"]
    empty_status = http_slack.view_submission(OWNER, view_id, {"status": {"value": None}})
    assert empty_status.ack == {
        "response_action": "errors",
        "errors": {"status": "Choose how it is going."},
    }
    sent = http_slack.view_submission(
        OWNER, view_id, {"status": {"value": "blocked"}, "note": {"value": "Finance <!here> late"}}
    )
    assert sent.ack in (None, {})

    def alerts() -> list[Any]:
        return [
            c
            for c in slack_sandbox.calls_to("chat.postMessage")
            if c.params["channel"] == LEAD and "blocked" in c.params["text"]
        ]

    wait_until(lambda: len(alerts()) == 1)
    [alert] = alerts()
    assert "Finance &lt;!here&gt; late" in texts(alert.params["blocks"])
    with database.connect() as db:
        update = db.execute(sa.select(StatusUpdate.answer, StatusUpdate.source)).one()
        assert (update.answer, update.source) == (CheckinAnswer.BLOCKED, UpdateSource.UNPROMPTED)

    # /delegate settings opens the owner's settings; a zone that doesn't exist is refused.
    http_slack.slash_command(OWNER, "settings")
    settings = slack_sandbox.wait_for_call("views.open", count=4, timeout=10)[-1]
    assert settings.ok, settings.response
    refused = http_slack.view_submission(
        OWNER, settings.response["view"]["id"], {"tz": {"value": "Mars/Olympus"}}
    )
    assert refused.ack is not None and "tz" in refused.ack["errors"]
    saved = http_slack.view_submission(
        OWNER, settings.response["view"]["id"], {"tz": {"value": "Asia/Kolkata"}}
    )
    assert saved.ack in (None, {})
    with database.connect() as db:
        assert (
            db.execute(
                sa.select(Person.tz_override).where(Person.slack_user_id == OWNER)
            ).scalar_one()
            == "Asia/Kolkata"
        )

    # Someone with no active delegation asking to report gets a private, specific answer.
    http_slack.slash_command(LEAD, "update")
    wait_until(
        lambda: any(
            "no active delegations" in str(e.message.get("text")) and e.source == "response_url"
            for e in slack_sandbox.ephemerals(LEAD)
        )
    )
