"""The teach-back loop end to end: restate in your own words, approve, clarify, cancel."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.domain.types import RestatementOutcome, TaskState
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.models import AuditEvent, Restatement, Task
from tests.helpers.flows import (
    GENUINE,
    LEAD,
    OWNER,
    click,
    restate,
    send_brief,
    stale_click,
    texts,
    wait_for_review,
)

pytestmark = pytest.mark.e2e

COPIED = {
    "what": "Keep Acme at a flat price; they are weighing a competitor.",
    "how": "A 10-slide deck signed off by finance.",
    "why": "Keep Acme at a flat price; they are weighing a competitor.",
    "estimate": "4",
}


def _ephemeral_text(sandbox: SandboxServer, count: int) -> str:
    calls = sandbox.wait_for_call("chat.postEphemeral", count=count, timeout=10)
    return str(calls[-1].params["text"])


def test_copied_restatement_is_refused_then_own_words_reach_the_lead_who_approves(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    copied = restate(slack_sandbox, http_slack, brief, COPIED, opened=2)
    assert copied.ack is not None and copied.ack["response_action"] == "errors"
    assert "own words" in " ".join(copied.ack["errors"].values())
    short = restate(slack_sandbox, http_slack, brief, GENUINE | {"why": "Big client."}, opened=3)
    assert short.ack is not None and "why" in short.ack["errors"]

    accepted = restate(slack_sandbox, http_slack, brief, GENUINE, opened=4)
    assert accepted.ack in (None, {}), accepted.ack
    review = wait_for_review(slack_sandbox)
    shown = texts(review.params["blocks"])
    assert "biggest logo" in shown and "Keep Acme at a flat price" in shown
    assert "Estimate:" in shown
    edit = slack_sandbox.wait_for_call("chat.update", timeout=10)[0]
    assert edit.params["ts"] == brief.response["ts"]
    assert "You confirmed" in edit.params["text"]

    click(http_slack, LEAD, "review_approve", review)
    updates = slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)
    [review_edit] = [u for u in updates[1:] if "You approved" in u.params["text"]]
    assert review_edit.params["ts"] == review.response["ts"]
    # The brief DM turns into the live task, with a way to report unasked.
    [live] = [u for u in updates[1:] if "is live" in u.params["text"]]
    assert live.params["ts"] == brief.response["ts"] and "Report progress" in str(live.params)
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    assert any(
        "approved" in call.params["text"] and call.params["channel"] == OWNER for call in posts
    )
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.ACTIVE
        outcome = db.execute(sa.select(Restatement.outcome)).scalar_one()
        assert outcome == RestatementOutcome.APPROVED
        actions = db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
        assert list(actions) == ["created", "restated", "approved"]


def test_clarify_starts_a_second_round_with_the_note(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    review = wait_for_review(slack_sandbox)
    click(http_slack, LEAD, "review_clarify", review)
    note_modal = slack_sandbox.wait_for_call("views.open", count=3, timeout=10)[-1]
    assert note_modal.ok, note_modal.response
    note = "The deck is for their CFO: <!here> lead with cost."
    sent = http_slack.view_submission(
        LEAD, note_modal.response["view"]["id"], {"note": {"value": note}}
    )
    assert sent.ack in (None, {})
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    clarification = posts[-1]
    assert clarification.params["channel"] == OWNER
    assert "&lt;!here&gt;" in texts(clarification.params["blocks"])
    assert "<!here>" not in texts(clarification.params["blocks"])

    second = restate(slack_sandbox, http_slack, clarification, GENUINE, opened=4)
    assert second.ack in (None, {}), second.ack
    round_two = slack_sandbox.calls_to("views.open")[-1]
    assert "round 2" in texts(round_two.params["view"]["blocks"])
    wait_for_review(slack_sandbox, count=2)
    with database.connect() as db:
        rounds = db.execute(sa.select(Restatement.round, Restatement.outcome)).all()
        assert [(r.round, r.outcome) for r in rounds] == [
            (1, RestatementOutcome.CLARIFY),
            (2, None),
        ]
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_APPROVAL


def test_cancel_tells_the_owner_and_later_clicks_change_nothing(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    review = wait_for_review(slack_sandbox)
    click(http_slack, LEAD, "review_cancel", review)
    posts = slack_sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    assert "cancelled" in posts[-1].params["text"] and posts[-1].params["channel"] == OWNER
    edits = slack_sandbox.wait_for_call("chat.update", count=3, timeout=10)
    assert all("blocks" in e.params and "actions" not in str(e.params["blocks"]) for e in edits)
    with pytest.raises(ValueError, match="has no element"):
        click(http_slack, LEAD, "review_approve", review)  # the buttons are gone
    stale_click(http_slack, LEAD, "review_approve", review)
    assert "cancelled" in _ephemeral_text(slack_sandbox, 1).lower()
    stale_click(http_slack, OWNER, "brief_confirm", brief)
    assert "cancelled" in _ephemeral_text(slack_sandbox, 2).lower()
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.CANCELLED


def test_only_the_right_person_can_act(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    brief = send_brief(slack_sandbox, http_slack)
    click(http_slack, "U0SBTOM01", "brief_confirm", brief)
    assert _ephemeral_text(slack_sandbox, 1) == f"Only <@{OWNER}> can do this."
    click(http_slack, LEAD, "brief_confirm", brief)
    assert _ephemeral_text(slack_sandbox, 2) == f"Only <@{OWNER}> can do this."
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    review = wait_for_review(slack_sandbox)
    click(http_slack, OWNER, "review_approve", review)
    assert _ephemeral_text(slack_sandbox, 3) == f"Only <@{LEAD}> can do this."
    click(http_slack, "U0SBTOM01", "review_cancel", review)
    assert _ephemeral_text(slack_sandbox, 4) == f"Only <@{LEAD}> can do this."
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_APPROVAL


def test_every_action_refuses_the_wrong_person(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    tom = "U0SBTOM01"
    brief = send_brief(slack_sandbox, http_slack)
    refusals = 0
    for user, action, holder in (
        (tom, "brief_question", OWNER),
        (LEAD, "brief_decline", OWNER),
        (tom, "brief_decline", OWNER),
    ):
        click(http_slack, user, action, brief)
        refusals += 1
        assert _ephemeral_text(slack_sandbox, refusals) == f"Only <@{holder}> can do this."
    restate(slack_sandbox, http_slack, brief, GENUINE, opened=2)
    review = wait_for_review(slack_sandbox)
    for user, action in (
        (OWNER, "review_clarify"),
        (tom, "review_clarify"),
        (OWNER, "review_reassign"),
        (tom, "review_reassign"),
        (OWNER, "review_cancel"),
    ):
        click(http_slack, user, action, review)
        refusals += 1
        assert _ephemeral_text(slack_sandbox, refusals) == f"Only <@{LEAD}> can do this."
    assert len(slack_sandbox.calls_to("views.open")) == 2  # no modal opened for anyone refused
    with database.connect() as db:
        assert db.execute(sa.select(Task.state)).scalar_one() == TaskState.AWAITING_APPROVAL
        actions = db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
        assert list(actions) == ["created", "restated"]


def test_restatement_text_cannot_ping_or_link_in_the_review(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    evil = " <!channel> <https://evil.example|your bank> & <@U0SBTOM01>"
    brief = send_brief(slack_sandbox, http_slack)
    values = {key: value + evil for key, value in GENUINE.items() if key != "estimate"}
    values |= {"estimate": "4", "risks": "Legal" + evil, "ideas": "Ask Priya" + evil}
    accepted = restate(slack_sandbox, http_slack, brief, values, opened=2)
    assert accepted.ack in (None, {}), accepted.ack
    review = wait_for_review(slack_sandbox)
    shown = texts(review.params["blocks"], only="mrkdwn") + review.params["text"]
    assert shown.count("&lt;!channel&gt;") == 5  # what, how, why, risks, ideas
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "<@U0SBTOM01>" not in shown
