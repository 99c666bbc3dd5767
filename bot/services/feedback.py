"""Feedback rounds: surveys go out when work ends, answers come in, the lead learns.

A round starts when a project closes (every owner who worked on it is asked) or when the
lead accepts a task outside any project (its owner is asked); the lead gets a
self-assessment in the same round. Requests, at most two reminders and the results DM are
outbox rows; the results are composed when the round closes, seven days on or as soon as
everyone asked has answered. What the lead sees goes through bot.domain.feedback, which
holds the anonymity rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.feedback import (
    Answer,
    LeadMeasures,
    Round,
    RoundReport,
    TaskFacts,
    lead_measures,
    offers_anonymity,
    round_report,
)
from bot.domain.types import OPEN_STATES, OutboxKind, OutboxState, ProjectState, SurveyKind
from bot.domain.workdays import add_working_days, local_instant
from bot.runtime import Runtime
from bot.services.checkins import checkin_time
from bot.services.common import Refusal, calendar_of, once_more_on_conflict
from bot.services.home import refresh_home
from bot.views.feedback import (
    SurveyInput,
    feedback_summary,
    project_close_prompt,
    results_message,
    survey_answered_edit,
    survey_closed_edit,
    survey_request,
)
from bot.views.text import escape_mrkdwn
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, Project, Survey, Task
from storage.outbox import ClaimedMessage

ROUND_DAYS = 7
REMINDER_WORKING_DAYS = (2, 4)  # two reminders inside five working days
FEEDBACK_DAYS = 90  # the window /delegate feedback looks back over
PREVIOUS_ROUNDS = 3  # rounds shown as the trend in a results DM


@dataclass(frozen=True)
class RoundRef:
    """Which round: a project's, or a task's outside any project."""

    project_id: int | None
    task_id: int | None

    @property
    def key(self) -> str:
        """A stable name for unique outbox keys."""
        if self.project_id is not None:
            return f"project:{self.project_id}"
        return f"task:{self.task_id}"

    @classmethod
    def of(cls, survey: Survey) -> RoundRef:
        """The round a survey belongs to."""
        if survey.project_id is not None:
            return cls(survey.project_id, None)
        return cls(None, survey.task_id)


def threshold_of(runtime: Runtime, session: Session, team_id: str) -> int:
    """The workspace's anonymity threshold, else the deployment's."""
    return repo.anonymity_threshold(
        session=session, team_id=team_id, default=runtime.settings.anonymity_threshold
    )


def _request_key(survey_id: int) -> str:
    """The outbox key of a survey's first ask (its message is edited once answered)."""
    return f"survey:{survey_id}"


def _reminder_key(survey_id: int) -> str:
    """The outbox key prefix of a survey's reminders (numbered after it)."""
    return f"{_request_key(survey_id)}:reminder:"


def start_round(
    runtime: Runtime,
    session: Session,
    *,
    team_id: str,
    lead: Person,
    owners: list[Person],
    label: str,
    project: Project | None = None,
    task: Task | None = None,
) -> int:
    """Ask every owner (and the lead, about themself); returns how many owners were asked."""
    if not owners:
        return 0
    now = runtime.clock()
    closes_at = now + dt.timedelta(days=ROUND_DAYS)
    offered = offers_anonymity(len(owners), threshold_of(runtime, session, team_id))
    ref = RoundRef(
        project.id if project else None, None if project else (task.id if task else None)
    )
    respondents = [(owner, SurveyKind.OWNER) for owner in owners] + [(lead, SurveyKind.LEAD_SELF)]
    for person, kind in respondents:
        survey = repo.create_survey(
            session=session,
            team_id=team_id,
            kind=kind,
            lead_id=lead.id,
            respondent_id=person.id,
            sent_at=now,
            closes_at=closes_at,
            anonymity_offered=offered,
            task_id=ref.task_id,
            project_id=ref.project_id,
        )
        _queue_requests(runtime, session, survey, person, lead, label, closes_at)
        refresh_home(runtime, session, team_id, person)
    repo.enqueue_outbox(
        session=session,
        team_id=team_id,
        kind=OutboxKind.FEEDBACK,
        payload={
            "method": "chat.postMessage",
            "args": {"channel": lead.slack_user_id},
            "round": {"project_id": ref.project_id, "task_id": ref.task_id},
        },
        due_at=closes_at,
        now=now,
        unique_key=f"feedback:{ref.key}",
        task_id=ref.task_id,
        recipient_id=lead.id,
    )
    return len(owners)


