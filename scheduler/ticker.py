"""The in-process ticker: APScheduler 3 with an in-memory job store, only a clock.

The database is the source of truth for what is due; APScheduler never shares a job
store between processes (its FAQ warns of duplicate and missed runs if it does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

SWEEP_JOB_ID = "sweep"

logger = logging.getLogger(__name__)


class Ticker:
    """Runs `sweep` every few seconds in one background thread, and on demand."""

    def __init__(self, sweep: Callable[[], None], *, interval_seconds: float) -> None:
        self._sweep = sweep
        self._interval_seconds = interval_seconds
        self._scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Start ticking; the first sweep runs at once."""
        self._scheduler.add_job(
            self._run_sweep,
            trigger="interval",
            seconds=self._interval_seconds,
            id=SWEEP_JOB_ID,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        self._scheduler.start()

    def kick(self) -> None:
        """Sweep as soon as possible: a commit just added work that is due now."""
        if self.running:
            self._scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))

    def shutdown(self) -> None:
        """Stop ticking and wait for a sweep in progress to finish its transaction."""
        if self.running:
            self._scheduler.shutdown(wait=True)

    def _run_sweep(self) -> None:
        try:
            self._sweep()
        except Exception:
            # One bad sweep must not stop the ticker; the next tick retries.
            logger.exception("Sweep failed; will retry on the next tick")
