"""Check-ins: when the next one goes out, and what an owner's answer or silence does.

Every step that schedules something writes an outbox row under a unique key, so the same
check-in, nudge or overdue question can never be queued twice, whichever process or retry
gets there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain.cadence import next_checkin_at, working_day_after
from bot.domain.lifecycle import Action, Activity
from bot.domain.rhythm import RhythmState, adapt, describe_change
from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    TaskState,
    UpdateSource,
)
from bot.domain.workdays import (
    WorkCalendar,
    add_working_hours,
    is_working_day,
    local_instant,
    working_days_left,
)
from bot.runtime import Runtime
from bot.services.common import (
    Refusal,
    TaskLabel,
    acting,
    advance,
    audit,
    calendar_of,
    notify,
    once_more_on_conflict,
    queue_message,
    replace_message,
    task_for,
    withdraw_pending,
)
from bot.services.delegations import due_instant
from bot.services.home import task_changed
from bot.views.brief_message import slack_date
from bot.views.checkin import (
    CheckinFacts,
    DigestLine,
    already_answered_text,
    answered_text,
    checkin_message,
    digest_message,
    lead_alert,
    missed_text,
    overdue_lead_text,
    overdue_message,
    renudge_text,
    snooze_not_queued_text,
    snoozed_text,
    stale_checkin_text,
)
from bot.views.completion import done_for_lead
from bot.views.text import escape_mrkdwn, quote
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, StatusUpdate, Task
from storage.outbox import ClaimedMessage

RENUDGE_AFTER_HOURS = 4
MISSED_BEFORE_LEAD = 2
OVERDUE_ROUNDS = 3
FOLLOW_UPS = (OutboxKind.CHECKIN, OutboxKind.RENUDGE, OutboxKind.OVERDUE)


def checkin_key(task_id: int, at: datetime) -> str:
    """Unique key of one scheduled check-in: two processes can never queue it twice."""
    return f"checkin:{task_id}:{at.isoformat()}"


def scheduled_at(key: str | None) -> datetime | None:
    """The instant a check-in was scheduled for, read back from its unique key."""
    if not key or not key.startswith("checkin:"):
        return None
    try:
        return datetime.fromisoformat(key.split(":", 2)[2])
    except (IndexError, ValueError):
        return None


def overdue_round(key: str | None) -> int | None:
    """Which overdue question (1 to 3) a row is, from its unique key."""
    if not key or not key.startswith("overdue:"):
        return None
    tail = key.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def checkin_time(runtime: Runtime, person: Person) -> time:
    """The person's own check-in time, else the workspace default."""
    if person.checkin_hour is not None:
        return time(person.checkin_hour, person.checkin_minute or 0)
    return runtime.settings.checkin_time


def _due(task: Task) -> datetime:
    return task.agreed_due_at or task.due_at


def schedule_next_checkin(
    runtime: Runtime, session: Session, task: Task, *, after: datetime
) -> datetime | None:
    """Queue the owner's next check-in after `after`; returns when it is due.

    When no check-in is left before the due date, the first overdue question is queued
    instead (for the working day after the due date) and None is returned.
    """
    calendar = calendar_of(runtime, task.owner)
    at = checkin_time(runtime, task.owner)
    due_at = _due(task)
    due = due_at.astimezone(calendar.tz).date()
    checkpoints = [c.due_at.astimezone(calendar.tz).date() for c in task.checkpoints]
    when = next_checkin_at(
        calendar, at=at, rhythm=task.rhythm, after=after, due=due, checkpoints=checkpoints
    )
    if when is None:
        _schedule_overdue(runtime, session, task, calendar, round_=1, day_after=due)
        return None
    _queue_checkin(runtime, session, task, calendar, when)
    return when


