"""One sandbox and one bot process for the whole fuzz module, seeded by the real flows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox.server import SandboxServer
from storage.db import make_engine
from tests.fuzz.corpus import Corpus, RecordingDeliverer, harvest, run_flows, synthesize
from tests.fuzz.harness import FuzzBot, Stats
from tests.fuzz.surface import Surface, discover
from tests.helpers.process import BotProcess, bot_env

STATS = Stats()


@dataclass
class FuzzWorld:
    """What every fuzz test needs: the surface, the seeds and the bot to send them to."""

    surface: Surface
    corpus: Corpus
    bot: FuzzBot


@pytest.fixture(scope="session")
def surface() -> Surface:
    """The app's listeners, discovered from the app."""
    return discover()


@pytest.fixture(scope="module")
def fuzz_world(surface: Surface, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzWorld]:
    """The bot in HTTP mode with one listener thread, after the flows ran; stopped at the end."""
    tmp_path: Path = tmp_path_factory.mktemp("fuzz")
    sandbox = SandboxServer().start()
    # One listener thread: lazy listeners run in arrival order, which the barrier relies on.
    env = bot_env(sandbox, tmp_path) | {"WORKER_THREADS": "1"}
    bot = BotProcess(env, log_path=tmp_path / "bot.log").start()
    engine: sa.Engine | None = None
    try:
        bot.wait_healthy()
        engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
        slack = RecordingDeliverer(sandbox, bot.base_url + "/slack/events")
        run_flows(sandbox, slack, engine)
        corpus = harvest(sandbox, slack, engine)
        synthesize(corpus, surface)
        fuzz_bot = FuzzBot(sandbox, bot, engine, STATS)
        assert fuzz_bot.barrier(), f"the barrier never came back:\n{bot.log()}"
        yield FuzzWorld(surface, corpus, fuzz_bot)
    finally:
        code = bot.stop()
        sandbox.stop()
        if engine is not None:
            engine.dispose()
    assert code == 0, f"bot exited with {code} after fuzzing:\n{bot.log()[-3000:]}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """`make fuzz` (and any run that fuzzed) ends with the counts."""
    if not STATS.sent:
        return
    from tests.fuzz.report import summary

    terminalreporter.write_sep("=", "fuzz counts")
    terminalreporter.write_line(summary(STATS))
