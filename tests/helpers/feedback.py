"""Feedback rounds in the follow-up world: finished tasks to survey, and survey answers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.types import RhythmFit, SurveyKind, TaskState
from bot.services import feedback
from bot.services.common import Refusal
from bot.views.feedback import SurveyInput
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Survey
from tests.helpers.followups import LEAD, MONDAY, TEAM, World, at

PRIYA, CHLOE, TOM = "U0SBPRIY1", "U0SBCHLO1", "U0SBTOM01"


def finished(
    world: World,
    owner: str,
    title: str,
    project: str | None = None,
    state: TaskState = TaskState.AWAITING_ACCEPTANCE,
) -> int:
    """A task the owner has finished (or left in `state`), optionally in a project."""
    with session_scope(world.runtime.sessions) as session:
        people = {
            user: repo.upsert_person(
                session=session, team_id=TEAM, slack_user_id=user, tz="Europe/London", now=MONDAY
            )
            for user in (LEAD, owner)
        }
        project_id = None
        if project is not None:
            found = repo.find_project(session=session, team_id=TEAM, name=project)
            found = found or repo.create_project(
                session=session, team_id=TEAM, name=project, lead_id=people[LEAD].id, now=MONDAY
            )
            project_id = found.id
        task = repo.create_task(
            session=session,
            team_id=TEAM,
            lead_id=people[LEAD].id,
            owner_id=people[owner].id,
            title=title,
            goal="Keep the customer",
            due_at=at(13, 23, 59),
            due_tz="Europe/London",
            now=MONDAY - dt.timedelta(days=7),
            project_id=project_id,
        )
        task.state = state
        if state is not TaskState.AWAITING_CONFIRMATION:
            task.activated_at = MONDAY - dt.timedelta(days=6)
        if state is TaskState.AWAITING_ACCEPTANCE:
            task.done_at = MONDAY
        session.flush()
        return task.id


def surveys(world: World) -> list[tuple[int, str, SurveyKind]]:
    """(id, respondent, kind) of every survey, in order."""
    with session_scope(world.runtime.sessions) as session:
        rows = session.scalars(sa.select(Survey).order_by(Survey.id)).all()
        return [(s.id, s.respondent.slack_user_id, s.kind) for s in rows]


def survey_of(world: World, user: str) -> int:
    """The id of the user's (only) survey."""
    [found] = [sid for sid, who, _ in surveys(world) if who == user]
    return found


def answer(
    world: World, user: str, *, clarity: int = 4, show_name: bool = False, **texts: str
) -> Refusal | None:
    """The user submits their survey."""
    return feedback.submit_survey(
        runtime=world.runtime,
        team_id=TEAM,
        survey_id=survey_of(world, user),
        user_id=user,
        answers=SurveyInput(
            clarity=clarity,
            skills_fit=3,
            challenge=5,
            rhythm_fit=RhythmFit.ABOUT_RIGHT,
            show_name=show_name,
            **texts,
        ),
    )
