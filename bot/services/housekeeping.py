"""Housekeeping the sweep runs about hourly: forgetting event ids Slack can no longer retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.runtime import Runtime
from storage.db import session_scope
from storage.housekeeping import delete_processed_events

logger = logging.getLogger(__name__)

# Slack retries an event it could not deliver three times with backoff, all within about an
# hour of the first attempt (and in minutes when the app answers 5xx); a day keeps every id a
# retry could still carry, with a wide margin for clock skew between instances.
PROCESSED_EVENT_RETENTION = timedelta(hours=24)
# Each batch is its own short transaction, so pruning never holds locks for long; a backlog
# larger than one run's share is finished by the next runs.
PRUNE_BATCH = 1000
PRUNE_BATCHES_PER_RUN = 20


def prune_processed_events(runtime: Runtime) -> int:
    """Forget event ids older than the retention, in batches; how many were deleted."""
    before = runtime.clock() - PROCESSED_EVENT_RETENTION
    removed = 0
    for _ in range(PRUNE_BATCHES_PER_RUN):
        with session_scope(runtime.sessions) as session:
            deleted = delete_processed_events(session=session, before=before, limit=PRUNE_BATCH)
        removed += deleted
        if deleted < PRUNE_BATCH:
            break
    if removed:
        logger.info("Forgot %d processed event ids received before %s", removed, before)
    return removed
