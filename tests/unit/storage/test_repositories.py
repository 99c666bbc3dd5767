"""Repository behaviour: de-duplication, upserts and workspace isolation."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState, TaskState
from storage import repositories as repo
from storage.db import make_engine, make_session_factory
from storage.models import Outbox
from tests.helpers.clock import NOW
from tests.helpers.storage import DUE, person, task


def test_outbox_unique_key_dedupes(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    created = task(session, "T1", lead, lead)

    def enqueue(team_id: str) -> Outbox | None:
        return repo.enqueue_outbox(
            session=session,
            team_id=team_id,
            kind=OutboxKind.CHECKIN,
            payload={"method": "chat.postMessage", "args": {"channel": "D1", "text": "hi"}},
            due_at=DUE,
            now=NOW,
            unique_key=f"checkin:{created.id}:{DUE.isoformat()}",
            task_id=created.id if team_id == "T1" else None,
            recipient_id=lead.id if team_id == "T1" else None,
        )

    first = enqueue("T1")
    assert first is not None
    assert (first.state, first.attempts, first.kind) == (OutboxState.PENDING, 0, OutboxKind.CHECKIN)
    assert first.payload["args"]["channel"] == "D1"
    assert enqueue("T1") is None
    assert enqueue("T2") is not None  # keys are per workspace

    rows = session.scalars(sa.select(Outbox).where(Outbox.team_id == "T1")).all()
    assert [row.id for row in rows] == [first.id]


def test_outbox_without_key_never_collides(session: Session) -> None:
    for _ in range(2):
        row = repo.enqueue_outbox(
            session=session, team_id="T1", kind=OutboxKind.NOTICE, payload={}, due_at=DUE, now=NOW
        )
        assert row is not None
    assert session.scalar(sa.select(sa.func.count()).select_from(Outbox)) == 2


def test_mark_event_processed_is_true_once(session: Session) -> None:
    def mark(team_id: str, event_id: str) -> bool:
        return repo.mark_event_processed(
            session=session, team_id=team_id, event_id=event_id, at=NOW
        )

    assert mark("T1", "Ev1") is True
    assert mark("T1", "Ev1") is False
    assert mark("T2", "Ev1") is True
    assert mark("T1", "Ev2") is True


def test_mark_event_processed_holds_across_engines(migrated_engine: Engine) -> None:
    # Two engines stand for two processes: separate pools, separate connections.
    other_engine = make_engine(migrated_engine.url.render_as_string(hide_password=False))
    try:
        sessions = [make_session_factory(e) for e in (migrated_engine, other_engine)]
        answers = []
        for factory in sessions:
            with factory.begin() as session:
                answers.append(
                    repo.mark_event_processed(
                        session=session, team_id="T1", event_id="EvRetried", at=NOW
                    )
                )
        assert answers == [True, False]
    finally:
        other_engine.dispose()


def test_tasks_do_not_cross_workspaces(session: Session) -> None:
    lead_1, owner_1 = person(session, "T1", "ULEAD"), person(session, "T1", "UOWNER")
    # Same Slack ids in another workspace are different people.
    lead_2, owner_2 = person(session, "T2", "ULEAD"), person(session, "T2", "UOWNER")
    assert {lead_1.id, owner_1.id}.isdisjoint({lead_2.id, owner_2.id})
    mine = task(session, "T1", lead_1, owner_1)
    task(session, "T2", lead_2, owner_2)
    task(session, "T2", lead_2, owner_2)

    assert repo.get_task(session=session, team_id="T1", task_id=mine.id) is mine
    assert repo.get_task(session=session, team_id="T2", task_id=mine.id) is None
    assert repo.get_person(session=session, team_id="T2", slack_user_id="UOWNER") is owner_2

    assert repo.count_open_tasks_for_owner(session=session, team_id="T1", owner_id=owner_1.id) == 1
    assert repo.count_open_tasks_for_owner(session=session, team_id="T2", owner_id=owner_2.id) == 2
    # The right person id with the wrong workspace finds nothing.
    assert repo.count_open_tasks_for_owner(session=session, team_id="T2", owner_id=owner_1.id) == 0
    assert repo.open_load_by_owner(session=session, team_id="T1") == {owner_1.id: 1}
    assert [
        t.id for t in repo.list_tasks_for_lead(session=session, team_id="T1", lead_id=lead_1.id)
    ] == [mine.id]


def test_create_task_refuses_people_or_projects_of_another_workspace(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    stranger = person(session, "T2", "USTRANGER")
    with pytest.raises(LookupError, match="not in workspace T1"):
        task(session, "T1", lead, stranger)
    project = repo.create_project(
        session=session, team_id="T2", name="P", lead_id=stranger.id, now=NOW
    )
    with pytest.raises(LookupError, match="project"):
        repo.create_task(
            session=session,
            team_id="T1",
            lead_id=lead.id,
            owner_id=lead.id,
            title="t",
            goal="g",
            due_at=DUE,
            due_tz="UTC",
            now=NOW,
            project_id=project.id,
        )


def test_open_count_follows_the_lifecycle(session: Session) -> None:
    lead, owner = person(session, "T1", "ULEAD"), person(session, "T1", "UOWNER")
    tasks = [task(session, "T1", lead, owner, title=str(n)) for n in range(4)]
    tasks[1].state = TaskState.COMPLETED
    tasks[2].state = TaskState.DECLINED
    tasks[3].state = TaskState.ACTIVE
    session.flush()

    assert repo.count_open_tasks_for_owner(session=session, team_id="T1", owner_id=owner.id) == 2


def test_create_task_numbers_checkpoints(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    first, second = DUE - dt.timedelta(days=7), DUE - dt.timedelta(days=3)
    created = repo.create_task(
        session=session,
        team_id="T1",
        lead_id=lead.id,
        owner_id=lead.id,
        title="t",
        goal="g",
        due_at=DUE,
        due_tz="UTC",
        now=NOW,
        skills=["SQL"],
        checkpoints=[(first, "outline"), (second, "draft")],
    )
    session.expire_all()
    assert [(c.position, c.due_at, c.deliverable) for c in created.checkpoints] == [
        (1, first, "outline"),
        (2, second, "draft"),
    ]
    assert all(c.team_id == "T1" for c in created.checkpoints)


def test_upsert_person_refreshes_profile_and_keeps_settings(session: Session) -> None:
    first = person(session, "T1", "UOWNER")
    first.skills = ["SQL"]
    first.tz_override = "Asia/Kolkata"
    first.capacity = 3
    session.flush()
    later = NOW + dt.timedelta(days=1)

    again = repo.upsert_person(
        session=session,
        team_id="T1",
        slack_user_id="UOWNER",
        display_name="Owner Renamed",
        tz="America/New_York",
        is_deleted=True,
        now=later,
    )

    assert again is first
    assert again.display_name == "Owner Renamed"
    assert (again.tz, again.tz_refreshed_at, again.updated_at) == ("America/New_York", later, later)
    assert again.is_deleted is True
    assert (again.skills, again.tz_override, again.capacity) == (["SQL"], "Asia/Kolkata", 3)
    assert again.created_at == NOW
    assert again.effective_tz == "Asia/Kolkata"


def test_upsert_workspace_updates_in_place(session: Session) -> None:
    created = repo.upsert_workspace(session=session, team_id="T1", name="Acme", now=NOW)
    created.anonymity_threshold = 7
    session.flush()
    later = NOW + dt.timedelta(hours=1)

    updated = repo.upsert_workspace(
        session=session, team_id="T1", name="Acme Inc", bot_user_id="UBOT", now=later
    )

    assert updated is created
    assert (updated.name, updated.bot_user_id, updated.updated_at) == ("Acme Inc", "UBOT", later)
    assert (updated.installed_at, updated.anonymity_threshold) == (NOW, 7)


def test_a_workspaces_anonymity_threshold_overrides_the_environments(session: Session) -> None:
    repo.upsert_workspace(session=session, team_id="T1", now=NOW).anonymity_threshold = 7
    repo.upsert_workspace(session=session, team_id="T2", now=NOW)  # sets none of its own
    session.flush()
    assert repo.anonymity_threshold(session=session, team_id="T1", default=3) == 7
    assert repo.anonymity_threshold(session=session, team_id="T2", default=3) == 3
    assert repo.anonymity_threshold(session=session, team_id="T3", default=4) == 4  # no row


def test_record_audit_keeps_the_trail_per_workspace(session: Session) -> None:
    lead = person(session, "T1", "ULEAD")
    created = task(session, "T1", lead, lead)
    repo.record_audit(
        session=session,
        team_id="T1",
        actor="ULEAD",
        action="create",
        at=NOW,
        task_id=created.id,
        to_state=TaskState.AWAITING_CONFIRMATION,
    )
    repo.record_audit(
        session=session,
        team_id="T1",
        actor="ULEAD",
        action="cancel",
        at=NOW + dt.timedelta(minutes=5),
        task_id=created.id,
        from_state=TaskState.AWAITING_CONFIRMATION,
        to_state=TaskState.CANCELLED,
        detail={"reason": "duplicate"},
    )
    session.expire_all()

    trail = repo.audit_trail(session=session, team_id="T1", task_id=created.id)
    assert [(e.action, e.from_state, e.to_state) for e in trail] == [
        ("create", None, "awaiting_confirmation"),
        ("cancel", "awaiting_confirmation", "cancelled"),
    ]
    assert trail[1].detail == {"reason": "duplicate"}
    assert repo.audit_trail(session=session, team_id="T2", task_id=created.id) == []
