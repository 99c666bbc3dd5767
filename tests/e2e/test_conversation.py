"""The owner asks a question or declines; the lead replies, reassigns or cancels."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.domain.types import TaskState
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import AuditEvent, Task
from tests.helpers.flows import INJECTION, LEAD, OWNER, click, send_brief, texts

pytestmark = pytest.mark.e2e


def _fill_note(sandbox: SandboxServer, slack: Deliverer, user: str, opened: int, text: str) -> None:
    modal = sandbox.wait_for_call("views.open", count=opened, timeout=10)[-1]
    assert modal.ok, modal.response
    empty = slack.view_submission(user, modal.response["view"]["id"], {"note": {"value": "  "}})
    assert empty.ack is not None and empty.ack["response_action"] == "errors"
    sent = slack.view_submission(user, modal.response["view"]["id"], {"note": {"value": text}})
    assert sent.ack in (None, {}), sent.ack


def test_question_reaches_the_lead_and_the_reply_lands_in_the_brief_thread(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    click(http_slack, OWNER, "brief_question", brief)
    _fill_note(slack_sandbox, http_slack, OWNER, 2, f"Can I involve Priya? {INJECTION}")
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    question = next(
        c for c in posts if c.params["channel"] == LEAD and "question" in c.params["text"]
    )
    shown = texts(question.params["blocks"], only="mrkdwn")
    assert "Can I involve Priya?" in shown and "<!channel>" not in shown
    echo = next(c for c in posts if c.params.get("thread_ts") == brief.response["ts"])
    assert "You asked" in echo.params["text"]

    click(http_slack, "U0SBTOM01", "question_reply", question)
    tom = slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)[-1]
    assert tom.params["text"] == f"Only <@{LEAD}> can do this."
    click(http_slack, LEAD, "question_reply", question)
    _fill_note(slack_sandbox, http_slack, LEAD, 3, "Yes, Priya knows their stack.")
    replies = slack_sandbox.wait_for_call("chat.postMessage", count=5, timeout=10)
    answer = replies[-1]
    assert answer.params["thread_ts"] == brief.response["ts"]
    assert answer.params["channel"] == brief.response["channel"]
    assert "Priya knows their stack" in answer.params["text"]
    with database.connect() as db:
        actions = db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
        assert list(actions) == ["created", "asked", "replied"]
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_CONFIRMATION


def test_decline_tells_the_lead_who_can_then_cancel(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    click(http_slack, OWNER, "brief_decline", brief)
    _fill_note(
        slack_sandbox, http_slack, OWNER, 2, f"On the Globex launch until the 15th {INJECTION}"
    )
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=3, timeout=10)
    declined = posts[-1]
    assert declined.params["channel"] == LEAD
    shown = texts(declined.params["blocks"], only="mrkdwn")
    assert "Globex launch" in shown and "<!channel>" not in shown
    buttons = [
        e["action_id"]
        for b in declined.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["review_reassign", "review_cancel"]
    edit = slack_sandbox.wait_for_call("chat.update", timeout=10)[0]
    assert edit.params["ts"] == brief.response["ts"] and "You declined" in edit.params["text"]
    with database.connect() as db:
        task = db.execute(sa.select(Task.state, Task.decline_reason)).one()
        assert task.state == TaskState.DECLINED
        assert task.decline_reason.startswith("On the Globex launch")

    click(http_slack, LEAD, "review_cancel", declined)
    notices = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    assert notices[-1].params["channel"] == OWNER and "cancelled" in notices[-1].params["text"]
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.CANCELLED


def test_reassign_after_a_decline_sends_the_brief_to_the_new_owner(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    click(http_slack, OWNER, "brief_decline", brief)
    _fill_note(slack_sandbox, http_slack, OWNER, 2, "I'm on the Globex launch until the 15th.")
    declined = slack_sandbox.wait_for_call("chat.postMessage", count=3, timeout=10)[-1]
    click(http_slack, LEAD, "review_reassign", declined)
    modal = slack_sandbox.wait_for_call("views.open", count=3, timeout=10)[-1]
    assert modal.ok, modal.response
    view_id = modal.response["view"]["id"]
    for choice, words in (
        ("U0SBBOT01", "is a bot"),
        (LEAD, "You're the lead"),
        (OWNER, "already owns this"),
        ("U0SBDANA1", "deactivated"),
    ):
        refused = http_slack.view_submission(LEAD, view_id, {"owner": {"value": choice}})
        assert refused.ack is not None and words in refused.ack["errors"]["owner"], refused.ack
    priya = "U0SBPRIY1"
    done = http_slack.view_submission(LEAD, view_id, {"owner": {"value": priya}})
    assert done.ack in (None, {}), done.ack

    posts = slack_sandbox.wait_for_call("chat.postMessage", count=5, timeout=10)
    new_brief = next(c for c in posts if c.params["channel"] == priya)
    assert "Confirm in my own words" in str(new_brief.params["blocks"])
    told = next(c for c in posts[3:] if c.params["channel"] == OWNER)
    assert f"reassigned *Acme renewal deck* to <@{priya}>" in told.params["text"]
    # The owner's decline, then the old brief and the lead's message are edited in place.
    edits = slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)
    assert any("was reassigned to" in e.params["text"] for e in edits)
    assert any("You reassigned" in e.params["text"] for e in edits)

    click(http_slack, OWNER, "brief_confirm", new_brief)
    refused_old = slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)[-1]
    assert refused_old.params["text"] == f"Only <@{priya}> can do this."
    with database.connect() as db:
        row = db.execute(sa.select(Task.state, Task.owner_id)).one()
        assert row.state == TaskState.AWAITING_CONFIRMATION
        actions = db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
        assert list(actions) == ["created", "declined", "reassigned"]
