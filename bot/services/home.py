"""App Home: everything a person has in flight, gathered in a handful of queries.

`home_data` reads one person's Home in six statements whatever their number of tasks: the
person, then five in `gather` (tests/unit/bot/test_home_service.py counts them; `make
bench-home` prints statements and time for a lead with 200 active delegations). Changes
queue a HOME outbox row for each person they concern who uses Home; the row is composed
when the sweep sends it, so a burst of changes publishes once. Every change to a task
reaches Home through `task_changed` (transitions and creation via
`bot.services.changes.record_change`); changes to a person through `refresh_home_and_leads`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload

from bot.domain.types import OPEN_STATES, OutboxKind, OutboxState, TaskState
from bot.runtime import Runtime
from bot.views.checkin import ANSWER_WORDS
from bot.views.home import HomeData, HomeTask, LoadLine, NeedKind, NeedsYou, home_view
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, Survey, Task
from storage.outbox import ClaimedMessage


def refresh_home(runtime: Runtime, session: Session, team_id: str, *people: Person) -> None:
    """Queue a Home publish for each person who uses Home, unless one is already waiting."""
    now = runtime.clock()
    wanted = {p.id: p for p in people if p.home_seen_at is not None and not p.is_bot}
    if not wanted:
        return
    waiting = set(
        session.scalars(
            sa.select(Outbox.recipient_id).where(
                Outbox.team_id == team_id,
                Outbox.kind == OutboxKind.HOME,
                Outbox.state == OutboxState.PENDING,
                Outbox.recipient_id.in_(wanted),
            )
        )
    )
    for person_id, person in wanted.items():
        if person_id in waiting:
            continue
        repo.enqueue_outbox(
            session=session,
            team_id=team_id,
            kind=OutboxKind.HOME,
            payload={"method": "views.publish", "args": {"user_id": person.slack_user_id}},
            due_at=now,
            now=now,
            recipient_id=person_id,
        )


def refresh_home_and_leads(
    runtime: Runtime, session: Session, team_id: str, person: Person
) -> None:
    """The person's Home, and their leads' (whose Team load shows them), need a refresh."""
    refresh_home(runtime, session, team_id, person, *_home_leads_of(session, team_id, person))


def task_changed(
    runtime: Runtime, session: Session, task: Task, *also: Person, load_changed: bool = False
) -> None:
    """The one way a change to a task reaches App Home: its lead's and owner's, and `also`'s.

    `also` is whoever the task concerned before the change (a reassigned task's previous
    owner). When an owner's open load changed, every lead whose Team load shows them is
    refreshed too.
    """
    leads = _home_leads_of(session, task.team_id, task.owner, *also) if load_changed else []
    refresh_home(runtime, session, task.team_id, task.lead, task.owner, *also, *leads)


def _home_leads_of(session: Session, team_id: str, *owners: Person) -> list[Person]:
    """Leads who use Home and ever delegated to one of `owners`: their Team load shows them."""
    # IN rather than DISTINCT over people: PostgreSQL has no equality for their JSON column.
    return list(
        session.scalars(
            sa.select(Person).where(
                Person.home_seen_at.is_not(None),
                Person.id.in_(
                    sa.select(Task.lead_id).where(
                        Task.team_id == team_id,
                        Task.owner_id.in_([owner.id for owner in owners]),
                    )
                ),
            )
        )
    )


def compose_home(
    runtime: Runtime, session: Session, message: ClaimedMessage
) -> dict[str, Any] | None:
    """The Home view as things stand when the publish goes out."""
    person = session.get(Person, message.recipient_id) if message.recipient_id else None
    if person is None:
        return None
    return {"view": home_view(gather(runtime, session, message.team_id, person))}


def home_opened(*, runtime: Runtime, team_id: str, user_id: str) -> HomeData:
    """The person opened Home: remember they use it, and return what it shows."""
    with session_scope(runtime.sessions) as session:
        person = repo.get_person(
            session=session, team_id=team_id, slack_user_id=user_id
        ) or repo.upsert_person(
            session=session, team_id=team_id, slack_user_id=user_id, now=runtime.clock()
        )
        person.home_seen_at = runtime.clock()
        return gather(runtime, session, team_id, person)


def home_data(*, runtime: Runtime, team_id: str, user_id: str) -> HomeData:
    """Everything on the person's Home tab (an empty Home for someone the bot never met)."""
    with session_scope(runtime.sessions) as session:
        person = repo.get_person(session=session, team_id=team_id, slack_user_id=user_id)
        if person is None:
            return HomeData(user_id=user_id, now=runtime.clock())
        return gather(runtime, session, team_id, person)


