"""Survey and measure queries behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.types import CheckinAnswer, OutboxKind, OutboxState, SurveyKind, UpdateSource
from storage import repositories as repo
from storage.models import Outbox, StatusUpdate, Survey
from tests.helpers.clock import NOW
from tests.helpers.storage import person, task

TEAM = "T1"


def _survey(session: Session, lead_id: int, respondent_id: int, **about: int | None) -> Survey:
    return repo.create_survey(
        session=session,
        team_id=TEAM,
        kind=SurveyKind.OWNER,
        lead_id=lead_id,
        respondent_id=respondent_id,
        sent_at=NOW,
        closes_at=NOW + dt.timedelta(days=7),
        anonymity_offered=False,
        **about,
    )


def test_rounds_group_by_project_or_lone_task_newest_first(session: Session) -> None:
    lead, ana, ben = (person(session, TEAM, u) for u in ("U1", "U2", "U3"))
    project = repo.create_project(
        session=session, team_id=TEAM, name="Acme Q3", lead_id=lead.id, now=NOW
    )
    lone = task(session, TEAM, lead, ana)
    in_project = [_survey(session, lead.id, who.id, project_id=project.id) for who in (ana, ben)]
    alone = _survey(session, lead.id, ana.id, task_id=lone.id)
    _survey(session, lead.id, ben.id, task_id=lone.id)  # still open: not a closed round
    for survey in in_project:
        survey.closed_at = NOW + dt.timedelta(days=7)
    alone.closed_at = NOW + dt.timedelta(days=8)
    session.flush()
    assert repo.closed_rounds_of_lead(session=session, team_id=TEAM, lead_id=lead.id) == [
        (None, lone.id),
        (project.id, None),
    ]
    since = NOW + dt.timedelta(days=7, hours=12)
    assert repo.closed_rounds_of_lead(
        session=session, team_id=TEAM, lead_id=lead.id, since=since
    ) == [(None, lone.id)]
    found = repo.round_surveys(session=session, team_id=TEAM, project_id=project.id, task_id=None)
    assert [s.id for s in found] == [s.id for s in in_project]
    assert (
        len(repo.round_surveys(session=session, team_id=TEAM, project_id=None, task_id=lone.id))
        == 2
    )
    assert repo.find_project(session=session, team_id=TEAM, name="  acme   q3 ") is project
    assert repo.find_project(session=session, team_id="T2", name="Acme Q3") is None


def test_a_survey_takes_one_response(session: Session) -> None:
    lead, ana = person(session, TEAM, "U1"), person(session, TEAM, "U2")
    survey = _survey(session, lead.id, ana.id, task_id=task(session, TEAM, lead, ana).id)
    session.commit()
    # The submit path locks the row first; the statement must work on both backends.
    session.execute(sa.select(Survey.id).where(Survey.id == survey.id).with_for_update())
    repo.add_survey_response(session=session, survey=survey, now=NOW, clarity=4, show_name=True)
    session.commit()
    assert survey.submitted_at == NOW
    with pytest.raises(IntegrityError):
        repo.add_survey_response(session=session, survey=survey, now=NOW, clarity=2)
    session.rollback()


def test_health_and_checkin_counts(session: Session) -> None:
    lead, ana = person(session, TEAM, "U1"), person(session, TEAM, "U2")
    calm, risky = task(session, TEAM, lead, ana, "calm"), task(session, TEAM, lead, ana, "risky")
    sent = []
    for job in (calm, calm, risky):
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.CHECKIN,
            payload={},
            due_at=NOW,
            now=NOW,
            task_id=job.id,
        )
        assert row is not None
        row.state = OutboxState.SENT
        sent.append(row)
    answers = [
        (calm, CheckinAnswer.ON_TRACK, sent[0].id),
        (calm, CheckinAnswer.ON_TRACK, None),
        (risky, CheckinAnswer.AT_RISK, sent[2].id),
        # A check-in takes one answer (migration 0005); more news comes unprompted.
        (risky, CheckinAnswer.AT_RISK, None),
    ]
    for job, answer, outbox_id in answers:
        session.add(
            StatusUpdate(
                team_id=TEAM,
                task_id=job.id,
                person_id=ana.id,
                answer=answer,
                source=UpdateSource.CHECKIN,
                outbox_id=outbox_id,
                created_at=NOW,
            )
        )
    session.flush()
    ids = [calm.id, risky.id]
    assert repo.went_at_risk(session=session, team_id=TEAM, task_ids=ids) == {risky.id}
    counts = repo.health_counts(session=session, team_id=TEAM, task_ids=ids)
    assert counts[calm.id] == {CheckinAnswer.ON_TRACK: 2}
    assert counts[risky.id] == {CheckinAnswer.AT_RISK: 2}
    assert repo.checkin_counts(session=session, team_id=TEAM, task_ids=ids) == (3, 2)
    assert repo.checkin_counts(session=session, team_id="T2", task_ids=ids) == (0, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(Outbox)) == 3