def _queue_requests(
    runtime: Runtime,
    session: Session,
    survey: Survey,
    person: Person,
    lead: Person,
    label: str,
    closes_at: dt.datetime,
) -> None:
    """The survey request now, and reminders on working days before the round closes."""
    now = runtime.clock()
    calendar = calendar_of(runtime, person)
    closes_on = closes_at.astimezone(calendar.tz).date()
    start = local_instant(
        calendar, now.astimezone(calendar.tz).date(), checkin_time(runtime, person)
    )
    sends = [(0, now)] + [
        (number, add_working_days(calendar, start, days))
        for number, days in enumerate(REMINDER_WORKING_DAYS, start=1)
    ]
    for number, when in sends:
        if when >= closes_at:
            continue
        args = survey_request(
            survey_id=survey.id,
            respondent_id=person.slack_user_id,
            lead_id=lead.slack_user_id,
            label=label,
            kind=survey.kind,
            closes_on=closes_on,
            reminder=number,
        )
        repo.enqueue_outbox(
            session=session,
            team_id=survey.team_id,
            kind=OutboxKind.SURVEY,
            payload={"method": "chat.postMessage", "args": args},
            due_at=when,
            now=now,
            unique_key=_request_key(survey.id)
            if number == 0
            else f"{_reminder_key(survey.id)}{number}",
            task_id=survey.task_id,
            recipient_id=person.id,
        )


# --- answering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyForm:
    """What the survey modal needs."""

    survey_id: int
    kind: SurveyKind
    label: str
    lead_id: str
    anonymity_offered: bool
    threshold: int


def _label(survey: Survey) -> str:
    if survey.project is not None:
        return survey.project.name
    return survey.task.title if survey.task is not None else "your delegation"


def _answerable(runtime: Runtime, survey: Survey | None, user_id: str) -> Survey | Refusal:
    """The survey if `user_id` may answer it now, else why not."""
    if survey is None:
        return Refusal("I can't find that survey any more.")
    if survey.respondent.slack_user_id != user_id:
        return Refusal(
            f"This survey is for <@{survey.respondent.slack_user_id}>; only they can answer it."
        )
    zone = calendar_of(runtime, survey.respondent).tz
    if survey.submitted_at is not None:
        day = survey.submitted_at.astimezone(zone).date().isoformat()
        return Refusal(f"Your feedback was already received on {day}. Thank you!")
    closed = survey.closed_at or survey.closes_at
    if survey.closed_at is not None or runtime.clock() >= survey.closes_at:
        day = closed.astimezone(zone).date().isoformat()
        return Refusal(f"This survey closed on {day}, so answers can't be added any more.")
    return survey


def survey_form(
    *, runtime: Runtime, team_id: str, survey_id: int, user_id: str
) -> SurveyForm | Refusal:
    """The respondent may open their survey now, or why not."""
    with session_scope(runtime.sessions) as session:
        survey = _answerable(
            runtime, repo.get_survey(session=session, team_id=team_id, survey_id=survey_id), user_id
        )
        if isinstance(survey, Refusal):
            return survey
        return SurveyForm(
            survey.id,
            survey.kind,
            _label(survey),
            survey.lead.slack_user_id,
            survey.anonymity_offered,
            threshold_of(runtime, session, team_id),
        )


def submit_survey(
    *, runtime: Runtime, team_id: str, survey_id: int, user_id: str, answers: SurveyInput
) -> Refusal | None:
    """Store the respondent's answers once; the round closes early when everyone answered."""
    try:
        with session_scope(runtime.sessions) as session:
            # Lock the row first: two submits of the same survey must not both pass the check.
            session.execute(
                sa.select(Survey.id)
                .where(Survey.team_id == team_id, Survey.id == survey_id)
                .with_for_update()
            )
            survey = _answerable(
                runtime,
                repo.get_survey(session=session, team_id=team_id, survey_id=survey_id),
                user_id,
            )
            if isinstance(survey, Refusal):
                return survey
            _record(runtime, session, survey, answers)
    except IntegrityError:
        return Refusal("Your feedback was already received. Thank you!")
    runtime.kick_sweep()
    return None


