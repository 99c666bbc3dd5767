"""Queries and writes the services need; every function is scoped to one workspace.

Each function takes the session and the workspace's team_id as keyword arguments and never
reads or writes another workspace's rows. Nothing here commits: the caller's unit of work
decides, so a state change and the outbox rows it causes land in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from bot.domain.types import (
    OPEN_STATES,
    CheckinAnswer,
    OutboxKind,
    OutboxState,
    ProjectState,
    Rhythm,
    SurveyKind,
    TaskState,
)
from storage.models import (
    AuditEvent,
    Base,
    Checkpoint,
    Outbox,
    Person,
    ProcessedEvent,
    Project,
    StatusUpdate,
    Survey,
    SurveyResponse,
    Task,
    Workspace,
)

# A declined task waits for the lead to reassign it; it no longer weighs on the person who
# declined, so it does not count towards their open load.
LOAD_STATES: frozenset[TaskState] = OPEN_STATES - {TaskState.DECLINED}


def _insert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """A dialect-specific INSERT, which is what offers ON CONFLICT on both backends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no ON CONFLICT support written for {dialect!r}")


# --- workspaces -----------------------------------------------------------------------------


def upsert_workspace(
    *,
    session: Session,
    team_id: str,
    now: dt.datetime,
    name: str = "",
    enterprise_id: str | None = None,
    bot_user_id: str | None = None,
) -> Workspace:
    """Create the workspace row or refresh its Slack-given fields; settings are kept."""
    values: dict[str, Any] = {
        "name": name,
        "enterprise_id": enterprise_id,
        "bot_user_id": bot_user_id,
        "updated_at": now,
    }
    statement = (
        _insert(session, Workspace)
        .values(team_id=team_id, installed_at=now, **values)
        .on_conflict_do_update(index_elements=[Workspace.team_id], set_=values)
        .returning(Workspace)
    )
    # populate_existing: a Workspace already in this session must show the new values.
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def anonymity_threshold(*, session: Session, team_id: str, default: int) -> int:
    """The workspace's own anonymity threshold, else `default` (the environment's)."""
    own = session.scalar(
        sa.select(Workspace.anonymity_threshold).where(Workspace.team_id == team_id)
    )
    return default if own is None else own


# --- people ---------------------------------------------------------------------------------

# How long a users.info time zone counts as fresh (the daily refresh asks again after a day).
TZ_RESTAMP_AFTER = dt.timedelta(days=1)


def upsert_person(
    *,
    session: Session,
    team_id: str,
    slack_user_id: str,
    now: dt.datetime,
    display_name: str = "",
    real_name: str = "",
    tz: str | None = None,
    is_bot: bool = False,
    is_deleted: bool = False,
) -> Person:
    """Create or refresh a person from users.info; their own settings are left alone.

    A refresh that brings nothing new writes nothing (the same click twice must not change
    the row); only the time zone's refreshed-at stamp is renewed, once it is TZ_RESTAMP_AFTER old.
    """
    known = get_person(session=session, team_id=team_id, slack_user_id=slack_user_id)
    if known is not None and (
        (known.display_name, known.real_name, known.is_bot, known.is_deleted)
        == (display_name, real_name, is_bot, is_deleted)
        and (
            tz is None
            or (
                known.tz == tz
                and known.tz_refreshed_at is not None
                and known.tz_refreshed_at > now - TZ_RESTAMP_AFTER
            )
        )
    ):
        return known
    values: dict[str, Any] = {
        "display_name": display_name,
        "real_name": real_name,
        "is_bot": is_bot,
        "is_deleted": is_deleted,
        "updated_at": now,
    }
    if tz is not None:
        values["tz"] = tz
        values["tz_refreshed_at"] = now
    # ON CONFLICT rather than select-then-insert: two processes handling events about a new
    # user at once would otherwise race to a unique violation.
    statement = (
        _insert(session, Person)
        .values(team_id=team_id, slack_user_id=slack_user_id, created_at=now, skills=[], **values)
        .on_conflict_do_update(
            index_elements=[Person.team_id, Person.slack_user_id],
            set_=values,
        )
        .returning(Person)
    )
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def get_person(*, session: Session, team_id: str, slack_user_id: str) -> Person | None:
    """The person with this Slack user id in this workspace."""
    return session.scalars(
        sa.select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_user_id)
    ).one_or_none()


