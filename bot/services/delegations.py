"""Creating a delegation: the task, its audit trail and its messages, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import brief as fields
from bot.domain.brief import BriefInput
from bot.domain.types import OutboxKind, ProjectState
from bot.domain.workdays import WorkCalendar, add_working_days
from bot.runtime import Runtime
from bot.services.changes import record_change
from bot.services.conflicts import once_more_on_conflict
from bot.views.brief_message import BriefView, brief_message, receipt_message
from bot.views.text import escape_mrkdwn
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, Project, Task
from storage.outbox import ClaimedMessage

END_OF_DAY = time(23, 59)


def confirmation_wait_key(task_id: int, owner_id: int | None = None, days: int = 0) -> str:
    """Unique key of a "still waiting for confirmation" message; a LIKE pattern without owner.

    The owner is part of the key so that a reassigned task's new owner gets their own.
    """
    if owner_id is None:
        return f"confirmation-wait:{task_id}:%"
    return f"confirmation-wait:{task_id}:{owner_id}:{days}"


@dataclass(frozen=True)
class SlackUser:
    """A person as users.info describes them."""

    user_id: str
    display_name: str
    real_name: str = ""
    tz: str | None = None
    is_bot: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class CreatedDelegation:
    """What the lead's handler needs after the commit."""

    task_id: int
    owner_open_count: int
    # True when this modal had already created the task (a second submit): nothing was sent.
    repeated: bool = False


def due_instant(day: date, at: time | None, tz: ZoneInfo) -> datetime:
    """The due date (and time, else the end of that day) in the lead's zone, as UTC."""
    local = datetime.combine(day, at or END_OF_DAY, tzinfo=tz)
    # A wall time inside a DST gap does not exist; move it to the first instant after.
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        local = round_trip
    return local.astimezone(UTC)


def brief_view_of(task: Task) -> BriefView:
    """The owner's brief DM as stored: the same for the first owner and a new one."""
    zone = ZoneInfo(task.due_tz)
    return BriefView(
        task_id=task.id,
        lead_id=task.lead.slack_user_id,
        owner_id=task.owner.slack_user_id,
        title=task.title,
        goal=task.goal,
        due_at=task.agreed_due_at or task.due_at,
        due_has_time=task.due_has_time,
        expectations=task.expectations,
        non_negotiables=task.non_negotiables,
        freedoms=task.freedoms,
        risks=task.risks,
        skills=tuple(task.skills),
        checkpoints=tuple(
            (checkpoint.due_at.astimezone(zone).date(), checkpoint.deliverable)
            for checkpoint in task.checkpoints
        ),
        rhythm=task.rhythm,
        project=task.project.name if task.project else None,
        update_channel_id=task.update_channel_id,
        source_permalink=task.source_permalink,
    )


def owner_load(*, runtime: Runtime, team_id: str, owner_user_id: str) -> tuple[int, int, bool]:
    """(open delegations, capacity, whether the capacity is the person's own setting)."""
    default = runtime.settings.open_delegation_soft_limit
    with session_scope(runtime.sessions) as session:
        person = repo.get_person(session=session, team_id=team_id, slack_user_id=owner_user_id)
        if person is None:
            return 0, default, False
        count = repo.count_open_tasks_for_owner(
            session=session, team_id=team_id, owner_id=person.id
        )
        if person.capacity is None:
            return count, default, False
        return count, person.capacity, True


def open_projects(
    *, runtime: Runtime, team_id: str, lead_user_id: str
) -> tuple[tuple[int, str], ...]:
    """The lead's own open projects, for the brief's project picker.

    A project's surveys ask its owners about its lead, so only that lead adds tasks to it.
    """
    with session_scope(runtime.sessions) as session:
        rows = session.execute(
            sa.select(Project.id, Project.name)
            .join(Person, Person.id == Project.lead_id)
            .where(
                Project.team_id == team_id,
                Project.state == ProjectState.OPEN,
                Person.slack_user_id == lead_user_id,
            )
            .order_by(Project.name)
            .limit(100)
        ).all()
    return tuple((row.id, row.name) for row in rows)