def gather(runtime: Runtime, session: Session, team_id: str, person: Person) -> HomeData:
    """Build the person's HomeData in five statements."""
    now = runtime.clock()
    owner, lead = aliased(Person), aliased(Person)
    mine = sa.and_(
        Task.team_id == team_id,
        sa.or_(Task.lead_id == person.id, Task.owner_id == person.id),
        Task.state.in_(OPEN_STATES),
    )
    # Only the columns Home shows: whole Task rows with both people cost several times more.
    tasks = session.execute(
        sa.select(
            Task.id,
            Task.title,
            Task.state,
            Task.health,
            Task.due_at,
            Task.agreed_due_at,
            Task.due_has_time,
            Task.updated_at,
            Task.done_at,
            Task.declined_at,
            Task.lead_id,
            Task.owner_id,
            owner.slack_user_id.label("owner_slack"),
            lead.slack_user_id.label("lead_slack"),
        )
        .join(owner, owner.id == Task.owner_id)
        .join(lead, lead.id == Task.lead_id)
        .where(mine)
        .order_by(Task.due_at, Task.id)
    ).all()
    ids = sa.select(Task.id).where(mine).scalar_subquery()
    last = _last_updates(session, team_id, ids) if tasks else {}
    pending, sent = (
        repo.checkin_times(session=session, team_id=team_id, task_ids=ids) if tasks else ({}, {})
    )
    needs: list[NeedsYou] = []
    delegated: list[HomeTask] = []
    assigned: list[HomeTask] = []
    for task in tasks:
        update = last.get(task.id)
        if task.lead_id == person.id:
            delegated.append(_home_task(task, task.owner_slack, update, pending, now))
            if task.state is TaskState.AWAITING_APPROVAL:
                needs.append(_need(NeedKind.APPROVE_RESTATEMENT, task, task.owner_slack))
            elif task.state is TaskState.DECLINED:
                waited = task.declined_at or task.updated_at
                needs.append(_need(NeedKind.REASSIGN, task, task.owner_slack, waited))
            elif task.state is TaskState.AWAITING_ACCEPTANCE:
                waited = task.done_at or task.updated_at
                needs.append(_need(NeedKind.ACCEPT_WORK, task, task.owner_slack, waited))
        if task.owner_id == person.id:
            assigned.append(_home_task(task, task.lead_slack, update, pending, now))
            if task.state is TaskState.AWAITING_CONFIRMATION:
                needs.append(_need(NeedKind.CONFIRM_BRIEF, task, task.lead_slack))
            asked = sent.get(task.id)
            answered = update[2] if update else None
            if (
                task.state is TaskState.ACTIVE
                and asked is not None
                and (answered is None or answered < asked)
            ):
                needs.append(_need(NeedKind.ANSWER_CHECKIN, task, task.lead_slack, asked))
    needs += _open_surveys(session, team_id, person, now)
    return HomeData(
        user_id=person.slack_user_id,
        now=now,
        needs_you=tuple(needs),
        delegated=tuple(delegated),
        assigned=tuple(assigned),
        team_load=tuple(_team_load(runtime, session, team_id, person)),
    )


def _need(kind: NeedKind, task: Any, other: str, since: dt.datetime | None = None) -> NeedsYou:
    """One "Needs you" item about a row of gather's task query."""
    return NeedsYou(
        kind=kind,
        title=task.title,
        other_id=other,
        since=since or task.updated_at,
        task_id=task.id,
    )


def _home_task(
    task: Any,  # a row of gather's task query
    other: str,
    update: tuple[str, str, dt.datetime] | None,
    pending: dict[int, dt.datetime],
    now: dt.datetime,
) -> HomeTask:
    """One task line's facts."""
    said = None
    if update is not None:
        words, note, at = update
        said = f"{words}, {at.date().isoformat()}" + (f": {note}" if note else "")
    due = task.agreed_due_at or task.due_at
    return HomeTask(
        task_id=task.id,
        title=task.title,
        other_id=other,
        state=task.state,
        health=task.health,
        due_at=due,
        due_has_time=task.due_has_time,
        overdue=task.state is TaskState.ACTIVE and due < now,
        last_update=said,
        next_checkin=pending.get(task.id),
    )


def _last_updates(
    session: Session, team_id: str, ids: sa.ScalarSelect[int]
) -> dict[int, tuple[str, str, dt.datetime]]:
    """Each task's newest status update: (answer words, note, when); one statement."""
    found = repo.latest_updates(session=session, team_id=team_id, task_ids=ids)
    return {
        task_id: (ANSWER_WORDS.get(answer, str(answer)), note, at)
        for task_id, (answer, note, at) in found.items()
    }


def _open_surveys(
    session: Session, team_id: str, person: Person, now: dt.datetime
) -> list[NeedsYou]:
    """Surveys the person has yet to answer; one statement."""
    surveys = session.scalars(
        sa.select(Survey)
        .where(
            Survey.team_id == team_id,
            Survey.respondent_id == person.id,
            Survey.submitted_at.is_(None),
            Survey.closed_at.is_(None),
            Survey.closes_at > now,
        )
        .options(joinedload(Survey.task), joinedload(Survey.project), joinedload(Survey.lead))
    ).unique()
    return [
        NeedsYou(
            kind=NeedKind.ANSWER_SURVEY,
            title=s.project.name if s.project else (s.task.title if s.task else "a delegation"),
            other_id=s.lead.slack_user_id,
            since=s.sent_at,
            task_id=s.task_id,
        )
        for s in surveys
    ]


def _team_load(runtime: Runtime, session: Session, team_id: str, person: Person) -> list[LoadLine]:
    """Everyone the person has delegated to, with their open load; one statement."""
    team = sa.select(Task.owner_id).where(Task.team_id == team_id, Task.lead_id == person.id)
    open_count = (
        sa.select(sa.func.count())
        .where(
            Task.team_id == team_id,
            Task.owner_id == Person.id,
            Task.state.in_(repo.LOAD_STATES),
        )
        .correlate(Person)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Person, open_count).where(
            Person.team_id == team_id,
            Person.id.in_(team),
            Person.is_bot.is_(False),
            Person.is_deleted.is_(False),
        )
    )
    default = runtime.settings.open_delegation_soft_limit
    return [
        LoadLine(
            user_id=member.slack_user_id,
            open_count=count,
            capacity=member.capacity if member.capacity is not None else default,
            away=(member.ooo_start, member.ooo_end)
            if member.ooo_start and member.ooo_end and member.ooo_end >= runtime.clock().date()
            else None,
        )
        for member, count in rows
    ]