# --- projects -------------------------------------------------------------------------------


def create_project(
    *, session: Session, team_id: str, name: str, lead_id: int, now: dt.datetime
) -> Project:
    """Add an open project led by the given person of the same workspace."""
    _require_people(session=session, team_id=team_id, person_ids=[lead_id])
    project = Project(
        team_id=team_id, name=name, lead_id=lead_id, state=ProjectState.OPEN, created_at=now
    )
    session.add(project)
    session.flush()
    return project


def get_project(*, session: Session, team_id: str, project_id: int) -> Project | None:
    """The project with this id, or None if it belongs to another workspace."""
    return session.scalars(
        sa.select(Project).where(Project.team_id == team_id, Project.id == project_id)
    ).one_or_none()


def find_project(*, session: Session, team_id: str, name: str) -> Project | None:
    """The project called `name`, ignoring case and surrounding space."""
    wanted = " ".join(name.split()).casefold()
    for project in session.scalars(sa.select(Project).where(Project.team_id == team_id)):
        if " ".join(project.name.split()).casefold() == wanted:
            return project
    return None


def list_project_tasks(*, session: Session, team_id: str, project_id: int) -> list[Task]:
    """Every task of the project with its people, soonest due first."""
    return list(
        session.scalars(
            sa.select(Task)
            .where(Task.team_id == team_id, Task.project_id == project_id)
            .options(joinedload(Task.owner), joinedload(Task.lead))
            .order_by(Task.due_at, Task.id)
        )
    )


# --- surveys --------------------------------------------------------------------------------


def create_survey(
    *,
    session: Session,
    team_id: str,
    kind: SurveyKind,
    lead_id: int,
    respondent_id: int,
    sent_at: dt.datetime,
    closes_at: dt.datetime,
    anonymity_offered: bool,
    task_id: int | None = None,
    project_id: int | None = None,
) -> Survey:
    """Add one survey of a round (about a task or a whole project)."""
    _require_people(session=session, team_id=team_id, person_ids=[lead_id, respondent_id])
    survey = Survey(
        team_id=team_id,
        kind=kind,
        lead_id=lead_id,
        respondent_id=respondent_id,
        sent_at=sent_at,
        closes_at=closes_at,
        anonymity_offered=anonymity_offered,
        task_id=task_id,
        project_id=project_id,
    )
    session.add(survey)
    session.flush()
    return survey


def get_survey(*, session: Session, team_id: str, survey_id: int) -> Survey | None:
    """The survey with its people and response, or None if not in this workspace."""
    return session.scalars(
        sa.select(Survey)
        .where(Survey.team_id == team_id, Survey.id == survey_id)
        .options(
            joinedload(Survey.respondent),
            joinedload(Survey.lead),
            joinedload(Survey.response),
            joinedload(Survey.task),
            joinedload(Survey.project),
        )
    ).one_or_none()


def round_surveys(
    *, session: Session, team_id: str, project_id: int | None, task_id: int | None
) -> list[Survey]:
    """The surveys of one round: a project's, or a task's outside any project."""
    where = (
        Survey.project_id == project_id
        if project_id is not None
        else sa.and_(Survey.task_id == task_id, Survey.project_id.is_(None))
    )
    return list(
        session.scalars(
            sa.select(Survey)
            .where(Survey.team_id == team_id, where)
            .options(joinedload(Survey.respondent), joinedload(Survey.response))
            .order_by(Survey.id)
        )
    )


