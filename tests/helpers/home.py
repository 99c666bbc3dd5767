"""Seeding a database with a lead's App Home worth of delegations."""

from __future__ import annotations

import datetime as dt

from bot.domain.types import CheckinAnswer, Health, OutboxKind, OutboxState, TaskState, UpdateSource
from bot.runtime import Runtime
from storage import repositories as repo
from storage.db import session_scope
from storage.models import StatusUpdate
from tests.helpers.clock import NOW


def seed_home(runtime: Runtime, delegated: int, *, team: str) -> None:
    """A lead with `delegated` active tasks spread over 20 owners, each with a sent and a
    queued check-in and an update, plus one brief the lead was given themselves."""
    with session_scope(runtime.sessions) as session:
        lead = repo.upsert_person(session=session, team_id=team, slack_user_id="ULEAD", now=NOW)
        owners = [
            repo.upsert_person(session=session, team_id=team, slack_user_id=f"U{n:03d}", now=NOW)
            for n in range(20)
        ]
        for n in range(delegated):
            owner = owners[n % len(owners)]
            task = repo.create_task(
                session=session,
                team_id=team,
                lead_id=lead.id,
                owner_id=owner.id,
                title=f"Task {n}",
                goal="g",
                due_at=NOW + dt.timedelta(days=n % 9 - 2),
                due_tz="UTC",
                now=NOW - dt.timedelta(days=5),
            )
            task.state, task.health = TaskState.ACTIVE, Health.ON_TRACK
            session.add(
                StatusUpdate(
                    team_id=team,
                    task_id=task.id,
                    person_id=owner.id,
                    answer=CheckinAnswer.ON_TRACK,
                    note=f"note {n}",
                    source=UpdateSource.CHECKIN,
                    created_at=NOW - dt.timedelta(days=2),
                )
            )
            sent = repo.enqueue_outbox(
                session=session,
                team_id=team,
                kind=OutboxKind.CHECKIN,
                payload={},
                due_at=NOW - dt.timedelta(days=1),
                now=NOW,
                task_id=task.id,
            )
            assert sent is not None
            sent.state, sent.sent_at = OutboxState.SENT, NOW - dt.timedelta(days=1)
            repo.enqueue_outbox(
                session=session,
                team_id=team,
                kind=OutboxKind.CHECKIN,
                payload={},
                due_at=NOW + dt.timedelta(days=1),
                now=NOW,
                task_id=task.id,
            )
        mine = repo.create_task(
            session=session,
            team_id=team,
            lead_id=owners[0].id,
            owner_id=lead.id,
            title="Brief for the lead",
            goal="g",
            due_at=NOW + dt.timedelta(days=3),
            due_tz="UTC",
            now=NOW - dt.timedelta(days=1),
        )
        assert mine.state is TaskState.AWAITING_CONFIRMATION
