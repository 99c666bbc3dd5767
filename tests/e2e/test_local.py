"""`delegate-bot run` with no Slack credentials: the local workspace, with a page to open."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.process import BotProcess, free_port

pytestmark = pytest.mark.e2e


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read()


def _post(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        found: dict[str, object] = json.loads(answer.read())
        return found


def test_run_without_any_credentials_starts_the_local_workspace(tmp_path: Path) -> None:
    web_port = free_port()
    bot = BotProcess({}, log_path=tmp_path / "local.log", args=("run", "--web-port", str(web_port)))
    with bot:
        bot.wait_healthy()
        page = f"http://127.0.0.1:{web_port}/local/"
        assert re.search(rf"Open {re.escape(page)} in a browser", bot.log())
        assert "SLACK_BOT_TOKEN" in bot.log()  # how to connect a real workspace instead
        status, html = _get(page)
        assert status == 200 and b"<script" in html
        # The page's API reaches the bot: /delegate help comes back as a private answer.
        api = f"http://127.0.0.1:{web_port}/local/api"
        sent = _post(f"{api}/send", {"user": "U0SBLENA1", "text": "/delegate help"})
        assert sent["ok"] is True
        _, body = _get(f"{api}/state?user=U0SBLENA1")
        state = json.loads(body)
        assert "How to use /delegate" in json.dumps(state["ephemerals"])
        assert (tmp_path / "delegate-bot-local.sqlite3").exists()
        assert bot.stop() == 0


def test_the_clock_jumps_a_day_and_says_when_nothing_is_due(tmp_path: Path) -> None:
    web_port = free_port()
    args = ("run", "--local", "--web-port", str(web_port))
    with BotProcess({}, log_path=tmp_path / "local.log", args=args) as bot:
        bot.wait_healthy()
        api = f"http://127.0.0.1:{web_port}/local/api"
        nothing = _post(f"{api}/clock", {"move": "next"})
        assert nothing["ok"] is False and "Nothing is scheduled" in str(nothing["error"])
        _, before = _get(f"{api}/state?user=U0SBLENA1")
        moved = _post(f"{api}/clock", {"move": "day"})
        assert moved["ok"] is True
        _, after = _get(f"{api}/state?user=U0SBLENA1")
        assert json.loads(after)["clock_offset_seconds"] == 86400
        assert json.loads(before)["clock_offset_seconds"] == 0
        assert bot.stop() == 0
