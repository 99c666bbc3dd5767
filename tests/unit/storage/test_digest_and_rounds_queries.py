"""The digest and the lead's feedback rounds: a fixed number of statements on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.feedback import Round
from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    SurveyKind,
    TaskState,
    UpdateSource,
)
from bot.runtime import Runtime
from bot.services.checkins import compose_digest
from bot.services.feedback import RoundRef, lead_rounds
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Person, StatusUpdate, Task
from storage.outbox import ClaimedMessage
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import make_runtime as _runtime
from tests.helpers.statements import count_statements as _counting

TEAM = "T1"
DAY = dt.timedelta(days=1)


def _active(
    session: Session, lead: Person, owner: Person, title: str, due: dt.datetime, health: Health
) -> Task:
    task = repo.create_task(
        session=session,
        team_id=TEAM,
        lead_id=lead.id,
        owner_id=owner.id,
        title=title,
        goal="g",
        due_at=due,
        due_tz="UTC",
        now=NOW - 9 * DAY,
    )
    task.state, task.health = TaskState.ACTIVE, health
    return task


def _update(
    session: Session, task: Task, answer: CheckinAnswer, at: dt.datetime, note: str = ""
) -> None:
    session.add(
        StatusUpdate(
            team_id=TEAM,
            task_id=task.id,
            person_id=task.owner_id,
            answer=answer,
            note=note,
            source=UpdateSource.CHECKIN,
            created_at=at,
        )
    )
    session.flush()


def _queue(
    session: Session, task: Task, due: dt.datetime, state: OutboxState, kind: OutboxKind
) -> None:
    row = repo.enqueue_outbox(
        session=session,
        team_id=TEAM,
        kind=kind,
        payload={},
        due_at=due,
        now=NOW - 9 * DAY,
        task_id=task.id,
    )
    assert row is not None
    row.state = state
    if state is OutboxState.SENT:
        row.sent_at = due


def _seed_digest(runtime: Runtime) -> int:
    """A lead in Los Angeles with varied active delegations; returns the lead's row id."""
    with session_scope(runtime.sessions) as session:
        lead = repo.upsert_person(
            session=session, team_id=TEAM, slack_user_id="ULEAD", tz="America/Los_Angeles", now=NOW
        )
        ana, ben, cat = (
            repo.upsert_person(session=session, team_id=TEAM, slack_user_id=u, now=NOW)
            for u in ("UANA", "UBEN", "UCAT")
        )
        first = _active(session, lead, ana, "Pricing *deck* <v2>", NOW + 3 * DAY, Health.ON_TRACK)
        _update(session, first, CheckinAnswer.AT_RISK, NOW - 4 * DAY, "waiting on legal")
        _update(session, first, CheckinAnswer.ON_TRACK, NOW - 2 * DAY, "back on track")
        _queue(session, first, NOW - DAY, OutboxState.SENT, OutboxKind.CHECKIN)
        _queue(session, first, NOW + 2 * DAY, OutboxState.PENDING, OutboxKind.CHECKIN)
        _queue(session, first, NOW + DAY, OutboxState.CANCELLED, OutboxKind.CHECKIN)
        _queue(session, first, NOW + DAY / 2, OutboxState.PENDING, OutboxKind.RENUDGE)
        # Overdue, never answered, nothing queued.
        _active(session, lead, ben, "Hire a designer", NOW - 2 * DAY, Health.BLOCKED)
        # Two updates at the same instant (the later row wins); 03:00 UTC is the day before
        # in Los Angeles.
        third = _active(session, lead, cat, "Q3 budget", NOW + 5 * DAY, Health.AT_RISK)
        late = NOW.replace(hour=3) - DAY
        _update(session, third, CheckinAnswer.ON_TRACK, late, "first")
        _update(session, third, CheckinAnswer.AT_RISK, late)
        _queue(session, third, NOW + 3 * DAY, OutboxState.PENDING, OutboxKind.CHECKIN)
        _queue(session, third, NOW + 4 * DAY, OutboxState.PENDING, OutboxKind.CHECKIN)
        # Not in the digest: another lead's task, and this lead's task that is not active.
        other = _active(session, ana, ben, "Someone else's", NOW + DAY, Health.ON_TRACK)
        _update(session, other, CheckinAnswer.BLOCKED, NOW - DAY, "not yours")
        done = _active(session, lead, ben, "Finished", NOW + DAY, Health.ON_TRACK)
        done.state = TaskState.COMPLETED
        return lead.id


