"""What handlers and jobs share in one process: settings, database and clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import Clock
from bot.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """One per process; handed to every register(app, runtime)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    # Ask the ticker to sweep now: call after committing outbox rows that are due at once.
    kick_sweep: Callable[[], None]