def surveys_of_rounds(
    *, session: Session, team_id: str, rounds: Sequence[tuple[int | None, int | None]]
) -> list[Survey]:
    """The surveys of several rounds, each (project_id, task_id) as round_surveys takes them."""
    projects = [project_id for project_id, _ in rounds if project_id is not None]
    tasks = [task_id for project_id, task_id in rounds if project_id is None]
    if not rounds:
        return []
    return list(
        session.scalars(
            sa.select(Survey)
            .where(
                Survey.team_id == team_id,
                sa.or_(
                    Survey.project_id.in_(projects),
                    sa.and_(Survey.task_id.in_(tasks), Survey.project_id.is_(None)),
                ),
            )
            .options(
                joinedload(Survey.respondent),
                joinedload(Survey.response),
                joinedload(Survey.project),
                joinedload(Survey.task),
            )
            .order_by(Survey.id)
        )
    )


def closed_rounds_of_lead(
    *, session: Session, team_id: str, lead_id: int, since: dt.datetime | None = None
) -> list[tuple[int | None, int | None]]:
    """(project_id, task_id) of the lead's closed rounds, most recently closed first."""
    closed = sa.func.max(Survey.closed_at)
    statement = (
        sa.select(Survey.project_id, sa.case((Survey.project_id.is_(None), Survey.task_id)))
        .where(Survey.team_id == team_id, Survey.lead_id == lead_id, Survey.closed_at.is_not(None))
        .group_by(Survey.project_id, sa.case((Survey.project_id.is_(None), Survey.task_id)))
        .order_by(closed.desc())
    )
    if since is not None:
        statement = statement.having(closed >= since)
    return [(row[0], row[1]) for row in session.execute(statement)]


def add_survey_response(
    *, session: Session, survey: Survey, now: dt.datetime, **answers: Any
) -> SurveyResponse:
    """Record the answers to `survey` and mark it submitted."""
    response = SurveyResponse(
        team_id=survey.team_id, survey_id=survey.id, submitted_at=now, **answers
    )
    session.add(response)
    survey.submitted_at = now
    session.flush()
    return response


def went_at_risk(*, session: Session, team_id: str, task_ids: Sequence[int]) -> set[int]:
    """Which of these tasks ever had an at-risk or blocked answer."""
    if not task_ids:
        return set()
    return set(
        session.scalars(
            sa.select(StatusUpdate.task_id)
            .where(
                StatusUpdate.team_id == team_id,
                StatusUpdate.task_id.in_(task_ids),
                StatusUpdate.answer.in_([CheckinAnswer.AT_RISK, CheckinAnswer.BLOCKED]),
            )
            .distinct()
        )
    )


def health_counts(
    *, session: Session, team_id: str, task_ids: Sequence[int]
) -> dict[int, dict[CheckinAnswer, int]]:
    """How many answers of each kind every one of these tasks had."""
    counts: dict[int, dict[CheckinAnswer, int]] = {task_id: {} for task_id in task_ids}
    if not task_ids:
        return counts
    rows = session.execute(
        sa.select(StatusUpdate.task_id, StatusUpdate.answer, sa.func.count())
        .where(StatusUpdate.team_id == team_id, StatusUpdate.task_id.in_(task_ids))
        .group_by(StatusUpdate.task_id, StatusUpdate.answer)
    )
    for task_id, answer, count in rows:
        counts[task_id][answer] = count
    return counts


def checkin_counts(*, session: Session, team_id: str, task_ids: Sequence[int]) -> tuple[int, int]:
    """(check-ins sent, check-ins answered) over these tasks."""
    if not task_ids:
        return 0, 0
    sent = session.scalar(
        sa.select(sa.func.count())
        .select_from(Outbox)
        .where(
            Outbox.team_id == team_id,
            Outbox.task_id.in_(task_ids),
            Outbox.kind == OutboxKind.CHECKIN,
            Outbox.state == OutboxState.SENT,
        )
    )
    answered = session.scalar(
        sa.select(sa.func.count(sa.distinct(StatusUpdate.outbox_id)))
        .join(Outbox, Outbox.id == StatusUpdate.outbox_id)
        .where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.task_id.in_(task_ids),
            Outbox.kind == OutboxKind.CHECKIN,
        )
    )
    return sent or 0, answered or 0