def _queue_checkin(
    runtime: Runtime, session: Session, task: Task, calendar: WorkCalendar, when: datetime
) -> Outbox | None:
    due_at = _due(task)
    due = due_at.astimezone(calendar.tz).date()
    upcoming = [
        (c.due_at.astimezone(calendar.tz).date(), c.deliverable)
        for c in task.checkpoints
        if c.due_at > when and c.done_at is None
    ]
    facts = CheckinFacts(
        task_id=task.id,
        owner_id=task.owner.slack_user_id,
        title=task.title,
        due_at=due_at,
        due_has_time=task.due_has_time,
        days_left=working_days_left(calendar, when, due),
        next_checkpoint=upcoming[0] if upcoming else None,
    )
    return repo.enqueue_outbox(
        session=session,
        team_id=task.team_id,
        kind=OutboxKind.CHECKIN,
        payload={"method": "chat.postMessage", "args": checkin_message(facts)},
        due_at=when,
        now=runtime.clock(),
        unique_key=checkin_key(task.id, when),
        task_id=task.id,
        recipient_id=task.owner_id,
    )


def _schedule_overdue(
    runtime: Runtime,
    session: Session,
    task: Task,
    calendar: WorkCalendar,
    *,
    round_: int,
    day_after: date,
) -> None:
    day = working_day_after(calendar, day_after)
    if day is None:
        return  # no working day within a year: nothing to ask on
    when = local_instant(calendar, day, checkin_time(runtime, task.owner))
    args = overdue_message(
        task_id=task.id,
        owner_id=task.owner.slack_user_id,
        title=task.title,
        due_at=_due(task),
        due_has_time=task.due_has_time,
    )
    repo.enqueue_outbox(
        session=session,
        team_id=task.team_id,
        kind=OutboxKind.OVERDUE,
        payload={"method": "chat.postMessage", "args": args},
        due_at=max(when, runtime.clock()),
        now=runtime.clock(),
        # The due date is part of the key: a new date starts a fresh set of three.
        unique_key=f"overdue:{task.id}:{_due(task).isoformat()}:{round_}",
        task_id=task.id,
        recipient_id=task.owner_id,
    )


def reschedule(
    runtime: Runtime, session: Session, task: Task, *, after: datetime
) -> datetime | None:
    """Drop queued follow-ups and plan them again from `after` (new rhythm, date or calendar)."""
    withdraw_pending(session, task, *FOLLOW_UPS)
    session.flush()
    return schedule_next_checkin(runtime, session, task, after=after)


def _clicked_or_latest(
    session: Session, task: Task, kinds: tuple[OutboxKind, ...], message_ts: str | None
) -> Outbox | None:
    """The message that was clicked (by its ts), else the latest sent of these kinds."""
    query = sa.select(Outbox).where(
        Outbox.team_id == task.team_id,
        Outbox.task_id == task.id,
        Outbox.kind.in_(kinds),
        Outbox.state == OutboxState.SENT,
    )
    if message_ts:
        clicked = session.scalars(query.where(Outbox.ts == message_ts)).first()
        if clicked is not None:
            return clicked
    return session.scalars(query.order_by(Outbox.sent_at.desc(), Outbox.id.desc())).first()


def _answer_to(session: Session, checkin: Outbox) -> StatusUpdate | None:
    """The answer a check-in message already took, if any (it takes one)."""
    return session.scalars(
        sa.select(StatusUpdate).where(
            StatusUpdate.team_id == checkin.team_id, StatusUpdate.outbox_id == checkin.id
        )
    ).first()


def _not_answerable(
    session: Session, task: Task, checkin: Outbox, answer: CheckinAnswer | None, note: str = ""
) -> Refusal | bool:
    """False when `checkin` may take `answer` now; True when it is a repeat of the answer it
    took (nothing to do); else what to tell the owner privately.

    `answer` None asks about something other than an answer (a snooze): any answer given
    already settles the check-in.
    """
    given = _answer_to(session, checkin)
    if given is not None:
        if answer is not None and (given.answer, given.note) == (answer, note):
            return True
        return Refusal(already_answered_text(task.title, given.answer))
    if checkin.sent_at is not None:
        newer = session.scalar(
            sa.select(Outbox.id)
            .where(
                Outbox.team_id == task.team_id,
                Outbox.task_id == task.id,
                Outbox.kind == OutboxKind.CHECKIN,
                Outbox.state == OutboxState.SENT,
                # Sent after it (ties broken by queue order).
                sa.or_(
                    Outbox.sent_at > checkin.sent_at,
                    sa.and_(Outbox.sent_at == checkin.sent_at, Outbox.id > checkin.id),
                ),
            )
            .limit(1)
        )
        if newer is not None:
            return Refusal(stale_checkin_text(task.title))
    return False


