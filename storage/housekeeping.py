"""Deleting rows a long-running deployment no longer needs, in small batches."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent


def delete_processed_events(*, session: Session, before: dt.datetime, limit: int) -> int:
    """Delete up to `limit` event ids received before `before`, in every workspace; how many.

    One walk of the received_at index, so it costs one index probe when nothing is old.
    """
    oldest = (
        sa.select(ProcessedEvent.team_id, ProcessedEvent.event_id)
        .where(ProcessedEvent.received_at < before)
        .order_by(ProcessedEvent.received_at)
        .limit(limit)
    )
    result = session.execute(
        sa.delete(ProcessedEvent).where(
            sa.tuple_(ProcessedEvent.team_id, ProcessedEvent.event_id).in_(oldest)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
