"""Steps shared by the e2e scenarios: a lead sending a brief, reading what Slack got."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.deliver import Deliverer, Delivery
from sandbox.server import SandboxServer

LEAD = "U0SBLENA1"
OWNER = "U0SBMARC1"
INJECTION = "<!channel> see <https://evil.example|your bank> & <@U0SBTOM01>"


def today() -> date:
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


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll another process's effect until it shows, with a deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)  # polling the bot process, not waiting for time to pass