def _checkin_answered(session: Session, task: Task, message_ts: str | None) -> Outbox | None:
    """The check-in an answer is for: the message clicked (by its ts), else one being sent
    right now (Slack can show it before the sender records its ts), else the latest sent."""
    if message_ts:
        clicked = _clicked_or_latest(session, task, (OutboxKind.CHECKIN,), message_ts)
        if clicked is not None and clicked.ts == message_ts:
            return clicked
    in_flight = session.scalars(
        sa.select(Outbox)
        .where(
            Outbox.team_id == task.team_id,
            Outbox.task_id == task.id,
            Outbox.kind == OutboxKind.CHECKIN,
            Outbox.state == OutboxState.CLAIMED,
        )
        .order_by(Outbox.id.desc())
        .limit(1)
    ).first()
    return in_flight or _clicked_or_latest(session, task, (OutboxKind.CHECKIN,), None)


def _owner_task(
    session: Session,
    team_id: str,
    task_id: int,
    user_id: str,
    activity: Activity,
    *,
    lock: bool = False,
) -> Task | Refusal:
    """The task if its owner may do `activity` now (a check-in's answer, a snooze...)."""
    return task_for(
        session, team_id, task_id, user_id, activity, stale=_nothing_to_report, lock=lock
    )


def _nothing_to_report(task: Task) -> str:
    state = task.state.value.replace("_", " ")
    return f"This delegation is {state}, so there is nothing to report on."


def _no_longer_applies(task: Task) -> str:
    state = task.state.value.replace("_", " ")
    return f"This delegation is {state}, so this no longer applies."


def _end_of_local_day(calendar: WorkCalendar, instant: datetime) -> datetime:
    day = instant.astimezone(calendar.tz).date() + timedelta(days=1)
    return local_instant(calendar, day, time(0, 0)) - timedelta(microseconds=1)


def _record(
    runtime: Runtime,
    session: Session,
    task: Task,
    *,
    answer: CheckinAnswer,
    note: str,
    source: UpdateSource,
    checkin: Outbox | None,
) -> None:
    """One status update: stored, the check-in edited, the lead told, the rhythm adapted."""
    now = runtime.clock()
    session.add(
        StatusUpdate(
            team_id=task.team_id,
            task_id=task.id,
            person_id=task.owner_id,
            answer=answer,
            note=note,
            source=source,
            outbox_id=checkin.id if checkin else None,
            created_at=now,
        )
    )
    # Now, not at commit: a second answer to the same check-in that got past the checks
    # fails here, before anything else is queued (see once_more_on_conflict).
    session.flush()
    adapted = adapt(
        RhythmState(task.rhythm, task.on_track_streak, task.tightened_from),
        answer,
    )
    before_rhythm = task.rhythm
    task.rhythm, task.on_track_streak, task.tightened_from = (
        adapted.state.rhythm,
        adapted.state.streak,
        adapted.state.tightened_from,
    )
    task.health, task.last_checkin_at, task.updated_at = Health(answer.value), now, now
    task.missed_checkins, task.snoozed_until = 0, None
    withdraw_pending(session, task, OutboxKind.RENUDGE)
    task_changed(runtime, session, task)
    if adapted.change:
        audit(
            runtime,
            session,
            task,
            task.owner.slack_user_id,
            f"rhythm_{adapted.change}",
            task.state,
            {"from": before_rhythm.value, "to": task.rhythm.value},
        )
    replace_message(
        runtime, session, task, checkin, answered_text(task.title, answer, describe_change(adapted))
    )
    if source is UpdateSource.UNPROMPTED and adapted.change is None:
        notify(
            runtime,
            session,
            task,
            task.owner,
            f"Thanks, your update on *{escape_mrkdwn(task.title)}* is recorded"
            + (" and your lead has been told." if answer is not CheckinAnswer.ON_TRACK else "."),
        )
    elif source is UpdateSource.UNPROMPTED:
        notify(
            runtime,
            session,
            task,
            task.owner,
            f"Thanks, your update on *{escape_mrkdwn(task.title)}* is recorded. "
            + str(describe_change(adapted)),
        )
    if answer in (CheckinAnswer.AT_RISK, CheckinAnswer.BLOCKED):
        alert = lead_alert(
            task_id=task.id,
            lead_id=task.lead.slack_user_id,
            owner_id=task.owner.slack_user_id,
            title=task.title,
            answer=answer,
            note=note,
        )
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.ESCALATION,
            {"method": "chat.postMessage", "args": alert},
            task.lead,
        )
    else:
        queue_digest(runtime, session, task)
    calendar = calendar_of(runtime, task.owner)
    answered_for = scheduled_at(checkin.unique_key) if checkin else None
    if source is UpdateSource.UNPROMPTED:
        # Reporting unasked resets the clock: nothing more is asked the same day.
        reschedule(runtime, session, task, after=_end_of_local_day(calendar, now))
    elif adapted.change:
        reschedule(runtime, session, task, after=max(now, answered_for or now))
    else:
        # The next one follows the check-in being answered (even if a retry sent it late).
        schedule_next_checkin(runtime, session, task, after=max(now, answered_for or now))


