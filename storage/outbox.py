"""Claiming and settling outbox rows: the storage half of the sweep.

A claim is a lease: the row is the claimer's until `lease_until`, and every settling
update is fenced by `claimed_by`, so a claimer whose lease ran out cannot overwrite the
work of the one that took over.

`lease_until` also remembers an attempt whose outcome is unknown. A row still claimed
after its lease lost its sender mid-flight; a pending row given back with its lease kept
(`retry_later(..., maybe_delivered=True)`) had an answer that did not say whether Slack
took the message. Either way the next claim learns when that attempt was claimed
(`ClaimedMessage.previous_claim_at`), so the sender can look for the message from then
on before posting it again. No extra column, and no extra statement per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState
from storage.models import Outbox


@dataclass(frozen=True)
class ClaimedMessage:
    """A claimed row, detached from any session: what the sender needs."""

    id: int
    team_id: str
    kind: OutboxKind
    payload: dict[str, Any]
    attempts: int
    task_id: int | None
    unique_key: str | None = None
    recipient_id: int | None = None
    # When an earlier attempt that may have reached Slack was claimed (None: no such attempt).
    previous_claim_at: dt.datetime | None = None

    @property
    def reclaimed(self) -> bool:
        """True when an earlier attempt may already have delivered this message."""
        return self.previous_claim_at is not None


def _lock_due(session: Session, where: sa.ColumnElement[bool], limit: int) -> list[Any]:
    """Ids, states and leases of up to `limit` rows matching `where`, oldest due first, locked."""
    return list(
        session.execute(
            sa.select(Outbox.id, Outbox.state, Outbox.lease_until)
            .where(where)
            .order_by(Outbox.state, Outbox.due_at, Outbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def claim_due(
    *, session: Session, now: dt.datetime, worker: str, lease: dt.timedelta, limit: int
) -> list[ClaimedMessage]:
    """Take up to `limit` due rows (pending, or claimed with an expired lease) for `worker`."""
    # Two lookups rather than one with OR: each can walk ix_outbox_state_due_at and stop at
    # `limit` rows, where an OR makes PostgreSQL read and sort every due row first.
    # FOR UPDATE SKIP LOCKED lets concurrent sweepers on PostgreSQL pass each other's rows
    # (the locks last until this transaction ends); SQLite ignores it and relies on the
    # session's BEGIN IMMEDIATE instead. Expired claims go first: their sender died.
    candidates = _lock_due(
        session,
        sa.and_(Outbox.state == OutboxState.CLAIMED, Outbox.lease_until < now),
        limit,
    )
    if len(candidates) < limit:
        candidates += _lock_due(
            session,
            sa.and_(Outbox.state == OutboxState.PENDING, Outbox.due_at <= now),
            limit - len(candidates),
        )
    if not candidates:
        return []
    # A row still marked claimed lost its sender mid-flight, and a pending row with a lease
    # was given back after an answer that left its fate open: Slack may already have it.
    # That attempt was claimed one lease before its lease ran out (the lease length is
    # a constant of the sender; the caller allows a margin for a change of it).
    previous_claim = {
        row.id: row.lease_until - lease for row in candidates if row.lease_until is not None
    }
    statement = (
        sa.update(Outbox)
        .where(Outbox.id.in_([row.id for row in candidates]))
        .values(
            state=OutboxState.CLAIMED,
            claimed_by=worker,
            lease_until=now + lease,
            attempts=Outbox.attempts + 1,
        )
        .returning(
            Outbox.id,
            Outbox.team_id,
            Outbox.kind,
            Outbox.payload,
            Outbox.attempts,
            Outbox.task_id,
            Outbox.unique_key,
            Outbox.recipient_id,
        )
    )
    rows = session.execute(statement, execution_options={"synchronize_session": False}).all()
    claimed = [
        ClaimedMessage(
            id=row.id,
            team_id=row.team_id,
            kind=OutboxKind(row.kind),
            payload=dict(row.payload),
            attempts=row.attempts,
            task_id=row.task_id,
            unique_key=row.unique_key,
            recipient_id=row.recipient_id,
            previous_claim_at=previous_claim.get(row.id),
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda message: message.id)


def _fenced(message_id: int, worker: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        Outbox.id == message_id,
        Outbox.claimed_by == worker,
        Outbox.state == OutboxState.CLAIMED,
    )


def mark_sent(
    *, session: Session, message_id: int, worker: str, channel: str, ts: str, now: dt.datetime
) -> bool:
    """Record Slack's channel and ts; False if the claim was lost meanwhile."""
    result = session.execute(
        sa.update(Outbox)
        .where(_fenced(message_id, worker))
        .values(
            state=OutboxState.SENT,
            channel=channel,
            ts=ts,
            sent_at=now,
            lease_until=None,
            last_error=None,
        ),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def retry_later(
    *,
    session: Session,
    message_id: int,
    worker: str,
    due_at: dt.datetime,
    error: str,
    maybe_delivered: bool = False,
    count_attempt: bool = True,
) -> bool:
    """Give the row back, due again at `due_at`; False if the claim was lost meanwhile.

    `maybe_delivered` keeps the lease's end on the row, so the next claim looks for the
    message in Slack before posting it again. `count_attempt=False` gives the attempt back
    (Slack said "wait", which is no fault of the message), so waits never use up retries.
    """
    values: dict[str, Any] = {
        "state": OutboxState.PENDING,
        "due_at": due_at,
        "claimed_by": None,
        "last_error": error[:2000],
    }
    if not maybe_delivered:
        values["lease_until"] = None
    if not count_attempt:
        values["attempts"] = Outbox.attempts - 1
    result = session.execute(
        sa.update(Outbox).where(_fenced(message_id, worker)).values(**values),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed(*, session: Session, message_id: int, worker: str, error: str) -> bool:
    """Give up on the row for good; False if the claim was lost meanwhile."""
    result = session.execute(
        sa.update(Outbox)
        .where(_fenced(message_id, worker))
        .values(state=OutboxState.FAILED, lease_until=None, last_error=error[:2000]),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_cancelled(*, session: Session, message_id: int, worker: str, reason: str) -> bool:
    """Drop a claimed row that has nothing left to say; False if the claim was lost."""
    result = session.execute(
        sa.update(Outbox)
        .where(_fenced(message_id, worker))
        .values(state=OutboxState.CANCELLED, lease_until=None, last_error=reason[:2000]),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SentCoordinates:
    """Where an earlier outbox message landed, if it has."""

    state: OutboxState
    channel: str | None
    ts: str | None


def coordinates_of(*, session: Session, team_id: str, message_id: int) -> SentCoordinates | None:
    """Channel and ts of an outbox row of this workspace (None if there is no such row)."""
    row = session.execute(
        sa.select(Outbox.state, Outbox.channel, Outbox.ts).where(
            Outbox.id == message_id, Outbox.team_id == team_id
        )
    ).one_or_none()
    if row is None:
        return None
    return SentCoordinates(state=OutboxState(row.state), channel=row.channel, ts=row.ts)
