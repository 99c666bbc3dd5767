"""A clock for tests: time moves only when told to."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime


class ManualClock:
    """Callable returning seconds, like time.monotonic, that only `advance` moves."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self.now += seconds


class MovableClock:
    """Wall-clock seconds that a person can move forward: local mode's shared clock.

    The sandbox reads it as `wall_clock` (seconds) and the bot as `clock` (see `utc`), so
    moving it moves both. Only `delegate-bot run --local` builds one; production never does.
    """

    def __init__(self, real: Callable[[], float] = time.time) -> None:
        self._real = real
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._real() + self._offset

    def utc(self) -> datetime:
        """The moved instant as an aware UTC datetime, the bot's Clock."""
        return datetime.fromtimestamp(self(), UTC)

    @property
    def offset(self) -> float:
        """How far ahead of real time the clock runs, in seconds."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds` (never back: the bot's data assumes time only grows)."""
        if seconds < 0:
            raise ValueError("time does not run backwards")
        with self._lock:
            self._offset += seconds

    def advance_to(self, instant: datetime) -> bool:
        """Move forward to `instant`; False (and no move) when it is not in the future."""
        with self._lock:
            ahead = instant.timestamp() - (self._real() + self._offset)
            if ahead <= 0:
                return False
            self._offset += ahead
            return True
