"""Hostile and odd input against the real bot process: nothing but 400/401/200, one WARNING
line per refusal, no ERROR and no traceback, nothing written for another workspace.

On main these fail: garbled bodies got HTTP 500 with a traceback, malformed payloads raised
in listeners, an expired trigger was silent, and another workspace's requests were acted on.
"""

from __future__ import annotations

import functools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier

from bot.views.review import APPROVE_ACTION
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from sandbox.transport import Outgoing, Transport
from tests.helpers.flows import LEAD, wait_until
from tests.helpers.process import BotFactory, BotProcess

TEAM = "T0SANDBOX"
OTHER_TEAM = "T0OTHER01"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def post(
    bot: BotProcess,
    sandbox: SandboxServer,
    body: bytes,
    content_type: str,
    *,
    sign: bool = True,
    stamp: str | None = None,
) -> tuple[int, str]:
    """POST raw bytes to the bot's /slack/events, signed with the workspace's secret."""
    stamp = stamp or str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp}
    if sign:
        verifier = SignatureVerifier(sandbox.workspace.signing_secret)
        headers["X-Slack-Signature"] = str(
            verifier.generate_signature(timestamp=stamp, body=body.decode())
        )
    request = urllib.request.Request(
        bot.base_url + "/slack/events", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def interaction(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def command(**fields: str) -> bytes:
    base = {
        "command": "/delegate",
        "text": "",
        "team_id": TEAM,
        "channel_id": "D0SBLENA1",
        "user_id": LEAD,
        "trigger_id": "1.2.edge",
        "response_url": "",
    }
    return urllib.parse.urlencode({k: v for k, v in (base | fields).items() if v != "-"}).encode()


def event(event: dict[str, Any], team: str = TEAM, **envelope: Any) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": team,
            "api_app_id": "A0SANDBOX",
            "event": event,
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": team, "is_bot": True}],
        }
        | envelope
    ).encode()


def user(team: str = TEAM) -> dict[str, Any]:
    return {"id": LEAD, "username": "lena", "team_id": team}


def _told_more(sandbox: SandboxServer, than: int) -> bool:
    return len(sandbox.ephemerals(LEAD)) > than


def levels(bot: BotProcess) -> dict[str, int]:
    """How many log lines of each level (and tracebacks) the bot printed so far."""
    log = bot.log()
    return {
        "WARNING": log.count(" WARNING "),
        "ERROR": log.count(" ERROR ") + log.count(" CRITICAL "),
        "Traceback": log.count("Traceback"),
    }


def expect_warnings(bot: BotProcess, before: dict[str, int], count: int) -> None:
    """Exactly `count` more WARNING lines show up (lazy work may log a moment later)."""
    wait_until(lambda: levels(bot)["WARNING"] - before["WARNING"] >= count)
    after = levels(bot)
    assert after["WARNING"] - before["WARNING"] == count, bot.log()
    assert (after["ERROR"], after["Traceback"]) == (0, 0), bot.log()


