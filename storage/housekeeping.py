"""Deleting rows a long-running deployment no longer needs, in small batches."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent


def delete_processed_events(*, session: Session, before: dt.datetime, limit: int) -> int:
    """Delete about `limit` of the oldest event ids received before `before`; how many went.

    The batch is a range of the received_at index (up to the `limit`-th oldest instant, so
    ties there may add a few), which both backends walk without reading the rest of the
    table; with nothing old it is one index probe. A batch chosen by primary key instead
    (`(team_id, event_id) IN (...)`) made PostgreSQL hash-join against the whole table.
    """
    old = ProcessedEvent.received_at < before
    edge = (
        sa.select(ProcessedEvent.received_at)
        .where(old)
        .order_by(ProcessedEvent.received_at)
        .offset(limit - 1)
        .limit(1)
        .scalar_subquery()
    )
    result = session.execute(
        sa.delete(ProcessedEvent).where(
            old, ProcessedEvent.received_at <= sa.func.coalesce(edge, before)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
