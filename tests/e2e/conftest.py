from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.db import make_engine
from tests.helpers.process import BotFactory, BotProcess, bot_env


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