@once_more_on_conflict
def answer_checkin(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    answer: CheckinAnswer,
    message_ts: str | None = None,
    note: str = "",
    source: UpdateSource = UpdateSource.CHECKIN,
    view_id: str | None = None,
) -> Refusal | None:
    """Record the owner's answer, edit the check-in in place, alert the lead if needed.

    A check-in message takes one answer: the same answer again changes nothing, another
    one (or an answer to a check-in a newer one replaced) is refused privately.
    """
    with session_scope(runtime.sessions) as session:
        activity = (
            Activity.ANSWER_CHECKIN if source is UpdateSource.CHECKIN else Activity.REPORT_PROGRESS
        )
        task = _owner_task(session, team_id, task_id, user_id, activity, lock=True)
        if isinstance(task, Refusal):
            return task
        checkin = (
            _checkin_answered(session, task, message_ts) if source is UpdateSource.CHECKIN else None
        )
        if checkin is not None:
            settled = _not_answerable(session, task, checkin, answer, note)
            if isinstance(settled, Refusal):
                return settled
            if settled:
                return None
        if view_id and not repo.claim_submission(
            session=session, team_id=team_id, view_id=view_id, at=runtime.clock()
        ):
            return None  # the same progress modal submitted again
        _record(runtime, session, task, answer=answer, note=note, source=source, checkin=checkin)
    runtime.kick_sweep()
    return None


@dataclass(frozen=True)
class UpdateForm:
    """What the progress-update modal offers: the owner's active tasks, one maybe chosen."""

    tasks: list[tuple[int, str]]
    chosen: int | None
    health: Health | None


def update_form(
    *, runtime: Runtime, team_id: str, user_id: str, task_id: int | None
) -> UpdateForm | Refusal:
    """The owner's active delegations to report on, or why there is nothing to report."""
    with session_scope(runtime.sessions) as session:
        if task_id is not None:
            task = _owner_task(session, team_id, task_id, user_id, Activity.REPORT_PROGRESS)
            if isinstance(task, Refusal):
                return task
            return UpdateForm([(task.id, task.title)], task.id, task.health)
        owner = repo.get_person(session=session, team_id=team_id, slack_user_id=user_id)
        tasks = (
            repo.list_tasks_for_owner(
                session=session, team_id=team_id, owner_id=owner.id, states=[TaskState.ACTIVE]
            )
            if owner
            else []
        )
        if not tasks:
            return Refusal(
                "You have no active delegations to report on. Briefs you have confirmed "
                "show up here once your lead approves them."
            )
        if len(tasks) == 1:
            return UpdateForm([(tasks[0].id, tasks[0].title)], tasks[0].id, tasks[0].health)
        return UpdateForm([(t.id, t.title) for t in tasks[:100]], None, None)


