"""The newcomer's path: the README's commands as typed, start-up against an unusable Slack."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.views.help import dm_help_text
from sandbox.deliver import Deliverer
from sandbox.faults import FaultKind
from sandbox.server import SandboxServer
from tests.helpers.process import BotFactory, BotProcess, bot_env, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def _shell_env() -> dict[str, str]:
    """A person's shell: no venv on PATH, no PYTHONPATH, not inside another make."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if Path(part) != VENV_BIN
    )
    return env


@pytest.fixture
def installed() -> None:
    """`make install` has run in this checkout (it has in CI, which runs `make test`)."""
    fresh = subprocess.run(
        ["make", "--question", "install"], cwd=ROOT, env=_shell_env(), capture_output=True
    )
    if fresh.returncode != 0 and os.environ.get("CI") != "true":
        pytest.skip("this checkout's .venv is not installed and current")
    assert fresh.returncode == 0, "make install is not current"


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command],
        cwd=cwd,
        env=_shell_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.usefixtures("installed")
def test_make_manifest_into_a_file_is_only_json(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    done = _sh(f"make manifest > {target}", ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text())["settings"]["socket_mode_enabled"] is True
    done = _sh(f"make manifest URL=https://bot.example.com > {target}", ROOT)
    assert done.returncode == 0, done.stderr
    manifest = json.loads(target.read_text())
    assert manifest["settings"]["interactivity"]["request_url"].startswith("https://bot.example")


def test_the_install_a_redirected_target_may_run_writes_nothing_to_stdout() -> None:
    # On a fresh clone `make manifest > manifest.json` installs first; that must not land
    # in the file. Make echoes recipe lines to stdout unless they start with @.
    makefile = (ROOT / "Makefile").read_text()
    for target in (r"\$\(STAMP\)", "manifest", "sandbox"):
        recipe = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
        assert recipe is not None, target
        lines = recipe.group(1).splitlines()
        assert all(line.startswith("\t@") for line in lines), lines
        if target.startswith(r"\$"):
            talkers = [line for line in lines if "venv" in line or "pip" in line]
            assert talkers and all(line.endswith(">&2") for line in talkers), lines


@pytest.mark.usefixtures("installed")
def test_the_readme_programs_run_as_written_from_anywhere(tmp_path: Path) -> None:
    for command, expected in (
        (f"{VENV_BIN}/delegate-bot --help", "sandbox"),
        (f"{VENV_BIN}/python -m sandbox --help", "fake Slack workspace"),
        (f"{VENV_BIN}/delegate-bot manifest --url https://x.example > m.json", ""),
    ):
        done = _sh(command, tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        assert expected in done.stdout, command
    assert json.loads((tmp_path / "m.json").read_text())["display_information"]["name"]


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}"} | env
    return BotProcess(env, log_path=tmp_path / "start.log").run_to_exit()


def _said(output: str) -> list[str]:
    """What the process printed apart from its routine INFO log lines."""
    return [line for line in output.splitlines() if line.strip() and " INFO " not in line]


@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket"])
def test_slack_unreachable_is_one_line_naming_the_address_and_exit_2(
    tmp_path: Path, socket_mode: bool
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    env = {"SLACK_API_URL": closed, "SLACK_BOT_TOKEN": "xoxb-some-token"}
    env |= {"SLACK_APP_TOKEN": "xapp-some-token"} if socket_mode else {"SLACK_SIGNING_SECRET": "s"}
    code, output = _start(tmp_path, env)
    assert code == 2, output
    assert _said(output) == [
        f"delegate-bot: cannot reach Slack's Web API at {closed} (SLACK_API_URL): "
        "Connection refused"
    ]


def test_an_api_url_that_is_not_slack_is_named(
    slack_sandbox: SandboxServer, tmp_path: Path
) -> None:
    wrong = slack_sandbox.base_url + "/not-the-api/"
    env = {"SLACK_API_URL": wrong, "SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s"}
    code, output = _start(tmp_path, env)
    assert code == 2, output
    [line] = _said(output)
    assert line.startswith(f"delegate-bot: SLACK_API_URL {wrong} does not answer like Slack's")


def test_a_bot_token_the_sandbox_refuses_is_one_line_naming_it(
    slack_sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = bot_env(slack_sandbox, tmp_path, socket_mode=True)
    env["SLACK_BOT_TOKEN"] = "xoxb-wrong-token-value"
    code, output = _start(tmp_path, env)
    assert code == 2, output
    [line] = _said(output)
    assert "Slack refused the credentials: SLACK_BOT_TOKEN" in line and "invalid_auth" in line
    assert "wrong-token-value" not in output


def test_an_app_token_the_sandbox_refuses_is_one_line_naming_it(
    slack_sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = bot_env(slack_sandbox, tmp_path, socket_mode=True)
    env["SLACK_APP_TOKEN"] = "xapp-1-wrong-app-token"
    code, output = _start(tmp_path, env)
    assert code == 2, output
    assert _said(output) == [
        "delegate-bot: Slack refused the credentials: SLACK_APP_TOKEN "
        "(apps.connections.open: invalid_auth); use an App-Level Token with connections:write "
        "from Basic Information"
    ]
    assert "wrong-app-token" not in output
    assert slack_sandbox.socket_connections == 0


def _health(bot: BotProcess) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(bot.base_url + "/healthz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _wait_for_health(bot: BotProcess, status: int, timeout: float = 40.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    seen: tuple[int, dict[str, object]] = (0, {})
    while time.monotonic() < deadline:
        seen = _health(bot)
        if seen[0] == status:
            return seen[1]
        time.sleep(0.1)  # polling the bot's reconnect loop, not waiting for time to pass
    raise AssertionError(f"/healthz stayed {seen} instead of {status}:\n{bot.log()}")


def test_socket_mode_health_reports_the_connection_to_slack(
    slack_sandbox: SandboxServer, start_bot: BotFactory
) -> None:
    bot = start_bot(socket_mode=True)
    assert _health(bot) == (200, {"ok": True, "database": "ok", "slack": "connected"})
    # Slack goes away: the connection closes and a new one cannot be opened.
    slack_sandbox.faults.add(
        "apps.connections.open", FaultKind.ERROR, times=None, error="internal_error"
    )
    slack_sandbox.close_sockets()
    assert _wait_for_health(bot, 503) == {"ok": False, "database": "ok", "slack": "disconnected"}
    # Slack is back: the client reconnects by itself and health follows.
    slack_sandbox.faults.clear()
    assert _wait_for_health(bot, 200)["slack"] == "connected"
    assert slack_sandbox.wait_for_socket(timeout=5)


def test_http_mode_health_says_nothing_about_a_connection(http_bot: BotProcess) -> None:
    assert _health(http_bot) == (200, {"ok": True, "database": "ok"})


def _replies(slack_sandbox: SandboxServer, channel: str) -> list[dict[str, Any]]:
    return [
        call.params
        for call in slack_sandbox.calls_to("chat.postMessage")
        if call.params.get("channel") == channel
    ]


def test_a_message_typed_to_the_bot_gets_the_help_once(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    person = slack_sandbox.workspace.lead_id
    dm = slack_sandbox.workspace.dm_id(person)
    typed = http_slack.user_message(person, "hello? how does this work")
    assert typed.status == 200
    [call] = slack_sandbox.wait_for_call("chat.postMessage", timeout=10)
    assert call.ok, call.response
    assert call.params["channel"] == dm
    assert call.params["text"] == dm_help_text()
    assert "How to use /delegate" in call.params["text"]
    # Slack retries the same event (say the first answer seemed slow): no second answer.
    again = http_slack.event(
        typed.payload["event"], event_id=typed.event_id, retry_num=1, retry_reason="http_timeout"
    )
    assert again.status == 200
    # A second, different message is a new question and is answered too; waiting for its
    # answer also shows the retry's answer never came (answers go out in arrival order).
    http_slack.user_message(person, "anyone there?")
    slack_sandbox.wait_for_call("chat.postMessage", count=2, timeout=10)
    assert len(_replies(slack_sandbox, dm)) == 2


def test_a_reply_in_a_thread_is_answered_in_that_thread(
    slack_sandbox: SandboxServer, http_slack: Deliverer
) -> None:
    person = slack_sandbox.workspace.lead_id
    dm = slack_sandbox.workspace.dm_id(person)
    parent = slack_sandbox.state.next_ts()
    slack_sandbox.state.store_message(
        dm, {"type": "message", "user": person, "text": "first", "ts": parent}
    )
    ts = slack_sandbox.state.next_ts()
    event = {
        "type": "message",
        "user": person,
        "text": "and this?",
        "ts": ts,
        "thread_ts": parent,
        "channel": dm,
        "channel_type": "im",
        "team": slack_sandbox.workspace.team_id,
        "event_ts": ts,
    }
    assert http_slack.event(event).status == 200
    [call] = slack_sandbox.wait_for_call("chat.postMessage", timeout=10)
    assert call.ok, call.response
    assert (call.params["channel"], call.params.get("thread_ts")) == (dm, parent)


def test_messages_the_bot_must_not_answer_get_no_answer(
    slack_sandbox: SandboxServer, http_slack: Deliverer, http_bot: BotProcess
) -> None:
    ws = slack_sandbox.workspace
    person = ws.lead_id
    dm = ws.dm_id(person)
    ts = slack_sandbox.state.next_ts()
    base = {"type": "message", "ts": ts, "event_ts": ts, "team": ws.team_id}
    for event in (
        # in a channel, not addressed to the bot
        base
        | {
            "user": person,
            "text": "lunch?",
            "channel": ws.default_channel_id,
            "channel_type": "channel",
        },
        # the bot's own post in the DM, echoed back by message.im
        base
        | {
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "text": "A brief",
            "channel": dm,
            "channel_type": "im",
        },
        # an edit
        base
        | {
            "subtype": "message_changed",
            "channel": dm,
            "channel_type": "im",
            "hidden": True,
            "message": {"type": "message", "user": person, "text": "x", "ts": ts},
        },
    ):
        assert http_slack.event(event).status == 200
    # The sentinel: a plain DM after them is answered, and it is the only answer.
    http_slack.user_message(person, "help")
    [call] = slack_sandbox.wait_for_call("chat.postMessage", timeout=10)
    assert call.params["channel"] == dm
    assert slack_sandbox.calls_to("chat.postMessage") == [call]
    assert "Traceback" not in http_bot.log() and " ERROR " not in http_bot.log()
