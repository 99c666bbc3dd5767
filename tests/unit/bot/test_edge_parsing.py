"""Strict ids, the workspace check and the shape check, on their own."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_bolt.request import BoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.domain.ids import MAX_ID, metadata_id, parse_id
from bot.views.feedback import survey_id_of
from bot.views.restatement import task_id_of
from handlers.errors import Reporter, classify
from handlers.payload import NO_TASK, MalformedPayload, task_id_in, user_of
from handlers.shape import problem
from handlers.tenancy import Home, foreign

HOME = Home("T0SANDBOX")
ORG_HOME = Home("T0SANDBOX", "E0SANDBOX")


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "١٢",
        "1_000",
        " 1",
        "1 ",
        "+1",
        "-1",
        "0",
        "00",
        "",
        "1e3",
        "0x10",
        str(MAX_ID + 1),
        "9" * 400,
        0,
        -1,
        MAX_ID + 1,
        True,
        1.0,
        None,
        [1],
        {"id": 1},
    ],
)
def test_anything_but_plain_digits_in_range_is_no_id(value: object) -> None:
    assert parse_id(value) is None


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_ids_in_range_read_back_from_text_and_json(number: int) -> None:
    assert parse_id(str(number)) == number == parse_id(number)
    assert task_id_of(json.dumps({"task_id": number})) == number
    assert survey_id_of(json.dumps({"survey_id": number})) == number


@given(st.text(max_size=40) | st.binary(max_size=40).map(repr))
def test_no_text_makes_the_parsers_raise(text: str) -> None:
    parsed = parse_id(text)
    assert parsed is None or (text.isascii() and 1 <= parsed <= MAX_ID)
    assert metadata_id(text, "task_id") is None or text.lstrip().startswith("{")
    body = {"actions": [{"action_id": "a", "value": text}]}
    assert task_id_in(body) == (parsed or NO_TASK)


@pytest.mark.parametrize(
    "metadata",
    [
        '{"task_id": 9223372036854775808}',
        '{"task_id": true}',
        '{"task_id": "²"}',
        "[",
        "null",
        "[1]",
        '"x"',
        "x" * 4000,
        "[" * 5000,
    ],
)
def test_tampered_private_metadata_is_no_task(metadata: str) -> None:
    assert task_id_of(metadata) is None
    assert survey_id_of(metadata) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user": None},
        {"user": {"id": 5}},
        {"user": "U1"},
        {"user": {"id": "<!channel>"}},
        {"user_id": ["U0SBLENA1"]},
    ],
)
def test_user_of_a_payload_without_a_user_is_malformed(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedPayload):
        user_of(body)


def _interaction(**changes: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX", "domain": "sandbox"},
        "user": {"id": "U0SBLENA1", "team_id": "T0SANDBOX"},
        "enterprise": None,
    } | changes


def _event(**changes: Any) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T0SANDBOX",
        "context_team_id": "T0SANDBOX",
        "context_enterprise_id": None,
        "authorizations": [{"enterprise_id": None, "team_id": "T0SANDBOX"}],
        "event": {"type": "app_home_opened", "user": "U0SBLENA1"},
    } | changes


def test_the_home_workspace_passes() -> None:
    assert foreign(_interaction(), HOME) is None
    assert foreign(_event(), HOME) is None
    assert foreign({"command": "/delegate", "team_id": "T0SANDBOX"}, HOME) is None
    # In an Enterprise org, user.team_id is the org's id.
    org = _interaction(user={"id": "U1", "team_id": "E0SANDBOX"}, enterprise={"id": "E0SANDBOX"})
    assert foreign(org, ORG_HOME) is None


@pytest.mark.parametrize(
    "body",
    [
        _interaction(team={"id": "T0OTHER01"}),
        _interaction(team="T0OTHER01"),
        _interaction(team=None, user={"id": "U1", "team_id": "T0OTHER01"}),
        _interaction(user={"id": "U1", "team_id": "T0OTHER01"}),
        _interaction(enterprise={"id": "E0OTHER01"}),
        _interaction(enterprise="E0OTHER01"),
        _interaction(team={"id": "T0SANDBOX", "enterprise_id": "E0OTHER01"}),
        _interaction(view={"team_id": "T0OTHER01"}),
        _interaction(view={"app_installed_team_id": "T0OTHER01"}),
        _interaction(team={"id": 5}),
        _interaction(team=7),
        _event(team_id="T0OTHER01"),
        _event(authorizations=[{"team_id": "T0OTHER01"}]),
        _event(authorizations="T0SANDBOX"),
        _event(enterprise_id="E0OTHER01"),
        _event(context_team_id="T0OTHER01"),
        _event(event={"type": "message", "team": "T0OTHER01"}),
        _event(event={"type": "app_home_opened", "view": {"team_id": "T0OTHER01"}}),
        {"command": "/delegate", "team_id": "T0OTHER01"},
        {"command": "/delegate", "team_id": "T0SANDBOX", "enterprise_id": "E0OTHER01"},
        {"command": "/delegate"},
        {"type": "event_callback", "event": {"type": "app_home_opened"}},
    ],
)
def test_any_other_workspace_or_none_is_refused(body: dict[str, Any]) -> None:
    assert foreign(body, HOME) is not None


@pytest.mark.parametrize(
    "body",
    [
        {"command": "/delegate", "team_id": "T1", "trigger_id": "t"},
        {"command": "/delegate", "team_id": "T1", "user_id": "U1X", "trigger_id": 5},
        _interaction(),
        _interaction(actions=[]),
        _interaction(actions=[{"value": "1"}], trigger_id="t"),
        _interaction(actions=[{"action_id": "a", "selected_option": {}}], trigger_id="t"),
        _interaction(actions=[{"action_id": "a"}], trigger_id="t", channel="C1"),
        {"type": "view_submission", "user": {"id": "U0SBLENA1"}, "view": {"id": "V1"}},
        {
            "type": "view_submission",
            "user": {"id": "U0SBLENA1"},
            "view": {
                "id": "V",
                "type": "modal",
                "callback_id": "c",
                "state": {"values": {"b": {"a": {"selected_option": {"text": "x"}}}}},
            },
        },
        {"type": "shortcut", "user": {"id": "U0SBLENA1"}, "callback_id": "c"},
        {
            "type": "message_action",
            "user": {"id": "U0SBLENA1"},
            "callback_id": "c",
            "trigger_id": "t",
        },
        _event(event={"type": "app_home_opened"}),
        _event(event=[]),
    ],
)
def test_payloads_missing_what_slack_always_sends_are_malformed(body: dict[str, Any]) -> None:
    assert problem(body) is not None


def test_sound_payloads_pass_the_shape_check() -> None:
    assert problem(_interaction(actions=[{"action_id": "a", "value": "1"}], trigger_id="t")) is None
    assert problem(_event()) is None
    command = {"command": "/d", "team_id": "T", "user_id": "U0SBLENA1", "trigger_id": "t"}
    assert problem(command) is None


def _slack_error(code: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="views.open",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=200,
    )
    return SlackApiError("refused", response)  # type: ignore[no-untyped-call]


def test_faults_of_the_request_are_warnings_and_bugs_are_errors() -> None:
    sound = _interaction(actions=[{"action_id": "a"}], trigger_id="t")
    assert classify(_slack_error("expired_trigger_id"), sound)[0] == logging.WARNING
    assert "try again" in classify(_slack_error("expired_trigger_id"), sound)[2]
    assert classify(_slack_error("invalid_blocks"), sound)[0] == logging.ERROR
    assert classify(MalformedPayload("x"), sound)[0] == logging.WARNING
    assert classify(KeyError("x"), _interaction())[0] == logging.WARNING  # no actions: malformed
    assert classify(KeyError("x"), sound)[0] == logging.ERROR


def test_the_error_handler_keeps_a_broken_submission_open(caplog: pytest.LogCaptureFixture) -> None:
    body = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "user": {"id": "U0SBLENA1", "team_id": "T0SANDBOX"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "brief",
            "state": {"values": {}},
            "blocks": [{"type": "section"}, {"type": "input", "block_id": "title"}],
        },
    }
    request = BoltRequest(body=body, mode="socket_mode")
    with caplog.at_level(logging.INFO):
        answer = Reporter(HOME).on_error(RuntimeError("boom\nsecond line"), request, None)
    assert answer is not None and answer.status == 200
    assert json.loads(answer.body)["response_action"] == "errors"
    assert list(json.loads(answer.body)["errors"]) == ["title"]
    [record] = caplog.records
    assert record.levelname == "ERROR" and "\n" not in record.getMessage()
    assert "callback_id=brief" in record.getMessage() and "user=U0SBLENA1" in record.getMessage()


def test_the_error_handler_answers_a_command_privately() -> None:
    body = {
        "command": "/delegate",
        "team_id": "T0SANDBOX",
        "user_id": "U0SBLENA1",
        "trigger_id": "t",
    }
    answer = Reporter(HOME).on_error(
        _slack_error("expired_trigger_id"), BoltRequest(body=body, mode="socket_mode"), None
    )
    assert answer is not None and answer.status == 200
    assert json.loads(answer.body) == {
        "response_type": "ephemeral",
        "text": "That took too long to open. Please try again.",
    }
