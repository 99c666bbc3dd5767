"""After approval: the first check-in is queued, sent when due, and answered with one tap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    Rhythm,
    TaskState,
    UpdateSource,
)
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import Outbox, Person, StatusUpdate, Task
from tests.helpers.flows import (
    GENUINE,
    LEAD,
    OWNER,
    click,
    make_due,
    pending_checkins,
    restate,
    send_brief,
    texts,
    today,
    wait_for_review,
    wait_until,
)
from tests.helpers.messages import posts

pytestmark = pytest.mark.e2e


def test_checkin_after_approval_is_answered_in_place_and_risk_reaches_the_lead(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    click(http_slack, LEAD, "review_approve", wait_for_review(slack_sandbox))
    approved = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)[-1]
    assert "the first is" in approved.params["text"]
    [first] = pending_checkins(database)

    make_due(database, first)
    slack_sandbox.wait_for_call("chat.postMessage", count=5, timeout=10)
    [checkin] = posts(slack_sandbox, OutboxKind.CHECKIN)
    assert checkin.params["channel"] == OWNER
    # Sending it queued the next one at once, so an owner's silence never ends the rhythm.
    wait_until(lambda: len(pending_checkins(database)) == 1)
    [second] = pending_checkins(database)
    assert second != first
    click(http_slack, "U0SBTOM01", "checkin_on_track", checkin)
    assert (
        "Only" in slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)[-1].params["text"]
    )

    click(http_slack, OWNER, "checkin_at_risk", checkin)
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
    [third] = pending_checkins(database)
    with database.connect() as db:
        rhythm, was = db.execute(sa.select(Task.rhythm, Task.tightened_from)).one()
        assert rhythm == Rhythm.DAILY and was is not None and was != Rhythm.DAILY
        withdrawn = db.execute(sa.select(Outbox.state).where(Outbox.id == second)).scalar_one()
        assert withdrawn == OutboxState.CANCELLED and third != second


def test_owner_reports_unasked_and_settings_are_checked_inline(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    click(http_slack, LEAD, "review_approve", wait_for_review(slack_sandbox))
    slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)

    # "Report progress" on the live brief opens the update modal for that task.
    click(http_slack, OWNER, "brief_report", brief)
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

    # /delegate update can finish the task too; Done needs a line on what was delivered.
    http_slack.slash_command(OWNER, "update")
    update_view = _opened(slack_sandbox, 5)
    no_summary = http_slack.view_submission(OWNER, update_view, {"status": {"value": "done"}})
    assert no_summary.ack == {
        "response_action": "errors",
        "errors": {"note": "Say in a sentence what is done."},
    }
    finished = http_slack.view_submission(
        OWNER, update_view, {"status": {"value": "done"}, "note": {"value": "Deck delivered"}}
    )
    assert finished.ack in (None, {})
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_ACCEPTANCE

    # Someone with no active delegation asking to report gets a private, specific answer.
    http_slack.slash_command(LEAD, "update")
    wait_until(
        lambda: any(
            "no active delegations" in str(e.message.get("text")) and e.source == "response_url"
            for e in slack_sandbox.ephemerals(LEAD)
        )
    )


def _next_checkin(sandbox: SandboxServer, database: sa.Engine, seen: int) -> Any:
    """Make the queued check-in due and return it once Slack has it (the `seen`+1-th)."""
    wait_until(lambda: len(pending_checkins(database)) == 1)
    [row] = pending_checkins(database)
    make_due(database, row)

    def checkins() -> list[Any]:
        return posts(sandbox, OutboxKind.CHECKIN)

    wait_until(lambda: len(checkins()) == seen + 1)

    def recorded() -> bool:
        with database.connect() as db:
            state = db.execute(sa.select(Outbox.state).where(Outbox.id == row)).scalar_one()
        return bool(state == OutboxState.SENT)

    wait_until(recorded)  # Slack has it a moment before the bot records it as sent
    return checkins()[-1]


def _opened(sandbox: SandboxServer, count: int) -> str:
    """The id of the `count`-th modal opened, checking Slack accepted it."""
    call = sandbox.wait_for_call("views.open", count=count, timeout=10)[-1]
    assert call.ok, call.response
    return str(call.response["view"]["id"])


def _dm_texts(sandbox: SandboxServer, user: str) -> str:
    return "\n".join(str(m.get("text")) for m in sandbox.messages(user))


def test_alert_actions_snooze_and_done_work_through_slack(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    click(http_slack, LEAD, "review_approve", wait_for_review(slack_sandbox))
    first = _next_checkin(slack_sandbox, database, seen=0)
    click(http_slack, OWNER, "checkin_blocked", first)

    def alerts() -> list[Any]:
        return posts(slack_sandbox, OutboxKind.ESCALATION, LEAD)

    wait_until(lambda: len(alerts()) == 1)
    alert = alerts()[0]

    # Reply: the owner gets the lead's words.
    click(http_slack, LEAD, "alert_reply", alert)
    reply = _opened(slack_sandbox, 3)
    assert http_slack.view_submission(LEAD, reply, {"note": {"value": ""}}).ack == {
        "response_action": "errors",
        "errors": {"note": "Please write something first."},
    }
    http_slack.view_submission(LEAD, reply, {"note": {"value": "I'll call Finance today"}})
    wait_until(lambda: "I'll call Finance today" in _dm_texts(slack_sandbox, OWNER))

    # Extend due date: a past day is refused inline, a later one reaches the owner.
    click(http_slack, LEAD, "alert_extend", alert)
    extend = _opened(slack_sandbox, 4)
    past = http_slack.view_submission(LEAD, extend, {"date": {"value": "2020-01-01"}})
    assert past.ack == {"response_action": "errors", "errors": {"date": "Pick a day after today."}}
    later = (today() + timedelta(days=40)).isoformat()
    assert http_slack.view_submission(LEAD, extend, {"date": {"value": later}}).ack in (None, {})
    wait_until(lambda: "moved the due date" in _dm_texts(slack_sandbox, OWNER))

    # Snooze 3 days from the overflow menu: the check-in says so in place.
    second = _next_checkin(slack_sandbox, database, seen=1)
    with database.connect() as db:
        task_id = db.execute(sa.select(Task.id)).scalar_one()
    http_slack.block_action(
        OWNER,
        "checkin_snooze",
        value=f"3:{task_id}",
        message=second.response["ts"],
        channel_id=second.response["channel"],
    )

    def snoozed() -> bool:
        edits = slack_sandbox.calls_to("chat.update")
        return any(
            e.params["ts"] == second.response["ts"] and "Snoozed" in e.params["text"] for e in edits
        )

    wait_until(snoozed)

    # Done: a summary is required and a link must be a link; then the lead is told.
    third = _next_checkin(slack_sandbox, database, seen=2)
    click(http_slack, OWNER, "checkin_done", third)
    done = _opened(slack_sandbox, 5)
    assert http_slack.view_submission(OWNER, done, {"summary": {"value": ""}}).ack == {
        "response_action": "errors",
        "errors": {"summary": "Say in a sentence what is done."},
    }
    bad_link = http_slack.view_submission(
        OWNER, done, {"summary": {"value": "Deck sent"}, "link": {"value": "deck.pdf"}}
    )
    assert bad_link.ack == {
        "response_action": "errors",
        "errors": {"link": "Use a web link that starts with https:// (or http://)."},
    }
    breakout = http_slack.view_submission(
        OWNER,
        done,
        {"summary": {"value": "Deck sent"}, "link": {"value": "https://a|x><!channel><https://b"}},
    )
    assert breakout.ack == {
        "response_action": "errors",
        "errors": {"link": "A link can't contain <, > or |."},
    }
    sent = http_slack.view_submission(
        OWNER,
        done,
        {"summary": {"value": "Deck sent to Acme"}, "link": {"value": "https://example.com/d"}},
    )
    assert sent.ack in (None, {})

    def acceptance() -> list[Any]:
        return [
            c
            for c in slack_sandbox.calls_to("chat.postMessage")
            if c.params["channel"] == LEAD and "is done" in c.params["text"]
        ]

    wait_until(lambda: len(acceptance()) == 1)
    question = acceptance()[0]
    assert "Deck sent to Acme" in texts(question.params["blocks"])
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_ACCEPTANCE
    assert pending_checkins(database) == []

    # Reopen asks what is missing; an empty answer is refused inline.
    click(http_slack, LEAD, "done_reopen", question)
    reopen = _opened(slack_sandbox, 6)
    assert http_slack.view_submission(LEAD, reopen, {"note": {"value": ""}}).ack == {
        "response_action": "errors",
        "errors": {"note": "Say what is missing."},
    }

    # The lead accepts, then says thanks in the owner's DM and the update channel.
    click(http_slack, OWNER, "done_accept", question)
    assert (
        "Only" in slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)[-1].params["text"]
    )
    click(http_slack, LEAD, "done_accept", question)

    def accepted() -> bool:
        return any(
            e.params["ts"] == question.response["ts"] and "Say thanks" in str(e.params)
            for e in slack_sandbox.calls_to("chat.update")
        )

    wait_until(accepted)
    click(http_slack, LEAD, "done_thanks", question)
    thanks = _opened(slack_sandbox, 7)
    sent_thanks = http_slack.view_submission(
        LEAD,
        thanks,
        {"thanks": {"value": "Superb work on this"}, "share": {"value": ["channel"]}},
    )
    assert sent_thanks.ack in (None, {})
    wait_until(lambda: "thanks" in _dm_texts(slack_sandbox, "C0SBTEAM1"))
    wait_until(lambda: ":clap:" in _dm_texts(slack_sandbox, OWNER))
    # Work outside a project: its feedback round starts on acceptance.
    wait_until(lambda: "asks for your feedback" in _dm_texts(slack_sandbox, OWNER))
    wait_until(lambda: "rate how you delegated" in _dm_texts(slack_sandbox, LEAD))
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.COMPLETED