def _record(runtime: Runtime, session: Session, survey: Survey, answers: SurveyInput) -> None:
    now = runtime.clock()
    owner = survey.kind is SurveyKind.OWNER
    named = not owner or answers.show_name or not survey.anonymity_offered
    repo.add_survey_response(
        session=session,
        survey=survey,
        now=now,
        clarity=answers.clarity,
        skills_fit=answers.skills_fit,
        challenge=answers.challenge if owner else None,
        rhythm_fit=answers.rhythm_fit,
        problems=answers.problems if owner else "",
        lead_better=answers.lead_better,
        smoother=answers.smoother if owner else "",
        other=answers.other if owner else "",
        show_name=named,
    )
    session.execute(
        sa.update(Outbox)
        .where(
            Outbox.team_id == survey.team_id,
            Outbox.state == OutboxState.PENDING,
            Outbox.unique_key.like(_reminder_key(survey.id) + "%"),
        )
        .values(state=OutboxState.CANCELLED, unique_key=None)
    )
    request = session.scalars(
        sa.select(Outbox).where(
            Outbox.team_id == survey.team_id, Outbox.unique_key == _request_key(survey.id)
        )
    ).one_or_none()
    if request is not None:
        repo.enqueue_outbox(
            session=session,
            team_id=survey.team_id,
            kind=OutboxKind.NOTICE,
            payload={
                "method": "chat.update",
                "args": survey_answered_edit(label=_label(survey), kind=survey.kind, named=named),
                "update_of": request.id,
            },
            due_at=now,
            now=now,
            task_id=survey.task_id,
        )
    refresh_home(runtime, session, survey.team_id, survey.respondent)
    ref = RoundRef.of(survey)
    surveys = repo.round_surveys(
        session=session, team_id=survey.team_id, project_id=ref.project_id, task_id=ref.task_id
    )
    if all(each.submitted_at is not None for each in surveys):
        # Everyone answered: nobody waits out the week.
        session.execute(
            sa.update(Outbox)
            .where(
                Outbox.team_id == survey.team_id,
                Outbox.unique_key == f"feedback:{ref.key}",
                Outbox.state == OutboxState.PENDING,
            )
            .values(due_at=now)
        )


# --- results --------------------------------------------------------------------------------


def _retire_requests(runtime: Runtime, session: Session, survey: Survey) -> None:
    """An unanswered survey closed: its DMs lose the button and say so; reminders stop."""
    now = runtime.clock()
    rows = session.scalars(
        sa.select(Outbox).where(
            Outbox.team_id == survey.team_id,
            Outbox.recipient_id == survey.respondent_id,
            Outbox.kind == OutboxKind.SURVEY,
            sa.or_(
                Outbox.unique_key == _request_key(survey.id),
                Outbox.unique_key.like(_reminder_key(survey.id) + "%"),
            ),
        )
    ).all()
    text = survey_closed_edit(label=_label(survey))
    for row in rows:
        if row.state == OutboxState.PENDING:
            row.state, row.unique_key = OutboxState.CANCELLED, None
        elif row.state in (OutboxState.SENT, OutboxState.CLAIMED):
            repo.enqueue_outbox(
                session=session,
                team_id=survey.team_id,
                kind=OutboxKind.NOTICE,
                payload={"method": "chat.update", "args": text, "update_of": row.id},
                due_at=now,
                now=now,
                task_id=survey.task_id,
            )


def _round(session: Session, team_id: str, ref: RoundRef, zone: dt.tzinfo) -> Round | None:
    surveys = repo.round_surveys(
        session=session, team_id=team_id, project_id=ref.project_id, task_id=ref.task_id
    )
    if not surveys:
        return None
    return _round_of(surveys, zone)


def _round_of(surveys: list[Survey], zone: dt.tzinfo) -> Round:
    """One round from its surveys (oldest first), named after its project or task."""
    owners = [s for s in surveys if s.kind is SurveyKind.OWNER]
    mine = [s for s in surveys if s.kind is SurveyKind.LEAD_SELF]
    closed = max((s.closed_at or s.closes_at) for s in surveys)
    return Round(
        label=_round_label(surveys[0]),
        closed_on=closed.astimezone(zone).date(),
        asked=len(owners),
        answers=tuple(a for a in (_answer(s) for s in owners) if a is not None),
        self_answer=_answer(mine[0]) if mine else None,
    )


def _round_label(survey: Survey) -> str:
    """The round's name: its project's, else its task's."""
    if survey.project is not None:
        return survey.project.name
    return survey.task.title if survey.task is not None else "a delegation"


