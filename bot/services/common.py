"""Pieces every task use case shares: loading with permission checks, messages, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from slack_sdk.models.blocks import SectionBlock
from sqlalchemy.orm import Session

from bot.domain.lifecycle import (
    ACTION_ROLE,
    RECORDED_AS,
    Action,
    Activity,
    Role,
    TransitionRefused,
    answering_role,
    permitted,
    target,
    transition,
)
from bot.domain.types import OutboxKind, OutboxState, TaskState
from bot.domain.workdays import WorkCalendar
from bot.runtime import Runtime
from bot.services.changes import record_change
from bot.services.conflicts import once_more_on_conflict as once_more_on_conflict
from bot.services.delegations import confirmation_wait_key
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, Task, decode_working_days


@dataclass(frozen=True)
class TaskLabel:
    """Enough to title a modal about a task, and whom it concerns besides the clicker."""

    task_id: int
    title: str
    other_person: str


@dataclass(frozen=True)
class Refusal:
    """Why nothing happened, said privately to the person who clicked."""

    message: str


def role_of(task: Task, user_id: str) -> Role | None:
    """The role `user_id` holds on the task according to the database, if any."""
    if task.owner.slack_user_id == user_id:
        return Role.OWNER
    if task.lead.slack_user_id == user_id:
        return Role.LEAD
    return None


def check(task: Task, action: Action, user_id: str) -> Refusal | None:
    """None when `user_id` may do `action` now, else what to tell them."""
    try:
        transition(task.state, action, role_of(task, user_id))
    except TransitionRefused as refused:
        if refused.reason == "wrong_role":
            holder = task.lead if ACTION_ROLE[action] is Role.LEAD else task.owner
            return Refusal(f"Only <@{holder.slack_user_id}> can do this.")
        return Refusal(str(refused))
    return None


def roles_of(task: Task, user_id: str) -> frozenset[Role]:
    """Every role `user_id` holds on the task (none for a watcher)."""
    held = {Role.OWNER} if task.owner.slack_user_id == user_id else set()
    return frozenset(held | ({Role.LEAD} if task.lead.slack_user_id == user_id else set()))


def refused(
    task: Task, activity: Activity, user_id: str
) -> Literal["wrong_role", "wrong_state"] | None:
    """None when `user_id` may do `activity` on the task now (ACTIVITIES), else why not."""
    return permitted(activity, task.state, roles_of(task, user_id))


def only_holder(task: Task, activity: Activity) -> Refusal:
    """The refusal naming who may do `activity`: the lead when both may."""
    holder = task.lead if answering_role(activity) is Role.LEAD else task.owner
    return Refusal(f"Only <@{holder.slack_user_id}> can do this.")


def advance(
    runtime: Runtime,
    session: Session,
    task: Task,
    action: Action,
    actor: str,
    detail: dict[str, Any] | None = None,
    *,
    also: Sequence[Person] = (),
) -> None:
    """Move the task where the lifecycle table's edge for `action` leads, and record it.

    Only after `acting` allowed `actor` to take `action`: the role is not judged again, as
    it may just have changed (a reassigned task's new owner).
    """
    before = task.state
    task.state = target(before, action)
    audit(runtime, session, task, actor, RECORDED_AS[action], before, detail, also=also)


@contextmanager
def acting(
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    action: Action,
    *,
    lock: bool = True,
) -> Iterator[tuple[Session, Task | Refusal]]:
    """A transaction holding the task if `user_id` may take `action` on it now, else why not.

    The row is locked (unless `lock` is False, for a form that only reads): a concurrent
    click on the same task waits, then sees this one's outcome and is refused as late.
    """
    with session_scope(runtime.sessions) as session:
        task = load_task(session, team_id, task_id, lock=lock)
        if isinstance(task, Refusal):
            yield session, task
            return
        yield session, check(task, action, user_id) or task


def load_task(
    session: Session, team_id: str, task_id: int, *, lock: bool = False
) -> Task | Refusal:
    """The workspace's task (held until commit if `lock`), or a refusal saying it is gone."""
    if lock:
        repo.lock_task(session=session, team_id=team_id, task_id=task_id)
    task = repo.get_task(session=session, team_id=team_id, task_id=task_id)
    return task if task is not None else Refusal("I can't find that delegation any more.")


def task_for(
    session: Session,
    team_id: str,
    task_id: int,
    user_id: str,
    activity: Activity,
    *,
    stale: Callable[[Task], str] | None = None,
    lock: bool = False,
) -> Task | Refusal:
    """The task if `user_id` may do `activity` on it now (ACTIVITIES), else why not.

    `stale` words the refusal for a state the activity is not allowed in; without it only
    the role is judged (a reply written while the task was open still goes out).
    """
    task = load_task(session, team_id, task_id, lock=lock)
    if isinstance(task, Refusal):
        return task
    reason = refused(task, activity, user_id)
    if reason == "wrong_role":
        return only_holder(task, activity)
    if reason == "wrong_state" and stale is not None:
        return Refusal(stale(task))
    return task


def calendar_of(runtime: Runtime, person: Person) -> WorkCalendar:
    """The person's working calendar: their zone, their days or the team's."""
    try:
        zone = ZoneInfo(person.effective_tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    days = decode_working_days(person.working_days) if person.working_days else None
    away = (person.ooo_start, person.ooo_end) if person.ooo_start and person.ooo_end else None
    start, end = person.work_start, person.work_end
    if not (start and end and start < end):
        start, end = WorkCalendar.day_start, WorkCalendar.day_end
    return WorkCalendar(
        tz=zone,
        working_days=days or runtime.settings.working_weekdays,
        day_start=start,
        day_end=end,
        away=away,
    )


def latest_message(session: Session, task: Task, *kinds: OutboxKind) -> Outbox | None:
    """The newest outbox row of these kinds about the task."""
    return session.scalars(
        sa.select(Outbox)
        .where(Outbox.team_id == task.team_id, Outbox.task_id == task.id, Outbox.kind.in_(kinds))
        .order_by(Outbox.id.desc())
        .limit(1)
    ).one_or_none()


def queue_message(
    runtime: Runtime,
    session: Session,
    task: Task,
    kind: OutboxKind,
    payload: dict[str, Any],
    recipient: Person | None = None,
    unique_key: str | None = None,
) -> Outbox | None:
    """Queue a message about the task, due now (once per `unique_key`, if given)."""
    now = runtime.clock()
    return repo.enqueue_outbox(
        session=session,
        team_id=task.team_id,
        kind=kind,
        payload=payload,
        due_at=now,
        now=now,
        task_id=task.id,
        recipient_id=recipient.id if recipient else None,
        unique_key=unique_key,
    )


def notify(
    runtime: Runtime,
    session: Session,
    task: Task,
    person: Person,
    text: str,
    *,
    unique_key: str | None = None,
) -> Outbox | None:
    """Queue a plain DM to `person` about the task, due now."""
    return queue_message(
        runtime,
        session,
        task,
        OutboxKind.NOTICE,
        {"method": "chat.postMessage", "args": {"channel": person.slack_user_id, "text": text}},
        person,
        unique_key=unique_key,
    )


def replace_message(
    runtime: Runtime, session: Session, task: Task, original: Outbox | None, text: str
) -> None:
    """Queue an in-place edit that leaves `text` and no buttons where `original` was."""
    if original is None:
        return
    blocks = [SectionBlock(text=text).to_dict()]
    queue_message(
        runtime,
        session,
        task,
        OutboxKind.NOTICE,
        {
            "method": "chat.update",
            "args": {"text": text, "blocks": blocks},
            "update_of": original.id,
        },
    )


def audit(
    runtime: Runtime,
    session: Session,
    task: Task,
    actor: str,
    action: str,
    before: TaskState,
    detail: dict[str, Any] | None = None,
    *,
    also: Sequence[Person] = (),
) -> None:
    """Record who moved the task from `before` to its current state; Home follows."""
    record_change(
        runtime,
        session,
        task,
        actor=actor,
        action=action,
        before=before,
        detail=detail,
        also=also,
    )


def withdraw_waiting_reminders(session: Session, task: Task) -> None:
    """The owner answered: the "still waiting" reminder and the lead's note are void."""
    session.execute(
        sa.update(Outbox)
        .where(
            Outbox.team_id == task.team_id,
            Outbox.task_id == task.id,
            Outbox.state == OutboxState.PENDING,
            Outbox.unique_key.like(confirmation_wait_key(task.id)),
        )
        .values(state=OutboxState.CANCELLED)
    )


def withdraw_pending(session: Session, task: Task, *kinds: OutboxKind) -> None:
    """Cancel queued, unsent messages of these kinds about the task."""
    session.execute(
        sa.update(Outbox)
        .where(
            Outbox.team_id == task.team_id,
            Outbox.task_id == task.id,
            Outbox.state == OutboxState.PENDING,
            Outbox.kind.in_(kinds),
        )
        # The key is freed, so a re-plan may queue the same instant again.
        .values(state=OutboxState.CANCELLED, unique_key=None)
    )
