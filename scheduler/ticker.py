"""The in-process ticker: APScheduler 3 with an in-memory job store, only a clock.

The database is the source of truth for what is due; APScheduler never shares a job
store between processes (its FAQ warns of duplicate and missed runs if it does).
"""

from __future__ import annotations

import logging
import threading
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
        # Set by kick(); a sweep that was already running goes round once more, because
        # APScheduler drops a run that falls due while the previous one is still going.
        self._again = threading.Event()
        self._stopping = threading.Event()
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
            self.run_once,
            trigger="interval",
            seconds=self._interval_seconds,
            id=SWEEP_JOB_ID,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        self._scheduler.start()

    def kick(self) -> None:
        """Sweep as soon as possible: a commit just added work that is due now."""
        self._again.set()
        if self.running:
            self._scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))

    def shutdown(self) -> None:
        """Stop ticking and wait for a sweep in progress to finish its transaction."""
        self._stopping.set()  # a sweep loop in progress ends after its current sweep
        if self.running:
            self._scheduler.shutdown(wait=True)

    def run_once(self) -> None:
        """Sweep now in this thread, again while kicks keep arriving; never raises."""
        while True:
            self._again.clear()
            try:
                self._sweep()
            except Exception:
                # One bad sweep must not stop the ticker; the next tick retries.
                logger.exception("Sweep failed; will retry on the next tick")
                return
            if not self._again.is_set() or self._stopping.is_set():
                return
