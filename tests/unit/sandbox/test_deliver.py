"""Deliveries to the app over HTTP (signed) and Socket Mode, and what Slack does with answers."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from sandbox.socket_hub import NoSocketConnection
from tests.helpers.sandbox import Receiver, bot_client, json_reply

LEAD = "U0SBLENA1"
PRIYA = "U0SBPRIY1"
TEAM_CHANNEL = "C0SBTEAM1"


def modal_with_inputs() -> dict[str, Any]:
    """A modal with a text input and a select, as the bot's brief modal might be."""
    return {
        "type": "modal",
        "callback_id": "brief",
        "title": {"type": "plain_text", "text": "Brief"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "goal",
                "label": {"type": "plain_text", "text": "Goal"},
                "element": {"type": "plain_text_input", "action_id": "goal_input"},
            },
            {
                "type": "input",
                "block_id": "owner",
                "label": {"type": "plain_text", "text": "Owner"},
                "element": {"type": "users_select", "action_id": "owner_select"},
            },
            {
                "type": "input",
                "block_id": "rhythm",
                "optional": True,
                "label": {"type": "plain_text", "text": "Check-ins"},
                "element": {
                    "type": "static_select",
                    "action_id": "rhythm_select",
                    "options": [
                        {"text": {"type": "plain_text", "text": "Daily"}, "value": "daily"},
                        {"text": {"type": "plain_text", "text": "Weekly"}, "value": "weekly"},
                    ],
                },
            },
        ],
    }


def open_modal(server: SandboxServer, user: str = LEAD) -> dict[str, Any]:
    """Open the brief modal for `user` as the bot would."""
    trigger = server.issue_trigger(user)
    view: dict[str, Any] = bot_client(server).views_open(
        trigger_id=trigger, view=modal_with_inputs()
    )["view"]
    return view


def post_with_button(server: SandboxServer) -> dict[str, Any]:
    """Post a message with an approve button; returns the stored message."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Approve the brief?"}},
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve",
                    "value": "task-7",
                    "text": {"type": "plain_text", "text": "Approve"},
                }
            ],
        },
    ]
    posted = bot_client(server).chat_postMessage(channel=TEAM_CHANNEL, text="Brief", blocks=blocks)
    return dict(posted["message"])


def connect(client: SocketModeClient) -> None:
    """Connect the SDK's client, with a short read timeout so close() need not wait 3 s."""
    client.connect()
    session = client.current_session
    assert session is not None and session.sock is not None
    # close() waits for the reader thread's recv(); the builtin client reads with a 3 s timeout.
    session.sock.settimeout(0.05)


# HTTP -----------------------------------------------------------------------------------------