@once_more_on_conflict
def snooze(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    days: int | None = None,
    until: date | None = None,
    message_ts: str | None = None,
) -> Refusal | str | None:
    """Put this check-in off: asked again `days` later or on `until` (a date's error text).

    Snoozing to the day it is already snoozed to changes nothing; a check-in that was
    answered, or that a newer one replaced, is refused privately.
    """
    with session_scope(runtime.sessions) as session:
        task = _owner_task(session, team_id, task_id, user_id, Activity.SNOOZE, lock=True)
        if isinstance(task, Refusal):
            return task
        clicked = _checkin_answered(session, task, message_ts) if message_ts else None
        if clicked is not None:
            settled = _not_answerable(session, task, clicked, None)
            if isinstance(settled, Refusal):
                return settled
        calendar = calendar_of(runtime, task.owner)
        now = runtime.clock()
        today = now.astimezone(calendar.tz).date()
        due = _due(task).astimezone(calendar.tz).date()
        day = until if until is not None else today + timedelta(days=days or 1)
        if day <= today:
            return "Pick a day after today."
        if day >= due:
            return (
                f"Pick a day before the due date ({due.isoformat()}), or ask your lead to move it."
            )
        while not is_working_day(calendar, day) and day < due:
            day += timedelta(days=1)
        when = local_instant(calendar, day, checkin_time(runtime, task.owner))
        if task.snoozed_until == when and _pending(session, task, checkin_key(task.id, when)):
            return None  # the same snooze again: already put off to that very check-in
        withdraw_pending(session, task, *FOLLOW_UPS)
        session.flush()
        # The snoozed check-in itself; once it is sent the rhythm carries on from it. Its
        # unique key may already be taken by a check-in for that instant that was sent or is
        # being sent (withdrawing frees only pending ones): then nothing would be asked.
        if _queue_checkin(runtime, session, task, calendar, when) is None and not _pending(
            session, task, checkin_key(task.id, when)
        ):
            session.rollback()  # keep the follow-ups that were queued
            return snooze_not_queued_text(when)
        task.snoozed_until, task.updated_at = when, now
        checkin = clicked or _clicked_or_latest(session, task, (OutboxKind.CHECKIN,), message_ts)
        replace_message(runtime, session, task, checkin, snoozed_text(task.title, when))
        task_changed(runtime, session, task)  # Home shows the next check-in
    runtime.kick_sweep()
    return None


def _pending(session: Session, task: Task, unique_key: str) -> bool:
    """Whether a pending row holds `unique_key` (queued by a concurrent request)."""
    return (
        session.scalar(
            sa.select(Outbox.id).where(
                Outbox.team_id == task.team_id,
                Outbox.unique_key == unique_key,
                Outbox.state == OutboxState.PENDING,
            )
        )
        is not None
    )


def done_form(*, runtime: Runtime, team_id: str, task_id: int, user_id: str) -> Task | Refusal:
    """The task the owner may mark done now (detached), or why not."""
    with acting(runtime, team_id, task_id, user_id, Action.MARK_DONE, lock=False) as (
        session,
        task,
    ):
        if isinstance(task, Refusal):
            return task
        session.expunge(task)
        return task


