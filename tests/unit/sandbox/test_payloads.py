"""What the sandbox delivers looks like what Slack sends (checked against the inbound schema)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft7Validator

from sandbox import oracle
from sandbox.deliver import Deliverer
from sandbox.payloads import element_state, state_values
from sandbox.server import SandboxServer
from tests.helpers.sandbox import Receiver, bot_client

LEAD = "U0SBLENA1"
INBOUND = "slack_inbound_schema.json"


def _relaxed(node: Any) -> Any:
    # The inbound schema was generated strictly; its README says to drop additionalProperties.
    if isinstance(node, dict):
        return {k: _relaxed(v) for k, v in node.items() if k != "additionalProperties"}
    if isinstance(node, list):
        return [_relaxed(v) for v in node]
    return node


@cache
def _inbound_definitions() -> dict[str, Any]:
    folder = oracle.oracle_dir()
    assert folder is not None
    with (folder / INBOUND).open(encoding="utf-8") as handle:
        definitions: dict[str, Any] = _relaxed(json.load(handle)["definitions"])
    return definitions


def inbound_problems(definition: str, payload: dict[str, Any]) -> list[str]:
    """Schema problems of a delivered payload; top-level nulls (enterprise) are Slack's own."""
    schema = {"definitions": _inbound_definitions(), "$ref": f"#/definitions/{definition}"}
    instance = {k: v for k, v in payload.items() if v is not None}
    return [f"{e.json_path}: {e.message}" for e in Draft7Validator(schema).iter_errors(instance)]


needs_inbound = pytest.mark.skipif(
    oracle.oracle_dir() is None or not (oracle.oracle_dir() / INBOUND).is_file(),  # type: ignore[operator]
    reason="the inbound Slack schema is not at ../shared/oracle (set SLACK_ORACLE_DIR)",
)


@needs_inbound
def test_payloads_match_slacks_inbound_types(
    slack_sandbox: SandboxServer, receiver: Receiver
) -> None:
    deliverer = Deliverer(slack_sandbox, receiver.url)
    client = bot_client(slack_sandbox)
    button = {
        "type": "button",
        "action_id": "approve",
        "text": {"type": "plain_text", "text": "Approve"},
        "value": "7",
    }
    posted = client.chat_postMessage(
        channel="C0SBTEAM1", text="t", blocks=[{"type": "actions", "elements": [button]}]
    )
    view = client.views_open(
        trigger_id=slack_sandbox.issue_trigger(LEAD),
        view={
            "type": "modal",
            "callback_id": "brief",
            "title": {"type": "plain_text", "text": "Brief"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "goal",
                    "label": {"type": "plain_text", "text": "Goal"},
                    "element": {"type": "plain_text_input", "action_id": "goal_input"},
                }
            ],
        },
    )["view"]

    command = deliverer.slash_command(LEAD, "x").payload
    action = deliverer.block_action(LEAD, "approve", message=posted["message"]).payload
    submission = deliverer.view_submission(LEAD, view, {"goal": {"goal_input": "Ship"}}).payload
    home = deliverer.app_home_opened(LEAD).payload

    assert inbound_problems("SlashCommand", command) == []
    assert inbound_problems("BlockAction", action) == []
    assert inbound_problems("ViewSubmitAction", submission) == []
    assert inbound_problems("EnvelopedEvent<AppHomeOpenedEvent>", home) == []


def test_state_values_use_initial_values_for_untouched_inputs() -> None:
    view = {
        "blocks": [
            {
                "type": "input",
                "block_id": "due",
                "element": {
                    "type": "datepicker",
                    "action_id": "due_date",
                    "initial_date": "2024-05-01",
                },
            },
            {
                "type": "input",
                "block_id": "people",
                "element": {"type": "multi_users_select", "action_id": "who"},
            },
        ]
    }

    values = state_values(view, {})

    assert values["due"]["due_date"] == {"type": "datepicker", "selected_date": "2024-05-01"}
    assert values["people"]["who"] == {"type": "multi_users_select", "selected_users": []}
    with pytest.raises(ValueError, match="no element"):
        state_values(view, {"nope": {"x": "1"}})


def test_static_select_refuses_an_option_it_does_not_offer() -> None:
    element = {
        "type": "static_select",
        "action_id": "rhythm",
        "options": [{"text": {"type": "plain_text", "text": "Daily"}, "value": "daily"}],
    }

    assert element_state(element, "daily")["selected_option"]["value"] == "daily"
    with pytest.raises(ValueError, match="no option"):
        element_state(element, "hourly")