def test_bodies_not_from_slack_are_refused_without_a_traceback(
    slack_sandbox: SandboxServer, http_bot: BotProcess
) -> None:
    cases: list[tuple[bytes, str, dict[str, Any], int]] = [
        (command(), FORM, {"sign": False}, 401),
        (command(), FORM, {"stamp": "soon"}, 401),
        (command(), FORM, {"stamp": str(int(time.time()) - 600)}, 401),
        (b'{"type": "event_callback", ', JSON, {}, 400),
        (b"payload=%7Bjunk", FORM, {}, 400),
        (b"[" * 100_000, JSON, {}, 400),
        (b"[" * 100_000, JSON, {"sign": False}, 401),
        (b'{"type": "event_callback", "team": 5}', JSON, {}, 400),
        (b'{"type": "event_callback", "team": ["T"]}', JSON, {}, 200),
        (b"command=/delegate", "text/plain", {}, 400),
    ]
    for body, content_type, options, status in cases:
        before = levels(http_bot)
        answer = post(http_bot, slack_sandbox, body, content_type, **options)
        assert answer[0] == status, (body[:60], answer)
        expect_warnings(http_bot, before, 1)
    # Not UTF-8: urllib would not sign it, so the signature header is junk.
    before = levels(http_bot)
    raw = urllib.request.Request(
        http_bot.base_url + "/slack/events",
        data=b"command=%ff%fe\xff\xfe",
        headers={
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=00",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(raw, timeout=10)
    assert refused.value.code == 401
    expect_warnings(http_bot, before, 1)
    assert slack_sandbox.calls_to("chat.postMessage") == []


def test_signed_but_malformed_payloads_are_answered_without_an_error(
    slack_sandbox: SandboxServer, http_bot: BotProcess
) -> None:
    dm = {"id": "D0SBLENA1", "name": "directmessage"}
    base_action = {
        "type": "block_actions",
        "user": user(),
        "team": {"id": TEAM},
        "trigger_id": "1.2.edge",
        "channel": dm,
        "container": {"type": "message", "message_ts": "1.1", "channel_id": dm["id"]},
    }
    button = {"action_id": APPROVE_ACTION, "block_id": "b", "type": "button"}
    view = {
        "id": "V0EDGE001",
        "type": "modal",
        "callback_id": "restatement",
        "hash": "1.x",
        "private_metadata": "",
        "blocks": [],
        "state": {"values": {}},
        "team_id": TEAM,
    }
    malformed: list[tuple[str, bytes, str]] = [
        ("command without user", command(user_id="-"), FORM),
        ("command without trigger", command(trigger_id="-"), FORM),
        ("command with a bad user", command(user_id="not-a-user"), FORM),
        ("actions missing", interaction(base_action), FORM),
        ("actions empty", interaction(base_action | {"actions": []}), FORM),
        ("action not an object", interaction(base_action | {"actions": ["x"]}), FORM),
        ("user missing", interaction(base_action | {"user": None, "actions": [button]}), FORM),
        ("user a list", interaction(base_action | {"user": [LEAD], "actions": [button]}), FORM),
        ("no trigger", interaction(base_action | {"trigger_id": None, "actions": [button]}), FORM),
        ("value a number", interaction(base_action | {"actions": [button | {"value": 7}]}), FORM),
        (
            "view without state",
            interaction(
                {"type": "view_submission", "user": user(), "team": {"id": TEAM}}
                | {"view": {k: v for k, v in view.items() if k != "state"}}
            ),
            FORM,
        ),
        (
            "view state of the wrong type",
            interaction(
                {"type": "view_submission", "user": user(), "team": {"id": TEAM}}
                | {"view": view | {"state": {"values": {"what": ["x"]}}}}
            ),
            FORM,
        ),
        (
            "shortcut without trigger",
            interaction(
                {"type": "shortcut", "callback_id": "new_delegation", "user": user()}
                | {"team": {"id": TEAM}}
            ),
            FORM,
        ),
        (
            "message shortcut without message",
            interaction(
                {"type": "message_action", "callback_id": "delegate_message", "user": user()}
                | {"team": {"id": TEAM}, "trigger_id": "1.2.x", "channel": dm}
            ),
            FORM,
        ),
        ("home without user", event({"type": "app_home_opened", "tab": "home"}), JSON),
        (
            "event not an object",
            event({"type": "app_home_opened"}).replace(
                b'"event": {"type": "app_home_opened"}', b'"event": "x"'
            ),
            JSON,
        ),
    ]
    for name, body, content_type in malformed:
        before = levels(http_bot)
        status, _ = post(http_bot, slack_sandbox, body, content_type)
        assert status < 500, name
        expect_warnings(http_bot, before, 1)

    # Shaped right, but the ids are not ours: a refusal the person hears, never an exception.
    for value in ("²", str(2**63), "-1", "0", "1e3", " 1", "\u0661"):
        before = levels(http_bot)
        told = len(slack_sandbox.ephemerals(LEAD))
        clicked = interaction(base_action | {"actions": [button | {"value": value}]})
        assert post(http_bot, slack_sandbox, clicked, FORM)[0] == 200, value
        wait_until(functools.partial(_told_more, slack_sandbox, told))
        after = levels(http_bot)
        assert (after["ERROR"], after["Traceback"]) == (0, 0), http_bot.log()
        assert after["WARNING"] == before["WARNING"], value
    for metadata in ('{"task_id": 9223372036854775808}', '{"task_id": true}', "[", "x" * 4000):
        submitted = interaction(
            {"type": "view_submission", "user": user(), "team": {"id": TEAM}}
            | {"view": view | {"private_metadata": metadata}}
        )
        status, answer = post(http_bot, slack_sandbox, submitted, FORM)
        assert status == 200 and json.loads(answer)["response_action"] == "errors", metadata
    assert (levels(http_bot)["ERROR"], levels(http_bot)["Traceback"]) == (0, 0), http_bot.log()


def test_an_expired_trigger_on_delegate_is_told_privately(
    slack_sandbox: SandboxServer, http_bot: BotProcess, http_slack: Deliverer
) -> None:
    slack_sandbox.faults.add("views.open", "error", error="expired_trigger_id")
    before = levels(http_bot)
    assert http_slack.slash_command(LEAD, "").status == 200
    wait_until(
        lambda: any(
            "try again" in str(e.message.get("text")) for e in slack_sandbox.ephemerals(LEAD)
        )
    )
    expect_warnings(http_bot, before, 1)
    assert "expired_trigger_id" in http_bot.log()
    # A second try, with a fresh trigger, opens the brief.
    http_slack.slash_command(LEAD, "")
    slack_sandbox.wait_for_call("views.open", count=2, timeout=10)
    assert slack_sandbox.calls_to("views.open")[-1].ok


def test_home_for_someone_slack_does_not_know_is_a_warning(
    slack_sandbox: SandboxServer, http_bot: BotProcess, http_slack: Deliverer
) -> None:
    before = levels(http_bot)
    stranger = "U0NOBODY9"
    delivered = http_slack.event(
        {"type": "app_home_opened", "user": stranger, "channel": "D0NOBODY9", "tab": "home"}
    )
    assert delivered.status == 200
    expect_warnings(http_bot, before, 1)
    assert "does not know user" in http_bot.log()


def _rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except Alembic's, to compare before and after."""
    tables = sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {
            table: sorted(
                (
                    tuple(map(str, row))
                    for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
                ),
            )
            for table in tables
            if table != "alembic_version"
        }


def test_requests_from_another_workspace_are_refused_and_change_nothing(
    slack_sandbox: SandboxServer, http_bot: BotProcess, tmp_path: Path
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    dm = {"id": "D0SBLENA1", "name": "directmessage"}
    brief_values = {"title": {"value": {"type": "plain_text_input", "value": "Steal the deck"}}}
    other = {"team": {"id": OTHER_TEAM, "domain": "other"}, "user": user(OTHER_TEAM)}
    requests: list[tuple[str, bytes, str]] = [
        ("command", command(team_id=OTHER_TEAM, text="list"), FORM),
        (
            "block action",
            interaction(
                {"type": "block_actions", "trigger_id": "1.2.x", "channel": dm}
                | other
                | {"actions": [{"action_id": APPROVE_ACTION, "block_id": "b", "value": "1"}]}
            ),
            FORM,
        ),
        (
            "view submission",
            interaction(
                {"type": "view_submission", "trigger_id": "1.2.x"}
                | other
                | {
                    "view": {
                        "id": "V0OTHER01",
                        "type": "modal",
                        "callback_id": "new_delegation",
                        "hash": "1.x",
                        "private_metadata": "",
                        "state": {"values": brief_values},
                        "team_id": OTHER_TEAM,
                    }
                }
            ),
            FORM,
        ),
        (
            "shortcut",
            interaction(
                {"type": "shortcut", "callback_id": "new_delegation", "trigger_id": "1.2.x"} | other
            ),
            FORM,
        ),
        (
            "same team, other user team",
            interaction(
                {"type": "shortcut", "callback_id": "new_delegation", "trigger_id": "1.2.x"}
                | {"team": {"id": TEAM}, "user": user(OTHER_TEAM)}
            ),
            FORM,
        ),
        (
            "another org",
            interaction(
                {"type": "shortcut", "callback_id": "new_delegation", "trigger_id": "1.2.x"}
                | {"team": {"id": TEAM}, "user": user(), "enterprise": {"id": "E0OTHER01"}}
            ),
            FORM,
        ),
        (
            "home event",
            event({"type": "app_home_opened", "user": LEAD, "tab": "home"}, OTHER_TEAM),
            JSON,
        ),
        (
            "authorizations only",
            event(
                {"type": "app_home_opened", "user": LEAD, "tab": "home"},
                TEAM,
                authorizations=[{"team_id": OTHER_TEAM}],
            ),
            JSON,
        ),
        (
            "no team at all",
            event({"type": "app_home_opened", "user": LEAD, "tab": "home"}, "").replace(
                b'"team_id": ""', b'"x": 1'
            ),
            JSON,
        ),
    ]
    rows = _rows(engine)
    calls = len(slack_sandbox.calls)
    for name, body, content_type in requests:
        before = levels(http_bot)
        status, answer = post(http_bot, slack_sandbox, body, content_type)
        assert status == 200, name
        if name == "command":
            assert "not installed" in json.loads(answer)["text"]
        expect_warnings(http_bot, before, 1)
        assert "another workspace" in http_bot.log().splitlines()[-1], name
    assert len(slack_sandbox.calls) == calls, slack_sandbox.calls[calls:]
    assert _rows(engine) == rows
    engine.dispose()
    # The home workspace is still served.
    status, _ = post(http_bot, slack_sandbox, command(text="list"), FORM)
    assert status == 200


def test_socket_mode_refuses_another_workspace_too(
    slack_sandbox: SandboxServer, start_bot: BotFactory, tmp_path: Path
) -> None:
    bot = start_bot(socket_mode=True)
    assert slack_sandbox.wait_for_socket(timeout=10)
    transport = Transport(slack_sandbox, None, 5.0)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    rows, calls = _rows(engine), len(slack_sandbox.calls)
    before = levels(bot)
    answer = transport.over_socket(
        Outgoing(
            "slash_commands", dict(urllib.parse.parse_qsl(command(team_id=OTHER_TEAM).decode()))
        )
    )
    assert "not installed" in str((answer.ack or {}).get("text"))
    transport.over_socket(
        Outgoing(
            "events_api", json.loads(event({"type": "app_home_opened", "user": LEAD}, OTHER_TEAM))
        )
    )
    expect_warnings(bot, before, 2)
    assert len(slack_sandbox.calls) == calls
    assert _rows(engine) == rows
    engine.dispose()


def test_clicks_and_submissions_missing_their_view_parts_are_warnings(
    slack_sandbox: SandboxServer, http_bot: BotProcess
) -> None:
    """The brief's redraw buttons clicked from a message (no view), and submissions whose
    state has no values, are refused with one WARNING each; on main each raised KeyError."""
    from bot.views.delegation import ADD_CHECKPOINT_ACTION, SUGGEST_PICK_ACTION
    from tests.fuzz.surface import discover

    dm = {"id": "D0SBLENA1", "name": "directmessage"}
    from_message = {
        "type": "block_actions",
        "user": user(),
        "team": {"id": TEAM},
        "trigger_id": "1.2.edge",
        "channel": dm,
        "container": {"type": "message", "message_ts": "1.1", "channel_id": dm["id"]},
    }
    for action_id in (SUGGEST_PICK_ACTION, ADD_CHECKPOINT_ACTION, "skill_pick"):
        clicked = {"action_id": action_id, "block_id": "b", "type": "button", "value": LEAD}
        before = levels(http_bot)
        status, _ = post(
            http_bot, slack_sandbox, interaction(from_message | {"actions": [clicked]}), FORM
        )
        assert status == 200, action_id
        expect_warnings(http_bot, before, 1)

    # Every view callback the app registers, submitted with a state that holds no values.
    for callback_id in sorted(discover().ids("view_submission")):
        view = {"id": "V0EDGE002", "type": "modal", "callback_id": callback_id, "state": {}}
        submitted = {"type": "view_submission", "user": user(), "team": {"id": TEAM}, "view": view}
        before = levels(http_bot)
        status, answer = post(http_bot, slack_sandbox, interaction(submitted), FORM)
        assert status < 500, callback_id
        # Submissions are answered in the request: a WARNING, or an inline "out of date".
        after = levels(http_bot)
        assert (after["ERROR"], after["Traceback"]) == (0, 0), (callback_id, http_bot.log())
        warned = after["WARNING"] - before["WARNING"] == 1
        assert warned or "response_action" in answer, (callback_id, answer)
    assert slack_sandbox.calls_to("views.update") == []
