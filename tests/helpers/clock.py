"""A fixed instant and a clock the test moves by hand."""

from __future__ import annotations

import datetime as dt

# A fixed instant instead of the wall clock, so every run writes the same timestamps:
# Monday 2 March 2026, 09:00 UTC (09:00 in London, which is on GMT until the 29th).
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now