def _more_tasks(runtime: Runtime, lead_id: int, count: int) -> None:
    with session_scope(runtime.sessions) as session:
        lead = session.get(Person, lead_id)
        owner = repo.get_person(session=session, team_id=TEAM, slack_user_id="UANA")
        assert lead is not None and owner is not None
        for n in range(count):
            more = _active(session, lead, owner, f"Extra {n}", NOW + (6 + n) * DAY, Health.ON_TRACK)
            _update(session, more, CheckinAnswer.ON_TRACK, NOW - DAY, f"n{n}")
            _queue(session, more, NOW + (1 + n) * DAY, OutboxState.PENDING, OutboxKind.CHECKIN)


def _digest(runtime: Runtime, lead_id: int) -> tuple[dict[str, Any] | None, list[str]]:
    message = ClaimedMessage(
        id=0,
        team_id=TEAM,
        kind=OutboxKind.DIGEST,
        payload={},
        attempts=0,
        task_id=None,
        recipient_id=lead_id,
    )
    with session_scope(runtime.sessions) as session:
        statements = _counting(runtime.engine)
        digest = compose_digest(runtime, session, message)
    return digest, _selects(statements)


def _selects(statements: list[str]) -> list[str]:
    # SQLite's session factory also issues BEGIN IMMEDIATE.
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# compose_digest's output before it was batched (per-task queries), kept byte for byte.
EXPECTED_DIGEST: dict[str, Any] = {
    "channel": "ULEAD",
    "text": "Your delegations today: 3 active",
    "blocks": [
        _section("*Your delegations today* (3 active)"),
        _section(
            ":red_circle: *Hire a designer*, <@UBEN> :rotating_light: *overdue*\n"
            "Next check-in: none"
        ),
        _section(
            ":large_green_circle: *Pricing *deck* &lt;v2&gt;*, <@UANA>\n"
            "Last update: on track, 2026-02-28: back on track\n"
            "Next check-in: <!date^1772614800^{date_short_pretty} at {time}|2026-03-04 09:00 UTC>"
        ),
        _section(
            ":large_orange_circle: *Q3 budget*, <@UCAT>\n"
            "Last update: at risk, 2026-02-28\n"
            "Next check-in: <!date^1772701200^{date_short_pretty} at {time}|2026-03-05 09:00 UTC>"
        ),
    ],
}


def test_the_digest_is_unchanged_and_costs_a_fixed_number_of_statements(
    migrated_engine: Engine,
) -> None:
    runtime = _runtime(migrated_engine, Clock(NOW))
    lead_id = _seed_digest(runtime)
    digest, statements = _digest(runtime, lead_id)
    assert digest == EXPECTED_DIGEST
    # The lead, their active tasks with owners, the latest updates, the check-ins.
    assert len(statements) == 4, statements
    _more_tasks(runtime, lead_id, 8)
    digest, statements = _digest(runtime, lead_id)
    assert digest is not None and digest["text"] == "Your delegations today: 11 active"
    assert "Last update: on track, 2026-03-01: n7" in digest["blocks"][-1]["text"]["text"]
    assert len(statements) == 4, statements