@once_more_on_conflict
def mark_done(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, summary: str, link: str
) -> Refusal | None:
    """The owner says it is done: follow-ups stop, the lead is asked to accept it."""
    with acting(runtime, team_id, task_id, user_id, Action.MARK_DONE) as (session, task):
        if isinstance(task, Refusal):
            return task
        now = runtime.clock()
        task.done_at, task.updated_at = now, now
        task.completion_summary, task.completion_link = summary, link or None
        session.add(
            StatusUpdate(
                team_id=team_id,
                task_id=task.id,
                person_id=task.owner_id,
                answer=CheckinAnswer.DONE,
                note=summary,
                source=UpdateSource.UNPROMPTED,
                created_at=now,
            )
        )
        withdraw_pending(session, task, *FOLLOW_UPS)
        advance(runtime, session, task, Action.MARK_DONE, user_id)
        for asked in _open_questions(session, task):
            replace_message(
                runtime, session, task, asked, answered_text(task.title, CheckinAnswer.DONE)
            )
        question = done_for_lead(
            task_id=task.id,
            lead_id=task.lead.slack_user_id,
            owner_id=task.owner.slack_user_id,
            title=task.title,
            summary=summary,
            link=link or None,
        )
        queue_message(
            runtime,
            session,
            task,
            OutboxKind.ACCEPTANCE,
            {"method": "chat.postMessage", "args": question},
            task.lead,
        )
        notify(
            runtime,
            session,
            task,
            task.owner,
            f"Nice work. I've told <@{task.lead.slack_user_id}> that "
            f"*{escape_mrkdwn(task.title)}* is done; no more check-ins for it.",
        )
    runtime.kick_sweep()
    return None


def _date_settled(task: Task) -> str:
    state = task.state.value.replace("_", " ")
    return f"This delegation is {state}; its due date can't change now."


def _open_questions(session: Session, task: Task) -> list[Outbox]:
    """Sent check-ins and overdue questions about the task that still show buttons."""
    latest = _clicked_or_latest(session, task, (OutboxKind.CHECKIN, OutboxKind.OVERDUE), None)
    return [latest] if latest is not None else []


@once_more_on_conflict
def change_due_date(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, new_date: date
) -> Refusal | str | None:
    """Extend (the lead) or propose (the owner, when overdue) a due date; a date error text.

    The date it already has changes nothing, so a repeated submit tells nobody twice.
    """
    with session_scope(runtime.sessions) as session:
        task = task_for(
            session,
            team_id,
            task_id,
            user_id,
            Activity.CHANGE_DUE_DATE,
            stale=_date_settled,
            lock=True,
        )
        if isinstance(task, Refusal):
            return task
        is_lead = task.lead.slack_user_id == user_id
        zone = ZoneInfo(task.due_tz)
        now = runtime.clock()
        today = now.astimezone(zone).date()
        if new_date <= today:
            return "Pick a day after today."
        if new_date > today + timedelta(days=365):
            return "Pick a day within a year."
        old = _due(task)
        at = old.astimezone(zone).time() if task.due_has_time else None
        new_due = due_instant(new_date, at, zone)
        if new_due == old:
            return None
        task.agreed_due_at, task.updated_at = new_due, now
        audit(
            runtime,
            session,
            task,
            user_id,
            "due_date_changed",
            task.state,
            {"from": old.isoformat(), "to": new_due.isoformat()},
        )
        shown = slack_date(new_due, with_time=task.due_has_time)
        title = escape_mrkdwn(task.title)
        if is_lead:
            notify(
                runtime,
                session,
                task,
                task.owner,
                f"<@{task.lead.slack_user_id}> moved the due date of *{title}* to {shown}.",
            )
        else:
            notify(
                runtime,
                session,
                task,
                task.lead,
                f":calendar: <@{task.owner.slack_user_id}> set a new date for *{title}*: {shown}.",
            )
            overdue = _clicked_or_latest(session, task, (OutboxKind.OVERDUE,), None)
            replace_message(
                runtime, session, task, overdue, f"New date for *{title}*: {shown}. Thanks!"
            )
        reschedule(runtime, session, task, after=now)
    runtime.kick_sweep()
    return None


