from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.db import make_engine
from tests.e2e.process import BotProcess

BotFactory = Callable[..., BotProcess]


def bot_env(sandbox: SandboxServer, tmp_path: Path, *, socket_mode: bool = False) -> dict[str, str]:
    """Environment for a bot process that talks to `sandbox` and keeps data in tmp_path."""
    workspace = sandbox.workspace
    env = {
        "SLACK_API_URL": sandbox.api_url,
        "SLACK_BOT_TOKEN": workspace.bot_token,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "LOG_LEVEL": "INFO",
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    if socket_mode:
        env["SLACK_APP_TOKEN"] = workspace.app_token
    else:
        env["SLACK_SIGNING_SECRET"] = workspace.signing_secret
    return env


@pytest.fixture
def start_bot(slack_sandbox: SandboxServer, tmp_path: Path) -> Iterator[BotFactory]:
    """Start bot processes against the sandbox; each must exit 0 on SIGTERM at teardown."""
    started: list[BotProcess] = []

    def start(*, socket_mode: bool = False, **extra_env: str) -> BotProcess:
        env = bot_env(slack_sandbox, tmp_path, socket_mode=socket_mode) | extra_env
        bot = BotProcess(env, log_path=tmp_path / f"bot-{len(started)}.log").start()
        started.append(bot)
        bot.wait_healthy()
        return bot

    yield start
    for bot in started:
        code = bot.stop()
        assert code == 0, f"bot exited with {code}:\n{bot.log()}"


@pytest.fixture
def database(http_bot: BotProcess, tmp_path: Path) -> Iterator[sa.Engine]:
    """The HTTP bot's own SQLite database, to check what it stored."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def http_bot(start_bot: BotFactory) -> BotProcess:
    """The bot in HTTP mode."""
    return start_bot()


@pytest.fixture
def http_slack(slack_sandbox: SandboxServer, http_bot: BotProcess) -> Deliverer:
    """Slack's side of HTTP mode: signed posts to the bot's /slack/events."""
    return Deliverer(slack_sandbox, http_bot.base_url + "/slack/events")