TaskIds = Sequence[int] | sa.ScalarSelect[int]


def latest_updates(
    *, session: Session, team_id: str, task_ids: TaskIds
) -> dict[int, tuple[CheckinAnswer, str, dt.datetime]]:
    """Each task's newest status update as (answer, note, when), in one statement."""
    ranked = (
        sa.select(
            StatusUpdate.task_id,
            StatusUpdate.answer,
            StatusUpdate.note,
            StatusUpdate.created_at,
            sa.func.row_number()
            .over(
                partition_by=StatusUpdate.task_id,
                order_by=(StatusUpdate.created_at.desc(), StatusUpdate.id.desc()),
            )
            .label("rank"),
        )
        .where(StatusUpdate.team_id == team_id, StatusUpdate.task_id.in_(task_ids))
        .subquery()
    )
    rows = session.execute(
        sa.select(ranked.c.task_id, ranked.c.answer, ranked.c.note, ranked.c.created_at).where(
            ranked.c.rank == 1
        )
    )
    return {
        task_id: (answer, note or "", _aware(created)) for task_id, answer, note, created in rows
    }


def checkin_times(
    *, session: Session, team_id: str, task_ids: TaskIds
) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """Per task: the next queued check-in, and when the latest one was sent; one statement."""
    rows = session.execute(
        sa.select(
            Outbox.task_id,
            sa.func.min(sa.case((Outbox.state == OutboxState.PENDING, Outbox.due_at))),
            sa.func.max(sa.case((Outbox.state == OutboxState.SENT, Outbox.sent_at))),
        )
        .where(
            Outbox.team_id == team_id,
            Outbox.task_id.in_(task_ids),
            Outbox.kind == OutboxKind.CHECKIN,
        )
        .group_by(Outbox.task_id)
    )
    pending: dict[int, dt.datetime] = {}
    sent: dict[int, dt.datetime] = {}
    for task_id, next_due, last_sent in rows:
        if next_due is not None:
            pending[task_id] = _aware(next_due)
        if last_sent is not None:
            sent[task_id] = _aware(last_sent)
    return pending, sent


def _aware(value: object) -> dt.datetime:
    """An instant from an aggregate or window column, as aware UTC on every backend."""
    # UTCDateTime's result processing usually applies; SQLite may still hand back text.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected an instant, got {type(value).__name__}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# --- tasks ----------------------------------------------------------------------------------


