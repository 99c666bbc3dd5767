"""The sweep: the only sender of outbox rows (claiming and sending arrive with check-ins)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.runtime import Runtime

logger = logging.getLogger(__name__)


def make_sweep(runtime: Runtime) -> Callable[[], None]:
    """Build the job the ticker runs; for now it only proves the ticker and database are alive."""

    def sweep() -> None:
        logger.debug("sweep at %s", runtime.clock().isoformat())

    return sweep