@once_more_on_conflict
def reply_to_owner(
    *,
    runtime: Runtime,
    team_id: str,
    task_id: int,
    user_id: str,
    text: str,
    view_id: str | None = None,
) -> Refusal | None:
    """The lead answers an alert: the owner gets the words in their DM (once per modal)."""
    with session_scope(runtime.sessions) as session:
        # Only the role is judged: a reply written while the task was active still goes out.
        task = task_for(session, team_id, task_id, user_id, Activity.REPLY_TO_ALERT)
        if isinstance(task, Refusal):
            return task
        if view_id and not repo.claim_submission(
            session=session, team_id=team_id, view_id=view_id, at=runtime.clock()
        ):
            return None
        notify(
            runtime,
            session,
            task,
            task.owner,
            f"<@{user_id}> replied about *{escape_mrkdwn(task.title)}*:\n{quote(text)}",
        )
    runtime.kick_sweep()
    return None


def _checkins_around(
    session: Session, task: Task, sent_id: int
) -> tuple[datetime | None, datetime | None]:
    """When the check-in before this one was sent, and when the next queued one is due."""
    mine = sa.and_(
        Outbox.team_id == task.team_id,
        Outbox.task_id == task.id,
        Outbox.kind == OutboxKind.CHECKIN,
    )
    before = (
        sa.select(sa.func.max(Outbox.sent_at))
        .where(mine, Outbox.state == OutboxState.SENT, Outbox.id != sent_id)
        .scalar_subquery()
    )
    queued = (
        sa.select(sa.func.min(Outbox.due_at))
        .where(mine, Outbox.state == OutboxState.PENDING)
        .scalar_subquery()
    )
    row = session.execute(sa.select(before, queued)).one()
    return row[0], row[1]


def after_checkin_sent(runtime: Runtime, session: Session, sent: ClaimedMessage) -> None:
    """A check-in went out: count a missed one, plan its nudge, and queue the next one."""
    if sent.task_id is None:
        return
    task = repo.get_task(session=session, team_id=sent.team_id, task_id=sent.task_id)
    sent_for = scheduled_at(sent.unique_key)
    if task is None or task.state is not TaskState.ACTIVE or sent_for is None:
        return
    previous_sent_at, queued = _checkins_around(session, task, sent.id)
    task_changed(runtime, session, task)  # the owner's "answer the check-in", the next one
    unanswered = previous_sent_at is not None and (
        task.last_checkin_at is None or task.last_checkin_at < previous_sent_at
    )
    if unanswered:
        task.missed_checkins += 1
        if task.missed_checkins == MISSED_BEFORE_LEAD:
            notify(
                runtime,
                session,
                task,
                task.lead,
                missed_text(task.owner.slack_user_id, task.title, task.missed_checkins),
            )
    # A check-in already queued (a snooze or a re-plan that committed first) stands: a task
    # never has two coming.
    following = queued or schedule_next_checkin(runtime, session, task, after=sent_for)
    calendar = calendar_of(runtime, task.owner)
    nudge_at = add_working_hours(calendar, max(sent_for, runtime.clock()), RENUDGE_AFTER_HOURS)
    if following is None or nudge_at < following:
        repo.enqueue_outbox(
            session=session,
            team_id=task.team_id,
            kind=OutboxKind.RENUDGE,
            payload={
                "method": "chat.postMessage",
                "args": {"channel": task.owner.slack_user_id, "text": renudge_text(task.title)},
            },
            due_at=nudge_at,
            now=runtime.clock(),
            unique_key=f"renudge:{sent.id}",
            task_id=task.id,
            recipient_id=task.owner_id,
        )


def after_overdue_sent(runtime: Runtime, session: Session, sent: ClaimedMessage) -> None:
    """An overdue question went out: the lead hears on the first, another follows up to 3."""
    if sent.task_id is None:
        return
    task = repo.get_task(session=session, team_id=sent.team_id, task_id=sent.task_id)
    round_ = overdue_round(sent.unique_key)
    if task is None or task.state is not TaskState.ACTIVE or round_ is None:
        return
    if round_ == 1:
        notify(
            runtime,
            session,
            task,
            task.lead,
            overdue_lead_text(task.owner.slack_user_id, task.title, _due(task), task.due_has_time),
        )
    if round_ < OVERDUE_ROUNDS:
        calendar = calendar_of(runtime, task.owner)
        today = runtime.clock().astimezone(calendar.tz).date()
        _schedule_overdue(runtime, session, task, calendar, round_=round_ + 1, day_after=today)