def project_problems(
    *, runtime: Runtime, team_id: str, lead_user_id: str, brief: BriefInput
) -> dict[str, str]:
    """Errors under the project fields: someone else's project, or a closed one."""
    with session_scope(runtime.sessions) as session:
        if brief.project_id is not None:
            field = fields.PROJECT
            project = repo.get_project(
                session=session, team_id=team_id, project_id=brief.project_id
            )
            if project is None:
                return {field: "That project no longer exists. Pick another."}
        elif brief.new_project:
            field = fields.NEW_PROJECT
            project = repo.find_project(session=session, team_id=team_id, name=brief.new_project)
            if project is None:
                return {}
        else:
            return {}
        if project.lead.slack_user_id != lead_user_id:
            return {
                field: f"{project.name} is led by someone else, and its feedback goes to them. "
                "Choose another name."
            }
        if project.state is ProjectState.CLOSED:
            return {field: f"You closed {project.name}. Choose another name for new work."}
        return {}


def brief_already_sent(*, runtime: Runtime, team_id: str, view_id: str) -> bool:
    """Whether this brief modal (by its Slack view id) already created its task."""
    if not view_id or len(view_id) > repo.VIEW_ID_LENGTH:
        return False
    with session_scope(runtime.sessions) as session:
        return repo.task_id_for_view(session=session, team_id=team_id, view_id=view_id) is not None


def person_from_slack(runtime: Runtime, session: Session, team_id: str, user: SlackUser) -> Person:
    """The person as users.info describes them now, created or refreshed."""
    return repo.upsert_person(
        session=session,
        team_id=team_id,
        slack_user_id=user.user_id,
        now=runtime.clock(),
        display_name=user.display_name,
        real_name=user.real_name,
        tz=user.tz,
        is_bot=user.is_bot,
        is_deleted=user.deleted,
    )


@once_more_on_conflict
def create_delegation(
    *,
    runtime: Runtime,
    team_id: str,
    lead: SlackUser,
    owner: SlackUser,
    brief: BriefInput,
    lead_tz: ZoneInfo,
    source_permalink: str | None = None,
    view_id: str | None = None,
) -> CreatedDelegation:
    """Store the brief awaiting the owner's confirmation and queue the owner's DM.

    One brief modal (`view_id`, which Slack keeps across views.update) creates at most one
    task: a second submit gets the task the first one created, and nothing is sent again.
    """
    assert brief.due_date is not None
    now = runtime.clock()
    due_at = due_instant(brief.due_date, brief.due_time, lead_tz)
    view_key = view_id if view_id and len(view_id) <= repo.VIEW_ID_LENGTH else None
    with session_scope(runtime.sessions) as session:
        # The lead's row is upserted first: its row lock makes a concurrent submit by the
        # same lead wait here, and then see the task this one created.
        lead_row = person_from_slack(runtime, session, team_id, lead)
        if view_key is not None:
            existing = repo.task_id_for_view(session=session, team_id=team_id, view_id=view_key)
            if existing is not None:
                return CreatedDelegation(task_id=existing, owner_open_count=0, repeated=True)
        owner_row = person_from_slack(runtime, session, team_id, owner)
        project = _project(session, team_id, brief, lead_row.id, now)
        task = repo.create_task(
            session=session,
            team_id=team_id,
            lead_id=lead_row.id,
            owner_id=owner_row.id,
            title=brief.title,
            goal=brief.goal,
            due_at=due_at,
            due_tz=lead_tz.key,
            due_has_time=brief.due_time is not None,
            now=now,
            rhythm=brief.rhythm,
            project_id=project.id if project else None,
            expectations=brief.expectations,
            non_negotiables=brief.non_negotiables,
            freedoms=brief.freedoms,
            risks=brief.risks,
            skills=brief.skills,
            checkpoints=[
                (due_instant(c.due, None, lead_tz), c.deliverable)
                for c in brief.checkpoints
                if c.due is not None
            ],
            update_channel_id=brief.update_channel_id,
            source_permalink=source_permalink,
            source_view_id=view_key,
        )
        # The same path as every transition, so both people's Home shows the new brief.
        record_change(
            runtime,
            session,
            task,
            actor=lead.user_id,
            action="created",
            before=None,
            detail={"owner": owner.user_id},
        )
        session.flush()
        session.refresh(task)
        view = brief_view_of(task)
        repo.enqueue_outbox(
            session=session,
            team_id=team_id,
            kind=OutboxKind.BRIEF,
            payload={"method": "chat.postMessage", "args": brief_message(view)},
            due_at=now,
            now=now,
            task_id=task.id,
            recipient_id=owner_row.id,
        )
        open_count = repo.count_open_tasks_for_owner(
            session=session, team_id=team_id, owner_id=owner_row.id
        )
        receipt = receipt_message(
            lead_id=lead.user_id,
            owner_id=owner.user_id,
            title=brief.title,
            open_count=open_count,
            soft_limit=runtime.settings.open_delegation_soft_limit,
        )
        repo.enqueue_outbox(
            session=session,
            team_id=team_id,
            kind=OutboxKind.RECEIPT,
            payload={"method": "chat.postMessage", "args": receipt},
            due_at=now,
            now=now,
            task_id=task.id,
            recipient_id=lead_row.id,
        )
        queue_confirmation_reminders(
            runtime, session, team_id, task.id, lead_row, owner_row, brief.title, owner.tz
        )
        created = CreatedDelegation(task_id=task.id, owner_open_count=open_count)
    runtime.kick_sweep()
    return created


