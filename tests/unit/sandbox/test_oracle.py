"""Calls real Slack would refuse: answered with Slack's error and recorded as violations."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from sandbox import oracle
from sandbox.server import SandboxServer
from tests.helpers.sandbox import bot_client

LEAD = "U0SBLENA1"
GENERAL = "C0SBGENRL"

needs_oracle = pytest.mark.skipif(
    not oracle.oracle_available(),
    reason="the Slack type schema is not at ../shared/oracle (set SLACK_ORACLE_DIR)",
)


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@needs_oracle
def test_schema_invalid_view_is_refused_and_recorded() -> None:
    bad_view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Delegate"},
        "blocks": [{"type": "input", "element": {"type": "plain_text_input", "action_id": "a"}}],
    }
    with SandboxServer() as server:
        trigger = server.issue_trigger(LEAD)
        with pytest.raises(SlackApiError) as raised:
            bot_client(server).views_open(trigger_id=trigger, view=bad_view)
        violations = server.violations

    assert raised.value.response["error"] == "invalid_arguments"
    assert raised.value.response["response_metadata"]["messages"]
    assert [v.method for v in violations] == ["views.open"]
    assert any("'label' is a required property" in p for p in violations[0].problems)


def test_too_long_section_text_is_caught_by_slack_sdk_models() -> None:
    with SandboxServer() as server:
        with pytest.raises(SlackApiError) as raised:
            bot_client(server).chat_postMessage(
                channel=GENERAL, text="brief", blocks=[section("x" * 3001)]
            )
        violations = server.violations

    assert raised.value.response["error"] == "invalid_blocks"
    assert len(violations) == 1
    assert any("cannot exceed 3000 characters" in p for p in violations[0].problems)
    assert server.messages(GENERAL) == []


def test_valid_calls_record_no_violation(slack_sandbox: SandboxServer) -> None:
    client = bot_client(slack_sandbox)

    client.chat_postMessage(channel=GENERAL, text="ok", blocks=[section("fine")])

    assert slack_sandbox.violations == []
    assert slack_sandbox.calls_to("chat.postMessage")[0].violations == ()


def test_message_without_content_is_no_text() -> None:
    with SandboxServer() as server, pytest.raises(SlackApiError) as raised:
        bot_client(server).api_call("chat.postMessage", json={"channel": GENERAL})

    assert raised.value.response["error"] == "no_text"
    assert server.violations[0].method == "chat.postMessage"


def test_validate_view_and_blocks_api() -> None:
    long_title = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t" * 25},
        "blocks": [section("x")],
    }

    assert oracle.validate_blocks([section("fine")]) == []
    assert any("unknown block type" in p for p in oracle.validate_blocks([{"type": "bogus"}]))
    assert any("title must be between 1 and 24" in p for p in oracle.validate_view(long_title))
    assert oracle.validate_call("auth.test", {}) == []


@needs_oracle
def test_validate_call_points_at_the_offending_field() -> None:
    args = {"channel": GENERAL, "text": "x", "blocks": [{"type": "section", "txt": section("y")}]}

    problems = oracle.validate_call("chat.postMessage", args)

    assert problems[0].startswith("ChatPostMessageArguments: $.blocks[0]: ")
    assert "'txt' was unexpected" in problems[0]


def test_oracle_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(oracle.ORACLE_ENV, str(tmp_path))
    assert oracle.oracle_dir() is None
    (tmp_path / oracle.SCHEMA_FILE).write_text('{"definitions": {}}')
    assert oracle.oracle_dir() == tmp_path


@needs_oracle
def test_pytest_fixture_fails_a_test_that_caused_violations(tmp_path: Path) -> None:
    (tmp_path / "test_bad_bot.py").write_text(
        textwrap.dedent(
            """
            from slack_sdk import WebClient
            from slack_sdk.errors import SlackApiError

            def test_sends_a_bad_view(slack_sandbox):
                client = WebClient(
                    base_url=slack_sandbox.api_url, token=slack_sandbox.workspace.bot_token
                )
                trigger = slack_sandbox.issue_trigger("U0SBLENA1")
                try:
                    client.views_open(trigger_id=trigger, view={"type": "modal", "blocks": []})
                except SlackApiError:
                    pass
            """
        )
    )

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "sandbox.pytest_plugin", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 call(s) real Slack would refuse" in run.stdout
    assert "views.open" in run.stdout
