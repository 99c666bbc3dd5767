"""A clock for tests: time moves only when told to."""

from __future__ import annotations


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