def _survey(
    session: Session,
    lead: Person,
    respondent: Person,
    closed: dt.datetime | None,
    kind: SurveyKind = SurveyKind.OWNER,
    clarity: int | None = None,
    **about: int,
) -> None:
    survey = repo.create_survey(
        session=session,
        team_id=TEAM,
        kind=kind,
        lead_id=lead.id,
        respondent_id=respondent.id,
        sent_at=NOW,
        closes_at=NOW + 7 * DAY,
        anonymity_offered=False,
        **about,
    )
    if clarity is not None:
        repo.add_survey_response(session=session, survey=survey, now=NOW + DAY, clarity=clarity)
    survey.closed_at = closed
    session.flush()


def _seed_rounds(session: Session, lone_rounds: int) -> Person:
    """A project round, `lone_rounds` single-task rounds, an open round and another lead's."""
    lead = repo.upsert_person(
        session=session, team_id=TEAM, slack_user_id="ULEAD", tz="America/Los_Angeles", now=NOW
    )
    ana, ben = (
        repo.upsert_person(session=session, team_id=TEAM, slack_user_id=u, now=NOW)
        for u in ("UANA", "UBEN")
    )
    project = repo.create_project(
        session=session, team_id=TEAM, name="Acme", lead_id=lead.id, now=NOW
    )
    in_project = _active(session, lead, ana, "In Acme", NOW + DAY, Health.ON_TRACK)
    in_project.project_id = project.id
    closed = (NOW + 7 * DAY).replace(hour=3)  # 9 March, still the 8th in Los Angeles
    _survey(session, lead, ana, closed, clarity=4, project_id=project.id, task_id=in_project.id)
    _survey(session, lead, ben, closed, project_id=project.id)
    _survey(session, lead, lead, closed, SurveyKind.LEAD_SELF, clarity=3, project_id=project.id)
    for n in range(lone_rounds):
        lone = _active(session, lead, ben, f"Lone {n}", NOW + DAY, Health.ON_TRACK)
        _survey(session, lead, ben, closed + (n + 1) * DAY, clarity=5, task_id=lone.id)
    still_open = _active(session, lead, ana, "Still open", NOW + DAY, Health.ON_TRACK)
    _survey(session, lead, ana, None, task_id=still_open.id)
    elsewhere = _active(session, ana, ben, "Ana's", NOW + DAY, Health.ON_TRACK)
    _survey(session, ana, ben, closed, clarity=1, task_id=elsewhere.id)
    session.commit()
    return lead


def _summary(rounds: list[Round]) -> list[tuple[str, str, int, list[int | None], int | None]]:
    return [
        (
            r.label,
            r.closed_on.isoformat(),
            r.asked,
            [a.clarity for a in r.answers],
            r.self_answer.clarity if r.self_answer else None,
        )
        for r in rounds
    ]


def test_a_leads_rounds_cost_a_fixed_number_of_statements(migrated_engine: Engine) -> None:
    runtime = _runtime(migrated_engine, Clock(NOW))
    with session_scope(runtime.sessions) as session:
        lead = _seed_rounds(session, lone_rounds=6)
        statements = _counting(runtime.engine)
        rounds = lead_rounds(runtime, session, TEAM, lead)
        # The lead's closed rounds, and all their surveys with people, answers and names.
        assert len(_selects(statements)) == 2, statements
        assert _summary(rounds) == [
            *[(f"Lone {n}", f"2026-03-{9 + n:02d}", 1, [5], None) for n in reversed(range(6))],
            ("Acme", "2026-03-08", 2, [4], 3),
        ]
        newest = session.scalars(sa.select(Task.id).where(Task.title == "Lone 5")).one()
        statements.clear()
        fewer = lead_rounds(runtime, session, TEAM, lead, limit=2, skip=RoundRef(None, newest))
        assert len(_selects(statements)) == 2, statements
        assert [r.label for r in fewer] == ["Lone 4", "Lone 3"]
        since = NOW + 11 * DAY
        assert [r.label for r in lead_rounds(runtime, session, TEAM, lead, since=since)] == [
            "Lone 5",
            "Lone 4",
        ]