def create_task(
    *,
    session: Session,
    team_id: str,
    lead_id: int,
    owner_id: int,
    title: str,
    goal: str,
    due_at: dt.datetime,
    due_tz: str,
    now: dt.datetime,
    due_has_time: bool = False,
    rhythm: Rhythm = Rhythm.WEEKLY,
    project_id: int | None = None,
    expectations: str = "",
    non_negotiables: str = "",
    freedoms: str = "",
    risks: str = "",
    skills: Sequence[str] = (),
    checkpoints: Iterable[tuple[dt.datetime, str]] = (),
    update_channel_id: str | None = None,
    source_channel_id: str | None = None,
    source_ts: str | None = None,
    source_permalink: str | None = None,
    source_view_id: str | None = None,
) -> Task:
    """Add a task awaiting the owner's confirmation, with checkpoints numbered from 1."""
    # Foreign keys alone would accept a person or project of another workspace.
    _require_people(session=session, team_id=team_id, person_ids=[lead_id, owner_id])
    if (
        project_id is not None
        and get_project(session=session, team_id=team_id, project_id=project_id) is None
    ):
        raise LookupError(f"project {project_id} is not in workspace {team_id}")
    task = Task(
        team_id=team_id,
        project_id=project_id,
        lead_id=lead_id,
        owner_id=owner_id,
        title=title,
        goal=goal,
        expectations=expectations,
        non_negotiables=non_negotiables,
        freedoms=freedoms,
        risks=risks,
        skills=list(skills),
        due_at=due_at,
        due_has_time=due_has_time,
        due_tz=due_tz,
        rhythm=rhythm,
        state=TaskState.AWAITING_CONFIRMATION,
        update_channel_id=update_channel_id,
        source_channel_id=source_channel_id,
        source_ts=source_ts,
        source_permalink=source_permalink,
        source_view_id=source_view_id,
        created_at=now,
        updated_at=now,
    )
    task.checkpoints = [
        Checkpoint(team_id=team_id, position=position, due_at=checkpoint_due, deliverable=text)
        for position, (checkpoint_due, text) in enumerate(checkpoints, start=1)
    ]
    session.add(task)
    session.flush()
    return task


def lock_task(*, session: Session, team_id: str, task_id: int) -> None:
    """Hold the task's row until the transaction ends, so concurrent writers take turns.

    On PostgreSQL this is SELECT ... FOR UPDATE: a second click waits here, then reads what
    the first one committed instead of failing on the version column. SQLite sessions that
    write begin IMMEDIATE and already hold the database's write lock, so nothing is sent.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        sa.select(Task.id).where(Task.team_id == team_id, Task.id == task_id).with_for_update()
    )


def task_id_for_view(*, session: Session, team_id: str, view_id: str) -> int | None:
    """The task a brief modal (by its Slack view id) already created, if any."""
    return session.scalar(
        sa.select(Task.id).where(Task.team_id == team_id, Task.source_view_id == view_id)
    )


def get_task(*, session: Session, team_id: str, task_id: int) -> Task | None:
    """The task with this id, or None if it does not exist in this workspace."""
    # Nearly every caller reads both people and the checkpoints: one joined query, not four.
    return (
        session.scalars(
            sa.select(Task)
            .where(Task.team_id == team_id, Task.id == task_id)
            .options(joinedload(Task.owner), joinedload(Task.lead), joinedload(Task.checkpoints))
        )
        .unique()
        .one_or_none()
    )


def list_tasks_for_owner(
    *,
    session: Session,
    team_id: str,
    owner_id: int,
    states: Iterable[TaskState] = LOAD_STATES,
) -> list[Task]:
    """The owner's tasks in the given states, soonest due first."""
    return list(
        session.scalars(
            sa.select(Task)
            .where(Task.team_id == team_id, Task.owner_id == owner_id, Task.state.in_(states))
            .order_by(Task.due_at, Task.id)
        )
    )


def list_tasks_for_lead(
    *,
    session: Session,
    team_id: str,
    lead_id: int,
    states: Iterable[TaskState] = OPEN_STATES,
) -> list[Task]:
    """Tasks the lead delegated, with their owners, in the given states, soonest due first."""
    return list(
        session.scalars(
            sa.select(Task)
            .where(Task.team_id == team_id, Task.lead_id == lead_id, Task.state.in_(states))
            .options(joinedload(Task.owner))
            .order_by(Task.due_at, Task.id)
        )
    )