def queue_confirmation_reminders(
    runtime: Runtime,
    session: Session,
    team_id: str,
    task_id: int,
    lead: Person,
    owner: Person,
    title: str,
    owner_tz: str | None,
) -> None:
    """One nudge to the owner after a working day of silence; the lead hears after two."""
    now = runtime.clock()
    try:
        zone = ZoneInfo(owner_tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    calendar = WorkCalendar(tz=zone, working_days=runtime.settings.working_weekdays)
    safe_title = escape_mrkdwn(title)
    reminder = (
        f"A reminder: <@{lead.slack_user_id}> is waiting for you to confirm *{safe_title}* in "
        "your own words (the buttons are on the brief above)."
    )
    overdue = (
        f"<@{owner.slack_user_id}> hasn't confirmed *{safe_title}* after two working days. "
        "A quick word might help."
    )
    for days, kind, recipient, text in (
        (1, OutboxKind.CONFIRMATION_REMINDER, owner, reminder),
        (2, OutboxKind.NOTICE, lead, overdue),
    ):
        repo.enqueue_outbox(
            session=session,
            team_id=team_id,
            kind=kind,
            payload={
                "method": "chat.postMessage",
                "args": {"channel": recipient.slack_user_id, "text": text},
            },
            due_at=add_working_days(calendar, now, days),
            now=now,
            unique_key=confirmation_wait_key(task_id, owner.id, days),
            task_id=task_id,
            recipient_id=recipient.id,
        )


def _project(
    session: Session, team_id: str, brief: BriefInput, lead_id: int, now: datetime
) -> Project | None:
    if brief.project_id is not None:
        return repo.get_project(session=session, team_id=team_id, project_id=brief.project_id)
    if not brief.new_project:
        return None
    existing = repo.find_project(session=session, team_id=team_id, name=brief.new_project)
    return existing or repo.create_project(
        session=session, team_id=team_id, name=brief.new_project, lead_id=lead_id, now=now
    )


def after_brief_sent(runtime: Runtime, session: Session, sent: ClaimedMessage) -> None:
    """The brief reached the owner's DM: keep where it is on the task (the export shows it)."""
    # Columns, not the entity: an Outbox object loaded earlier in this session could predate
    # the statement that just recorded where the message went.
    where = session.execute(
        sa.select(Outbox.channel, Outbox.ts).where(Outbox.id == sent.id)
    ).one_or_none()
    task = session.get(Task, sent.task_id) if sent.task_id is not None else None
    # A brief to a previous owner that went out late is not the task's brief any more.
    if where is None or task is None or task.owner_id != sent.recipient_id:
        return
    task.brief_channel_id, task.brief_ts = where.channel, where.ts