def _answer(survey: Survey) -> Answer | None:
    response = survey.response
    if response is None:
        return None
    return Answer(
        respondent=survey.respondent.slack_user_id,
        kind=survey.kind,
        clarity=response.clarity,
        skills_fit=response.skills_fit,
        challenge=response.challenge,
        rhythm_fit=response.rhythm_fit,
        submitted_at=response.submitted_at,
        problems=response.problems,
        lead_better=response.lead_better,
        smoother=response.smoother,
        other=response.other,
        show_name=response.show_name,
    )


def measures_of(
    runtime: Runtime,
    session: Session,
    team_id: str,
    lead: Person,
    reports: list[RoundReport],
    since: dt.datetime | None = None,
) -> LeadMeasures:
    """The lead's measures over tasks created since `since` (all, without it)."""
    query = sa.select(Task).where(Task.team_id == team_id, Task.lead_id == lead.id)
    if since is not None:
        query = query.where(Task.created_at >= since)
    tasks = list(session.scalars(query))
    ids = [task.id for task in tasks]
    risky = repo.went_at_risk(session=session, team_id=team_id, task_ids=ids)
    sent, answered = repo.checkin_counts(session=session, team_id=team_id, task_ids=ids)
    facts = [
        TaskFacts(
            created_at=task.created_at,
            activated_at=task.activated_at,
            due_at=task.agreed_due_at or task.due_at,
            done_at=task.done_at,
            completed=task.completed_at is not None,
            went_at_risk=task.id in risky,
        )
        for task in tasks
    ]
    return lead_measures(facts, checkins_sent=sent, checkins_answered=answered, reports=reports)


def lead_rounds(
    runtime: Runtime,
    session: Session,
    team_id: str,
    lead: Person,
    *,
    since: dt.datetime | None = None,
    limit: int | None = None,
    skip: RoundRef | None = None,
) -> list[Round]:
    """The lead's closed rounds (but `skip`), most recently closed first."""
    zone = calendar_of(runtime, lead).tz
    refs = [
        ref
        for ref in repo.closed_rounds_of_lead(
            session=session, team_id=team_id, lead_id=lead.id, since=since
        )
        if skip is None or ref != (skip.project_id, skip.task_id)
    ]
    refs = refs[:limit]
    # One statement for every round's surveys, whatever the number of rounds.
    grouped: dict[RoundRef, list[Survey]] = {}
    for survey in repo.surveys_of_rounds(session=session, team_id=team_id, rounds=refs):
        grouped.setdefault(RoundRef.of(survey), []).append(survey)
    rounds = []
    for project_id, task_id in refs:
        surveys = grouped.get(RoundRef(project_id, task_id))
        if surveys:
            rounds.append(_round_of(surveys, zone))
    return rounds


def compose_results(
    runtime: Runtime, session: Session, message: ClaimedMessage
) -> dict[str, Any] | None:
    """The round's results as they stand when it closes; the surveys close with it."""
    raw = message.payload.get("round") or {}
    ref = RoundRef(raw.get("project_id"), raw.get("task_id"))
    surveys = repo.round_surveys(
        session=session, team_id=message.team_id, project_id=ref.project_id, task_id=ref.task_id
    )
    if not surveys:
        return None
    now = runtime.clock()
    for survey in surveys:
        if survey.closed_at is None:
            survey.closed_at = now
            if survey.submitted_at is None:
                _retire_requests(runtime, session, survey)
    session.flush()
    lead = session.get(Person, surveys[0].lead_id)
    if lead is None:
        return None
    zone = calendar_of(runtime, lead).tz
    threshold = threshold_of(runtime, session, message.team_id)
    this = _round(session, message.team_id, ref, zone)
    if this is None:
        return None
    report = round_report(this, threshold)
    earlier = [
        round_report(r, threshold)
        for r in lead_rounds(
            runtime, session, message.team_id, lead, limit=PREVIOUS_ROUNDS, skip=ref
        )
    ]
    measures = measures_of(runtime, session, message.team_id, lead, [report, *earlier])
    return results_message(
        lead_id=lead.slack_user_id, report=report, previous=earlier, measures=measures
    )


def feedback_overview(*, runtime: Runtime, team_id: str, user_id: str) -> dict[str, Any]:
    """The lead's rolling results over the last FEEDBACK_DAYS days, for /delegate feedback."""
    since = runtime.clock() - dt.timedelta(days=FEEDBACK_DAYS)
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=team_id, slack_user_id=user_id)
        if lead is None:
            return feedback_summary(
                reports=[],
                measures=lead_measures([], checkins_sent=0, checkins_answered=0, reports=[]),
                days=FEEDBACK_DAYS,
            )
        threshold = threshold_of(runtime, session, team_id)
        reports = [
            round_report(r, threshold)
            for r in lead_rounds(runtime, session, team_id, lead, since=since)
        ]
        measures = measures_of(runtime, session, team_id, lead, reports, since=since)
        return feedback_summary(reports=reports, measures=measures, days=FEEDBACK_DAYS)