def count_open_tasks_for_owner(*, session: Session, team_id: str, owner_id: int) -> int:
    """How many tasks currently weigh on this owner (see LOAD_STATES)."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Task)
            .where(Task.team_id == team_id, Task.owner_id == owner_id, Task.state.in_(LOAD_STATES))
        )
        or 0
    )


def open_load_by_owner(*, session: Session, team_id: str) -> dict[int, int]:
    """Open task count per owner id across the workspace, for suggesting owners."""
    rows = session.execute(
        sa.select(Task.owner_id, sa.func.count())
        .where(Task.team_id == team_id, Task.state.in_(LOAD_STATES))
        .group_by(Task.owner_id)
    )
    return {owner_id: count for owner_id, count in rows}


def _require_people(*, session: Session, team_id: str, person_ids: Iterable[int]) -> None:
    wanted = set(person_ids)
    found = set(
        session.scalars(
            sa.select(Person.id).where(Person.team_id == team_id, Person.id.in_(wanted))
        )
    )
    missing = wanted - found
    if missing:
        raise LookupError(f"people {sorted(missing)} are not in workspace {team_id}")


# --- outbox ---------------------------------------------------------------------------------


def enqueue_outbox(
    *,
    session: Session,
    team_id: str,
    kind: OutboxKind,
    payload: Mapping[str, Any],
    due_at: dt.datetime,
    now: dt.datetime,
    unique_key: str | None = None,
    task_id: int | None = None,
    recipient_id: int | None = None,
) -> Outbox | None:
    """Queue a message to send at due_at; None if a row with this unique_key already exists."""
    statement = (
        _insert(session, Outbox)
        .values(
            team_id=team_id,
            kind=kind,
            payload=dict(payload),
            due_at=due_at,
            state=OutboxState.PENDING,
            attempts=0,
            unique_key=unique_key,
            task_id=task_id,
            recipient_id=recipient_id,
            created_at=now,
        )
        # Another process may be inserting the same recurring work right now: the database
        # settles it, and the loser quietly gets nothing back.
        .on_conflict_do_nothing(index_elements=[Outbox.team_id, Outbox.unique_key])
        .returning(Outbox)
    )
    return session.scalars(statement).one_or_none()


# --- audit and event de-duplication ---------------------------------------------------------


def record_audit(
    *,
    session: Session,
    team_id: str,
    actor: str,
    action: str,
    at: dt.datetime,
    task_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append who did what (actor is a Slack user id) to the audit log."""
    event = AuditEvent(
        team_id=team_id,
        task_id=task_id,
        actor=actor,
        action=action,
        from_state=None if from_state is None else str(from_state),
        to_state=None if to_state is None else str(to_state),
        detail=dict(detail or {}),
        at=at,
    )
    session.add(event)
    session.flush()
    return event


def audit_trail(*, session: Session, team_id: str, task_id: int) -> list[AuditEvent]:
    """A task's audit events, oldest first."""
    return list(
        session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.team_id == team_id, AuditEvent.task_id == task_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def mark_event_processed(*, session: Session, team_id: str, event_id: str, at: dt.datetime) -> bool:
    """True the first time an event id is seen in this workspace, False for a retry."""
    # The insert is visible to other processes only after the caller commits; commit this
    # before slow work so a retry arriving meanwhile waits on the row lock and sees it.
    statement = (
        _insert(session, ProcessedEvent)
        .values(team_id=team_id, event_id=event_id, received_at=at)
        .on_conflict_do_nothing(index_elements=[ProcessedEvent.team_id, ProcessedEvent.event_id])
        .returning(ProcessedEvent.event_id)
    )
    return session.execute(statement).first() is not None


VIEW_ID_LENGTH = 48


def claim_submission(*, session: Session, team_id: str, view_id: str, at: dt.datetime) -> bool:
    """True the first time a modal (by its Slack view id) is acted on, False for a repeat.

    Call it in the transaction that makes the submission's effect, after every check that
    could still refuse it: the claim then commits with the effect or not at all, and a
    concurrent repeat waits on the row and sees it. Stored with the event ids, which are
    kept longer than a modal can stay open.
    """
    if not view_id or len(view_id) > VIEW_ID_LENGTH:
        return True  # not an id Slack makes: nothing to key on, and too long to store
    return mark_event_processed(session=session, team_id=team_id, event_id=f"view:{view_id}", at=at)
