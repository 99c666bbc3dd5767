"""Injected faults, as the bot's client observes them."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from sandbox.faults import Faults
from sandbox.server import SandboxServer
from tests.helpers.sandbox import bot_client

GENERAL = "C0SBGENRL"


def test_rate_limit_is_429_with_retry_after(slack_sandbox: SandboxServer) -> None:
    slack_sandbox.faults.add("chat.postMessage", "ratelimited", retry_after=7)
    client = bot_client(slack_sandbox)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=GENERAL, text="hi")
    retried = client.chat_postMessage(channel=GENERAL, text="hi")

    response = raised.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert retried["ok"] is True
    calls = slack_sandbox.calls_to("chat.postMessage")
    assert [(c.status, c.fault) for c in calls] == [(429, "ratelimited"), (200, None)]
    assert len(slack_sandbox.messages(GENERAL)) == 1


def test_server_error_is_http_500(slack_sandbox: SandboxServer) -> None:
    slack_sandbox.faults.add("users.info", "server_error", times=2)
    client = bot_client(slack_sandbox)

    statuses = []
    for _ in range(3):
        try:
            statuses.append(client.users_info(user="U0SBLENA1").status_code)
        except SlackApiError as e:
            statuses.append(e.response.status_code)

    assert statuses == [500, 500, 200]
    assert [c.status for c in slack_sandbox.calls_to("users.info")] == [500, 500, 200]


def test_error_fault_answers_with_the_given_slack_error(slack_sandbox: SandboxServer) -> None:
    slack_sandbox.faults.add("*", "error", error="fatal_error")
    client = bot_client(slack_sandbox)

    with pytest.raises(SlackApiError) as raised:
        client.auth_test()

    assert raised.value.response["error"] == "fatal_error"
    assert client.auth_test()["ok"] is True


def test_slow_fault_delays_then_answers(slack_sandbox: SandboxServer) -> None:
    slack_sandbox.faults.add("auth.test", "slow", delay=0.05)

    response = bot_client(slack_sandbox).auth_test()

    assert response["ok"] is True
    assert slack_sandbox.calls_to("auth.test")[0].fault == "slow"


def test_faults_validate_their_arguments() -> None:
    faults = Faults()

    with pytest.raises(ValueError, match="error code"):
        faults.add("auth.test", "error")
    with pytest.raises(ValueError):
        faults.add("auth.test", "no-such-kind")
    forever = faults.add("auth.test", "ratelimited", times=None)
    assert [f.kind for f in faults.take("auth.test")] == [forever.kind]
    assert faults.armed == [forever]