# --- projects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectClosed:
    """A project closed, and how many owners were asked for feedback."""

    name: str
    surveyed: int


def _workers(project_tasks: list[Task], lead: Person) -> list[Person]:
    """Owners who worked on the project (their brief was approved), the lead excluded."""
    seen: dict[int, Person] = {}
    for task in project_tasks:
        owner = task.owner
        if task.activated_at is None or owner.id == lead.id or owner.is_bot or owner.is_deleted:
            continue
        seen.setdefault(owner.id, owner)
    return list(seen.values())


def _closable(
    session: Session, team_id: str, project: Project | None, user_id: str
) -> Project | Refusal:
    if project is None:
        return Refusal("I can't find that project any more.")
    if project.lead.slack_user_id != user_id:
        return Refusal(
            f"Only <@{project.lead.slack_user_id}> can close *{escape_mrkdwn(project.name)}*."
        )
    if project.state is ProjectState.CLOSED:
        return Refusal(f"*{escape_mrkdwn(project.name)}* is already closed.")
    return project


def project_close_preview(
    *, runtime: Runtime, team_id: str, user_id: str, name: str
) -> dict[str, Any] | Refusal:
    """The confirm step for closing a project: its open tasks and who will be asked."""
    with session_scope(runtime.sessions) as session:
        found = repo.find_project(session=session, team_id=team_id, name=name)
        if found is None:
            names = [
                p.name
                for p in session.scalars(
                    sa.select(Project)
                    .join(Person, Person.id == Project.lead_id)
                    .where(
                        Project.team_id == team_id,
                        Project.state == ProjectState.OPEN,
                        Person.slack_user_id == user_id,
                    )
                    .order_by(Project.name)
                )
            ]
            listing = ", ".join(f"*{escape_mrkdwn(n)}*" for n in names[:10]) if names else "none"
            return Refusal(
                f"I can't find a project called *{escape_mrkdwn(name)}*. "
                f"Your open projects: {listing}."
            )
        project = _closable(session, team_id, found, user_id)
        if isinstance(project, Refusal):
            return project
        tasks = repo.list_project_tasks(session=session, team_id=team_id, project_id=project.id)
        open_tasks = [
            (t.title, t.owner.slack_user_id, t.state.value.replace("_", " "))
            for t in tasks
            if t.state in OPEN_STATES
        ]
        return project_close_prompt(
            project_id=project.id,
            name=project.name,
            open_tasks=open_tasks,
            owners=len(_workers(tasks, project.lead)),
        )


@once_more_on_conflict
def close_project(
    *, runtime: Runtime, team_id: str, user_id: str, project_id: int
) -> ProjectClosed | Refusal:
    """The lead closes the project; everyone who worked on it gets the survey (once)."""
    with session_scope(runtime.sessions) as session:
        # Lock the row first: two clicks on Close must not both find the project open.
        session.execute(
            sa.select(Project.id)
            .where(Project.team_id == team_id, Project.id == project_id)
            .with_for_update()
        )
        project = _closable(
            session,
            team_id,
            repo.get_project(session=session, team_id=team_id, project_id=project_id),
            user_id,
        )
        if isinstance(project, Refusal):
            return project
        now = runtime.clock()
        project.state, project.closed_at = ProjectState.CLOSED, now
        tasks = repo.list_project_tasks(session=session, team_id=team_id, project_id=project.id)
        surveyed = start_round(
            runtime,
            session,
            team_id=team_id,
            lead=project.lead,
            owners=_workers(tasks, project.lead),
            label=project.name,
            project=project,
        )
        repo.record_audit(
            session=session,
            team_id=team_id,
            actor=user_id,
            action="project_closed",
            at=now,
            detail={"project_id": project.id, "surveyed": surveyed},
        )
        name = project.name
    runtime.kick_sweep()
    return ProjectClosed(name, surveyed)


def project_name(*, runtime: Runtime, team_id: str, project_id: int) -> str:
    """The project's name, for messages about it ("that project" if it is gone)."""
    with session_scope(runtime.sessions) as session:
        project = repo.get_project(session=session, team_id=team_id, project_id=project_id)
        return project.name if project else "that project"
