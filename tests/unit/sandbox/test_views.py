"""views.*: trigger rules, stacks, hashes and the Home tab."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from sandbox.state import TRIGGER_TTL
from tests.helpers.sandbox import bot_client

LEAD = "U0SBLENA1"


def modal(title: str = "Delegate", **extra: Any) -> dict[str, Any]:
    """A small valid modal."""
    return {
        "type": "modal",
        "callback_id": "delegate",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "goal",
                "label": {"type": "plain_text", "text": "Goal"},
                "element": {"type": "plain_text_input", "action_id": "goal_input"},
            }
        ],
        **extra,
    }


def error_of(call: Any) -> str:
    """Run a call expected to fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_views_open_with_a_fresh_trigger(slack_sandbox: SandboxServer) -> None:
    trigger = slack_sandbox.issue_trigger(LEAD)

    view = bot_client(slack_sandbox).views_open(trigger_id=trigger, view=modal())["view"]

    assert view["id"].startswith("V") and view["hash"]
    assert view["root_view_id"] == view["id"] and view["previous_view_id"] is None
    assert view["team_id"] == "T0SANDBOX" and view["state"] == {"values": {}}
    assert [v["id"] for v in slack_sandbox.modal_stack(LEAD)] == [view["id"]]


def test_a_trigger_works_only_once(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    trigger = slack_sandbox.issue_trigger(LEAD)
    client.views_open(trigger_id=trigger, view=modal())

    reused = error_of(lambda: client.views_open(trigger_id=trigger, view=modal()))
    unknown = error_of(lambda: client.views_open(trigger_id="1.2.abc", view=modal()))

    assert reused == "exchanged_trigger_id"
    assert unknown == "invalid_trigger_id"


def test_a_trigger_expires_after_three_seconds(make_slack_sandbox: Any) -> None:
    clock = ManualClock()
    server = make_slack_sandbox(clock=clock)
    client = bot_client(server)
    on_time = server.issue_trigger(LEAD)
    late = server.issue_trigger(LEAD)

    clock.advance(TRIGGER_TTL)
    client.views_open(trigger_id=on_time, view=modal())
    clock.advance(0.001)

    assert error_of(lambda: client.views_open(trigger_id=late, view=modal())) == (
        "expired_trigger_id"
    )


def test_views_push_stacks_up_to_three(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    root = client.views_open(trigger_id=slack_sandbox.issue_trigger(LEAD), view=modal())["view"]
    pushed: list[dict[str, Any]] = []
    for n in range(2):
        trigger = slack_sandbox.issue_trigger(LEAD, root["id"])
        pushed.append(client.views_push(trigger_id=trigger, view=modal(f"Step {n}"))["view"])

    over = slack_sandbox.issue_trigger(LEAD, root["id"])

    assert pushed[0]["root_view_id"] == root["id"]
    assert pushed[1]["previous_view_id"] == pushed[0]["id"]
    assert error_of(lambda: client.views_push(trigger_id=over, view=modal())) == (
        "push_limit_reached"
    )


def test_views_update_by_id_external_id_and_hash(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    opened = client.views_open(
        trigger_id=slack_sandbox.issue_trigger(LEAD), view=modal(external_id="task-7")
    )["view"]

    by_id = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Two"))
    by_external = client.views_update(external_id="task-7", view=modal("Three"))["view"]
    stale = lambda: client.views_update(  # noqa: E731
        view_id=opened["id"], hash=opened["hash"], view=modal("Four")
    )

    assert by_id["view"]["id"] == opened["id"] and by_id["view"]["hash"] != opened["hash"]
    assert by_external["title"]["text"] == "Three"
    assert error_of(stale) == "hash_conflict"
    assert error_of(lambda: client.views_update(view_id="V0NOPE", view=modal())) == "not_found"


def test_views_open_refuses_a_duplicate_external_id(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)
    client.views_open(trigger_id=slack_sandbox.issue_trigger(LEAD), view=modal(external_id="x"))

    again = lambda: client.views_open(  # noqa: E731
        trigger_id=slack_sandbox.issue_trigger(LEAD), view=modal(external_id="x")
    )

    assert error_of(again) == "duplicate_external_id"


def test_views_publish_keeps_one_home_view_per_user(slack_sandbox: SandboxServer) -> None:
    client: WebClient = bot_client(slack_sandbox)
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "1"}}],
    }

    first = client.views_publish(user_id=LEAD, view=home)["view"]
    second = client.views_publish(user_id=LEAD, view=home, hash=first["hash"])["view"]
    stale = lambda: client.views_publish(user_id=LEAD, view=home, hash=first["hash"])  # noqa: E731

    assert first["type"] == "home" and second["id"] == first["id"]
    assert slack_sandbox.home_view(LEAD) == second
    assert error_of(stale) == "hash_conflict"
    assert error_of(lambda: client.views_publish(user_id="U0NOBODY0", view=home)) == (
        "user_not_found"
    )
