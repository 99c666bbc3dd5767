"""The real path: Slack (the sandbox) -> the bot as a process -> the Web API (the sandbox)."""

from __future__ import annotations

import json
import time

import pytest

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from tests.helpers.process import BotFactory, BotProcess

pytestmark = pytest.mark.e2e


def _lead(sandbox: SandboxServer) -> str:
    return sandbox.workspace.lead.id


def test_delegate_opens_the_brief_modal_over_http(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    delivery = http_slack.slash_command(_lead(slack_sandbox), "")
    assert delivery.status == 200
    [call] = slack_sandbox.wait_for_call("views.open", timeout=10)
    # The sandbox refuses a trigger_id older than 3 seconds, so ok means "within 3 seconds".
    assert call.ok, call.response
    assert call.params["trigger_id"] == delivery.trigger_id
    assert call.params["view"]["callback_id"] == "new_delegation"


def test_mention_and_title_prefill_the_modal(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    owner = "U0SBMARC1"
    http_slack.slash_command(_lead(slack_sandbox), f"<@{owner}|marcus> Acme renewal deck")
    [call] = slack_sandbox.wait_for_call("views.open", timeout=10)
    blocks = {
        block["block_id"]: block for block in call.params["view"]["blocks"] if "block_id" in block
    }
    assert blocks["owner"]["element"]["initial_user"] == owner
    assert blocks["title"]["element"]["initial_value"] == "Acme renewal deck"


def test_help_and_unknown_words_answer_privately(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    helped = http_slack.slash_command(_lead(slack_sandbox), "help")
    assert helped.status == 200
    assert "How to use /delegate" in helped.body
    unknown = http_slack.slash_command(_lead(slack_sandbox), "frobnicate")
    assert "`/delegate frobnicate`" in unknown.body
    assert "How to use /delegate" in unknown.body
    assert slack_sandbox.calls_to("views.open") == []


def test_shortcuts_open_the_modal(slack_sandbox: SandboxServer, http_slack: Deliverer) -> None:
    delivery = http_slack.global_shortcut(_lead(slack_sandbox), "new_delegation")
    assert delivery.status == 200
    [call] = slack_sandbox.wait_for_call("views.open", timeout=10)
    assert call.ok, call.response

    channel = slack_sandbox.workspace.default_channel_id
    message = slack_sandbox.state.store_message(
        channel,
        {
            "type": "message",
            "user": "U0SBTOM01",
            "text": "Acme wants the QBR deck by Friday",
            "ts": slack_sandbox.state.next_ts(),
        },
    )
    delivery = http_slack.message_shortcut(
        _lead(slack_sandbox), "delegate_message", message, channel
    )
    assert delivery.status == 200
    _, from_message = slack_sandbox.wait_for_call("views.open", count=2, timeout=10)
    assert from_message.ok, from_message.response
    goal = next(b for b in from_message.params["view"]["blocks"] if b.get("block_id") == "goal")
    assert goal["element"]["initial_value"] == "Acme wants the QBR deck by Friday"
    # The link to the message follows in a views.update, once the modal is on screen.
    view_id = from_message.response["view"]["id"]
    update = next(
        call
        for call in slack_sandbox.wait_for_call("views.update", count=2, timeout=10)
        if call.params.get("view_id") == view_id
    )
    assert update.ok, update.response
    assert json.loads(update.params["view"]["private_metadata"])["source_permalink"].endswith(
        "/archives/" + channel + "/p" + message["ts"].replace(".", "")
    )


def test_bad_signature_and_stale_timestamp_get_401_and_change_nothing(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    lead = _lead(slack_sandbox)
    forged = http_slack.slash_command(lead, "", signature="v0=" + "0" * 64)
    assert forged.status == 401
    stale = http_slack.slash_command(lead, "", timestamp=int(time.time()) - 6 * 60)
    assert stale.status == 401
    event = http_slack.app_home_opened(lead, signature="v0=" + "f" * 64)
    assert event.status == 401
    # A correctly signed request afterwards is served, and is the only thing that was.
    http_slack.slash_command(lead, "")
    slack_sandbox.wait_for_call("views.open", timeout=10)
    assert [call.method for call in slack_sandbox.calls if call.method != "auth.test"] == [
        "views.open"
    ]


def test_retried_event_is_processed_once(
    slack_sandbox: SandboxServer, http_slack: Deliverer, http_bot: BotProcess
) -> None:
    lead = _lead(slack_sandbox)
    first = http_slack.app_home_opened(lead)
    assert first.status == 200
    retry = http_slack.app_home_opened(
        lead, event_id=first.event_id, retry_num=1, retry_reason="http_timeout"
    )
    assert retry.status == 200
    # The retry was skipped before its ack; a later event's publish shows nothing else came.
    http_slack.app_home_opened("U0SBTOM01")
    calls = slack_sandbox.wait_for_call("views.publish", count=2, timeout=10)
    assert sorted(call.params["user_id"] for call in calls) == sorted([lead, "U0SBTOM01"])
    assert f"Skipping event {first.event_id}" in http_bot.log()


def test_delegate_over_socket_mode(slack_sandbox: SandboxServer, start_bot: BotFactory) -> None:
    start_bot(socket_mode=True)
    assert slack_sandbox.wait_for_socket(timeout=10)
    socket_slack = Deliverer(slack_sandbox, via="socket")
    delivery = socket_slack.slash_command(_lead(slack_sandbox), "")
    assert delivery.ok
    [call] = slack_sandbox.wait_for_call("views.open", timeout=10)
    assert call.ok, call.response
    assert call.params["trigger_id"] == delivery.trigger_id
    connections = slack_sandbox.calls_to("apps.connections.open")
    assert connections and connections[0].ok


def test_sigterm_lets_an_in_flight_listener_finish(
    slack_sandbox: SandboxServer, start_bot: BotFactory
) -> None:
    bot = start_bot()
    slack = Deliverer(slack_sandbox, bot.base_url + "/slack/events")
    slack_sandbox.faults.add("views.open", "slow", delay=1.0)
    delivery = slack.slash_command(_lead(slack_sandbox), "")
    assert delivery.status == 200  # acked; the listener is now waiting on a slow views.open
    assert bot.stop() == 0
    [call] = slack_sandbox.calls_to("views.open")
    assert call.ok, call.response
    assert "Stopped cleanly" in bot.log()
