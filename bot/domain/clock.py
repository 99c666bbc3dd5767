"""Time as a dependency: code asks a clock instead of calling datetime.now()."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock: the current instant, timezone-aware in UTC."""
    return datetime.now(UTC)