def test_signed_slash_command_verifies_and_carries_a_live_trigger(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    deliverer = Deliverer(slack_sandbox, receiver.url)

    delivery = deliverer.slash_command(LEAD, "write the QBR deck")

    assert delivery.status == 200
    got = receiver.requests[0]
    assert got.signature_valid
    assert got.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = dict(urllib.parse.parse_qsl(got.body.decode()))
    assert fields["command"] == "/delegate" and fields["text"] == "write the QBR deck"
    assert fields["user_id"] == LEAD and fields["channel_id"] == TEAM_CHANNEL
    assert fields["trigger_id"] == delivery.trigger_id
    assert fields["response_url"].startswith(slack_sandbox.base_url + "/commands/T0SANDBOX/")
    view = bot_client(slack_sandbox).views_open(
        trigger_id=fields["trigger_id"], view=modal_with_inputs()
    )
    assert view["ok"]


def test_interactivity_is_a_signed_form_with_a_payload_field(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    message = post_with_button(slack_sandbox)
    deliverer = Deliverer(slack_sandbox, receiver.url)

    delivery = deliverer.block_action(PRIYA, "approve", message=message)

    got = receiver.requests[0]
    payload = json.loads(dict(urllib.parse.parse_qsl(got.body.decode()))["payload"])
    assert got.signature_valid and delivery.ok
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["value"] == "task-7"
    assert payload["actions"][0]["block_id"] == "decide"
    assert payload["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": TEAM_CHANNEL,
        "is_ephemeral": False,
    }
    assert payload["response_url"] == delivery.response_url


def test_events_are_signed_json_with_retry_headers(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    deliverer = Deliverer(slack_sandbox, receiver.url)
    event = {"type": "app_home_opened", "user": LEAD, "channel": "D0SBLENA1", "tab": "home"}

    first = deliverer.event(event)
    retry = deliverer.event(
        event, event_id=first.event_id, retry_num=1, retry_reason="http_timeout"
    )

    original, retried = receiver.requests
    envelope = json.loads(original.body)
    assert original.signature_valid and retried.signature_valid
    assert envelope["type"] == "event_callback" and envelope["team_id"] == "T0SANDBOX"
    assert envelope["event_id"] == first.event_id and envelope["api_app_id"] == "A0SANDBOX1"
    assert isinstance(envelope["event_time"], int)
    assert "X-Slack-Retry-Num" not in original.headers
    assert retried.headers["X-Slack-Retry-Num"] == "1"
    assert retried.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(retried.body)["event_id"] == first.event_id == retry.event_id


def test_forged_and_stale_requests_can_be_sent(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    deliverer = Deliverer(slack_sandbox, receiver.url)
    stale = slack_sandbox.state.now() - 10 * 60

    forged = deliverer.slash_command(LEAD, "x", signature="v0=" + "0" * 64)
    old = deliverer.slash_command(LEAD, "x", timestamp=stale)

    assert (forged.status, old.status) == (401, 401)
    assert receiver.requests[1].headers["X-Slack-Request-Timestamp"] == str(stale)
    assert forged.ack is None


def test_command_ack_with_a_message_shows_it_ephemerally(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    receiver.reply = json_reply({"text": "Working on it"})

    delivery = Deliverer(slack_sandbox, receiver.url).slash_command(LEAD, "plan")

    assert delivery.ack == {"text": "Working on it"}
    assert [e.message["text"] for e in slack_sandbox.ephemerals(LEAD)] == ["Working on it"]


# Socket Mode ----------------------------------------------------------------------------------


def test_socket_mode_round_trip_with_the_sdk_client(slack_sandbox: SandboxServer) -> None:
    web = WebClient(base_url=slack_sandbox.api_url)
    client = SocketModeClient(
        app_token=slack_sandbox.workspace.app_token, web_client=web, auto_reconnect_enabled=False
    )
    received: list[SocketModeRequest] = []

    def on_request(socket: Any, request: SocketModeRequest) -> None:
        received.append(request)
        answer = {"text": f"Got {request.payload['text']}"}
        socket.send_socket_mode_response(SocketModeResponse(request.envelope_id, answer))

    client.socket_mode_request_listeners.append(on_request)
    try:
        connect(client)
        assert slack_sandbox.wait_for_socket(5)
        delivery = Deliverer(slack_sandbox).slash_command(LEAD, "the deck")
    finally:
        client.close()

    assert delivery.via == "socket" and delivery.ack == {"text": "Got the deck"}
    assert received[0].type == "slash_commands"
    assert received[0].accepts_response_payload is True
    assert received[0].envelope_id == delivery.envelope_id
    assert received[0].payload["trigger_id"] == delivery.trigger_id
    assert slack_sandbox.calls_to("apps.connections.open")[0].ok


def test_socket_mode_events_carry_retry_fields(slack_sandbox: SandboxServer) -> None:
    client = SocketModeClient(
        app_token=slack_sandbox.workspace.app_token,
        web_client=WebClient(base_url=slack_sandbox.api_url),
        auto_reconnect_enabled=False,
    )
    received: list[SocketModeRequest] = []

    def on_request(socket: Any, request: SocketModeRequest) -> None:
        received.append(request)
        socket.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(on_request)
    try:
        connect(client)
        delivery = Deliverer(slack_sandbox).app_home_opened(
            PRIYA, event_id="Ev0RETRY01", retry_num=2, retry_reason="timeout"
        )
    finally:
        client.close()

    assert delivery.ack is None and delivery.event_id == "Ev0RETRY01"
    assert (received[0].type, received[0].retry_attempt, received[0].retry_reason) == (
        "events_api",
        2,
        "timeout",
    )
    assert received[0].accepts_response_payload is False
    assert received[0].payload["event"]["user"] == PRIYA


def test_socket_delivery_without_a_connection_fails_fast() -> None:
    with SandboxServer() as server:
        deliverer = Deliverer(server, timeout=0.05)
        with pytest.raises(NoSocketConnection):
            deliverer.slash_command(LEAD)


# response_url ---------------------------------------------------------------------------------


def test_response_url_replace_in_channel_and_ephemeral(slack_sandbox: SandboxServer) -> None:
    message = post_with_button(slack_sandbox)
    plan = Deliverer(slack_sandbox, "http://127.0.0.1:9/unused")
    url = plan.server.issue_response_url("actions", TEAM_CHANNEL, PRIYA, message["ts"])
    hook = WebhookClient(url)

    replaced = hook.send(text="Approved by Priya", replace_original=True)
    shared = hook.send(text="Thanks, Priya!", response_type="in_channel")
    private = hook.send(text="Only you see this")

    assert (replaced.status_code, shared.status_code, private.status_code) == (200, 200, 200)
    texts = [m["text"] for m in slack_sandbox.messages(TEAM_CHANNEL)]
    assert texts == ["Approved by Priya", "Thanks, Priya!"]
    assert "blocks" not in slack_sandbox.messages(TEAM_CHANNEL)[0]
    assert [e.message["text"] for e in slack_sandbox.ephemerals(PRIYA)] == ["Only you see this"]
    assert [c.method for c in slack_sandbox.calls][-3:] == ["response_url"] * 3


def test_response_url_delete_original_and_use_limit(slack_sandbox: SandboxServer) -> None:
    message = post_with_button(slack_sandbox)
    url = slack_sandbox.issue_response_url("actions", TEAM_CHANNEL, PRIYA, message["ts"])
    hook = WebhookClient(url)

    deleted = hook.send_dict({"delete_original": True})
    statuses = [hook.send(text=f"note {n}").status_code for n in range(5)]

    assert deleted.status_code == 200 and slack_sandbox.messages(TEAM_CHANNEL) == []
    assert statuses == [200, 200, 200, 200, 404]
    assert slack_sandbox.calls_to("response_url")[-1].error == "used_url"


def test_response_url_with_invalid_blocks_is_a_violation() -> None:
    with SandboxServer() as server:
        url = server.issue_response_url("commands", TEAM_CHANNEL, LEAD)
        answer = WebhookClient(url).send(text="x", blocks=[{"type": "section"}])

    assert answer.status_code == 400
    assert server.violations[0].method == "response_url"


# modals ---------------------------------------------------------------------------------------


def test_view_submission_reports_every_input_and_applies_update(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    view = open_modal(slack_sandbox)
    updated = dict(modal_with_inputs(), title={"type": "plain_text", "text": "Sent"})
    receiver.reply = json_reply({"response_action": "update", "view": updated})

    delivery = Deliverer(slack_sandbox, receiver.url).view_submission(
        LEAD, view["id"], {"goal": {"goal_input": "Ship it"}, "owner": {"owner_select": PRIYA}}
    )

    values = delivery.payload["view"]["state"]["values"]
    assert values["goal"]["goal_input"] == {"type": "plain_text_input", "value": "Ship it"}
    assert values["owner"]["owner_select"] == {"type": "users_select", "selected_user": PRIYA}
    assert values["rhythm"]["rhythm_select"] == {"type": "static_select", "selected_option": None}
    assert delivery.payload["view"]["hash"] == view["hash"]
    assert [v["title"]["text"] for v in slack_sandbox.modal_stack(LEAD)] == ["Sent"]


def test_view_submission_without_response_action_closes_the_modal(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    view = open_modal(slack_sandbox)

    delivery = Deliverer(slack_sandbox, receiver.url).view_submission(
        LEAD, view["id"], {"rhythm": {"rhythm_select": "weekly"}}
    )

    chosen = delivery.payload["view"]["state"]["values"]["rhythm"]["rhythm_select"]
    assert chosen["selected_option"]["value"] == "weekly"
    assert slack_sandbox.modal_stack(LEAD) == []


def test_errors_for_a_block_not_in_the_view_are_a_violation(receiver: Receiver) -> None:
    with SandboxServer() as server:
        view = open_modal(server)
        receiver.reply = json_reply({"response_action": "errors", "errors": {"goall": "typo"}})
        deliverer = Deliverer(server, receiver.url)
        # The receiver checks signatures with the fixture server's secret, which is the same.
        deliverer.view_submission(LEAD, view["id"], {"goal": {"goal_input": "x"}})

    assert server.violations[0].method == "ack:view_submission"
    assert "'goall'" in server.violations[0].problems[0]


def test_block_action_in_a_modal_gets_a_trigger_for_views_push(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    view = open_modal(slack_sandbox)

    delivery = Deliverer(slack_sandbox, receiver.url).block_action(
        LEAD, "rhythm_select", "daily", view=view
    )

    action = delivery.payload["actions"][0]
    assert action["selected_option"]["value"] == "daily"
    assert delivery.payload["container"] == {"type": "view", "view_id": view["id"]}
    assert "response_url" not in delivery.payload
    assert delivery.trigger_id is not None
    pushed = bot_client(slack_sandbox).views_push(
        trigger_id=delivery.trigger_id, view=modal_with_inputs()
    )
    assert pushed["view"]["root_view_id"] == view["id"]


def test_block_action_for_a_missing_element_is_a_test_error(slack_sandbox: SandboxServer) -> None:
    message = post_with_button(slack_sandbox)
    deliverer = Deliverer(slack_sandbox, via="socket")

    with pytest.raises(ValueError, match="no element 'reject'"):
        deliverer.block_action(PRIYA, "reject", message=message)


def test_shortcuts_carry_live_triggers(slack_sandbox: SandboxServer, receiver: Receiver) -> None:
    message = post_with_button(slack_sandbox)
    deliverer = Deliverer(slack_sandbox, receiver.url)

    global_cut = deliverer.global_shortcut(LEAD, "new_delegation")
    message_cut = deliverer.message_shortcut(PRIYA, "delegate_this", message)

    sent = [
        json.loads(dict(urllib.parse.parse_qsl(r.body.decode()))["payload"])
        for r in receiver.requests
    ]
    assert [(p["type"], p["callback_id"]) for p in sent] == [
        ("shortcut", "new_delegation"),
        ("message_action", "delegate_this"),
    ]
    assert "response_url" not in sent[0] and sent[1]["message_ts"] == message["ts"]
    client = bot_client(slack_sandbox)
    for trigger in (global_cut.trigger_id, message_cut.trigger_id):
        assert client.views_open(trigger_id=trigger, view=modal_with_inputs())["ok"]
