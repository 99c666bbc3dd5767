"""Steps shared by the e2e scenarios: a lead sending a brief, the owner restating it, clicks,
reading what Slack got and what the bot's database holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState
from sandbox.deliver import Deliverer, Delivery
from sandbox.records import Call
from sandbox.server import SandboxServer
from storage.models import Outbox
from tests.helpers.messages import wait_for_post
from tests.helpers.waiting import wait_until as wait_until  # re-exported for the e2e tests

LEAD = "U0SBLENA1"
OWNER = "U0SBMARC1"
# A restatement in the owner's own words, which the teach-back check accepts.
GENUINE = {
    "what": "A short deck that argues for renewing Acme without a price rise, ready for finance.",
    "how": "Pull their usage numbers, compare with the rival's offer, draft with Tom, then "
    "review with you before finance sees it.",
    "why": "If Acme walks we lose our biggest logo and the reference it gives us in retail.",
    "estimate": "4",
}
INJECTION = "<!channel> see <https://evil.example|your bank> & <@U0SBTOM01>"


def today() -> date:
    """Today in London, where the sandbox's people are."""
    return datetime.now(ZoneInfo("Europe/London")).date()


def open_modal(sandbox: SandboxServer, slack: Deliverer, count: int = 1) -> str:
    """/delegate as the lead; returns the brief's view id once its follow-up update landed."""
    slack.slash_command(LEAD, "")
    calls = sandbox.wait_for_call("views.open", count=count, timeout=10)
    view_id: str = calls[-1].response["view"]["id"]
    # The skills list (and projects) follow in a views.update; a click before it lands would
    # carry a stale hash, as it would in Slack for someone faster than the bot.
    wait_until(
        lambda: any(c.params.get("view_id") == view_id for c in sandbox.calls_to("views.update"))
    )
    return view_id


def values(**overrides: Any) -> dict[str, dict[str, Any]]:
    """The brief modal's state values: a valid brief, with `overrides` (None drops a field)."""
    values: dict[str, Any] = {
        "owner": OWNER,
        "title": "Acme renewal deck",
        "goal": "Keep Acme at a flat price; they are weighing a competitor.",
        "expectations": "A 10-slide deck signed off by finance.",
        "due_date": (today() + timedelta(days=14)).isoformat(),
        "checkpoint_1_text": "Outline shared",
        "checkpoint_1_date": (today() + timedelta(days=5)).isoformat(),
        "rhythm": "weekly",
        "update_channel": "C0SBTEAM1",
    } | overrides
    return {block: {"value": value} for block, value in values.items() if value is not None}


def submit(sandbox: SandboxServer, slack: Deliverer, **overrides: Any) -> Delivery:
    """The lead opens /delegate and submits the brief; the submission's delivery."""
    view_id = open_modal(sandbox, slack, count=len(sandbox.calls_to("views.open")) + 1)
    return slack.view_submission(LEAD, view_id, values(**overrides))


def texts(blocks: list[dict[str, Any]], only: str | None = None) -> str:
    """Every text object's text (or only those of type `only`, e.g. "mrkdwn")."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and only in (None, node.get("type")):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


def _message_ts(call: Call) -> dict[str, Any]:
    """The `message` a block action on the posted `call` carries."""
    return {"ts": call.response["ts"]}


def send_brief(sandbox: SandboxServer, slack: Deliverer) -> Call:
    """The lead submits the brief modal; the chat.postMessage that brought the owner the brief."""
    assert submit(sandbox, slack).ack in (None, {})
    posts = sandbox.wait_for_call("chat.postMessage", count=2, timeout=10)
    return next(call for call in posts if call.params["channel"] == OWNER)


def click(slack: Deliverer, user: str, action: str, message: Call) -> Delivery:
    """`user` clicks the button `action` on the message the `message` call posted."""
    return slack.block_action(
        user, action, message=_message_ts(message), channel_id=message.response["channel"]
    )


def stale_click(slack: Deliverer, user: str, action: str, message: Call) -> Delivery:
    """A click from an old rendering of `message`, sent before Slack showed the edit."""
    button = next(
        element
        for block in message.params["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action
    )
    return slack.block_action(
        user, action, value=button["value"], channel_id=message.response["channel"]
    )


def restate(
    sandbox: SandboxServer, slack: Deliverer, brief: Call, values: dict[str, str], opened: int
) -> Delivery:
    """The owner opens the restatement modal from the brief (the `opened`-th views.open) and
    submits `values`."""
    click(slack, OWNER, "brief_confirm", brief)
    modal = sandbox.wait_for_call("views.open", count=opened, timeout=10)[-1]
    assert modal.ok, modal.response
    view_id = modal.response["view"]["id"]
    return slack.view_submission(
        OWNER, view_id, {block: {"value": value} for block, value in values.items()}
    )


def wait_for_review(sandbox: SandboxServer, count: int = 1) -> Call:
    """The lead's `count`-th review message, once it has been posted."""
    return wait_for_post(sandbox, OutboxKind.REVIEW, LEAD, count=count)


def pending_checkins(database: sa.Engine) -> list[int]:
    """Ids of the check-ins queued and not yet sent, read from the bot's database."""
    with database.connect() as db:
        return list(
            db.execute(
                sa.select(Outbox.id).where(
                    Outbox.kind == OutboxKind.CHECKIN, Outbox.state == OutboxState.PENDING
                )
            ).scalars()
        )


def make_due(database: sa.Engine, row_id: int) -> None:
    """Move a queued check-in to now, as if its morning had come."""
    now = datetime.now(UTC)
    with database.connect() as db:
        task_id = db.execute(sa.select(Outbox.task_id).where(Outbox.id == row_id)).scalar_one()
    # One write on its own: a read first would make SQLite refuse it if the bot wrote between.
    with database.begin() as db:
        # Scheduled for now, key included, so later re-plans see the same calendar as Slack.
        db.execute(
            sa.update(Outbox)
            .where(Outbox.id == row_id)
            .values(due_at=now, unique_key=f"checkin:{task_id}:{now.isoformat()}")
        )
