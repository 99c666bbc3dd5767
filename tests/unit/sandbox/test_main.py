"""`python -m sandbox` as a developer runs it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from slack_sdk import WebClient

from sandbox.__main__ import describe, main
from sandbox.server import SandboxServer


def test_cli_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("Press Ctrl-C"):
                break
        api_url = next(x for x in lines if x.startswith("SLACK_API_URL=")).partition("=")[2]
        token = next(x for x in lines if x.startswith("SLACK_BOT_TOKEN=")).partition("=")[2]
        identity = WebClient(base_url=api_url, token=token).auth_test()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)

    assert identity["team_id"] == "T0SANDBOX"
    assert code == 0
    assert "SLACK_SIGNING_SECRET=sandbox-signing-secret" in lines
    assert any("Europe/London" in x and "lead" in x for x in lines)


def test_describe_lists_users_and_channels() -> None:
    with SandboxServer() as server:
        text = describe(server)

    assert "SLACK_APP_TOKEN=xapp-1-sandbox-app-token" in text
    assert "deactivated" in text and "bot is not a member" in text


def test_main_reports_a_busy_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["--port", str(port)]) == 1
