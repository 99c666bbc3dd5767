"""A Runtime on a given engine and clock, without a server or a scheduler."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from bot.settings import Settings
from storage.db import make_session_factory

# The sandbox workspace's team id.
TEAM = "T0SANDBOX"


def make_runtime(engine: Engine, clock: Callable[[], dt.datetime]) -> Runtime:
    """Default settings (no .env), sessions as the app makes them, and no sweep to kick."""
    return Runtime(
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        engine=engine,
        sessions=make_session_factory(engine, sqlite_begin="IMMEDIATE"),
        clock=clock,
        kick_sweep=lambda: None,
    )