def queue_digest(runtime: Runtime, session: Session, task: Task) -> None:
    """News for the lead's digest: make sure one is queued for their next digest time."""
    lead = task.lead
    calendar = calendar_of(runtime, lead)
    now = runtime.clock()
    at = runtime.settings.digest_time
    day = now.astimezone(calendar.tz).date()
    when = local_instant(calendar, day, at)
    if when <= now:
        when = local_instant(calendar, day + timedelta(days=1), at)
    repo.enqueue_outbox(
        session=session,
        team_id=task.team_id,
        kind=OutboxKind.DIGEST,
        payload={"method": "chat.postMessage", "args": {"channel": lead.slack_user_id}},
        due_at=when,
        now=now,
        unique_key=f"digest:{lead.id}:{when.astimezone(calendar.tz).date().isoformat()}",
        recipient_id=lead.id,
    )


def compose_digest(
    runtime: Runtime, session: Session, message: ClaimedMessage
) -> dict[str, Any] | None:
    """The digest as things stand when it goes out (None when the lead has nothing active)."""
    lead = session.get(Person, message.recipient_id) if message.recipient_id else None
    if lead is None:
        return None
    tasks = repo.list_tasks_for_lead(
        session=session, team_id=message.team_id, lead_id=lead.id, states=[TaskState.ACTIVE]
    )
    if not tasks:
        return None
    now = runtime.clock()
    lead_zone = calendar_of(runtime, lead).tz
    ids = [task.id for task in tasks]
    # A fixed handful of statements however many tasks: one for all latest updates, one for
    # all queued check-ins.
    latest = repo.latest_updates(session=session, team_id=message.team_id, task_ids=ids)
    pending, _sent = repo.checkin_times(session=session, team_id=message.team_id, task_ids=ids)
    lines = []
    for task in tasks:
        said = None
        if task.id in latest:
            answer, note, at = latest[task.id]
            words = answer.value.replace("_", " ")
            said = f"{words}, {at.astimezone(lead_zone).date().isoformat()}" + (
                f": {note}" if note else ""
            )
        lines.append(
            DigestLine(
                title=task.title,
                owner_id=task.owner.slack_user_id,
                health=task.health,
                last_update=said,
                next_checkin=pending.get(task.id),
                overdue=_due(task) < now,
            )
        )
    return digest_message(lead.slack_user_id, lines)


@dataclass(frozen=True)
class DateForm:
    """What a date or reply modal about an active task needs."""

    task_id: int
    title: str
    owner_id: str
    suggested: date


def date_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str, lead_only: bool = False
) -> DateForm | Refusal:
    """Whoever may change the due date (or, if `lead_only`, reply to an alert) may open this.

    The date pickers (snooze until, extend, propose) share it; each submit judges its own
    activity.
    """
    activity = Activity.REPLY_TO_ALERT if lead_only else Activity.CHANGE_DUE_DATE
    with session_scope(runtime.sessions) as session:
        task = task_for(session, team_id, task_id, user_id, activity, stale=_no_longer_applies)
        if isinstance(task, Refusal):
            return task
        zone = ZoneInfo(task.due_tz)
        today = runtime.clock().astimezone(zone).date()
        suggested = max(_due(task).astimezone(zone).date(), today) + timedelta(days=7)
        return DateForm(task.id, task.title, task.owner.slack_user_id, suggested)


def alert_reply_form(
    *, runtime: Runtime, team_id: str, task_id: int, user_id: str
) -> TaskLabel | Refusal:
    """The lead of the active task may write back to its owner."""
    form = date_form(
        runtime=runtime, team_id=team_id, task_id=task_id, user_id=user_id, lead_only=True
    )
    return form if isinstance(form, Refusal) else TaskLabel(form.task_id, form.title, form.owner_id)
