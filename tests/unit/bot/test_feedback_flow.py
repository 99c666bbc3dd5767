"""Feedback rounds over simulated days: surveys on accept and on project close, reminders,
closing after seven days, the results DM, anonymity, refusals and the export.

One process on a clock the test moves, the real sender with its hooks and composers, and
the sandbox as Slack (the same harness as test_followups.py, from tests/helpers/followups.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa

from bot.domain.brief import BriefInput
from bot.domain.types import OutboxKind, OutboxState, RhythmFit, SurveyKind, TaskState
from bot.services import completion, feedback
from bot.services.common import Refusal
from bot.services.delegations import open_projects, project_problems
from bot.services.export import TASK_COLUMNS, export_files
from bot.views.feedback import SurveyInput
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Project, Survey, Task
from tests.helpers.feedback import CHLOE, PRIYA, TOM, answer, finished, survey_of, surveys
from tests.helpers.followups import LEAD, MONDAY, OWNER, TEAM, World, at
from tests.helpers.messages import posts


def results(world: World) -> list[dict[str, Any]]:
    """The results DMs the lead received, as chat.postMessage parameters."""
    return [call.params for call in posts(world.sandbox, OutboxKind.FEEDBACK, LEAD)]


def accept(world: World, task_id: int) -> None:
    """The lead accepts the finished task."""
    assert (
        completion.accept(runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=LEAD)
        is None
    )


def test_accepting_work_outside_a_project_asks_owner_and_lead_and_reports_at_once(
    world: World,
) -> None:
    task_id = finished(world, OWNER, "Acme renewal deck")
    accept(world, task_id)
    world.run_until(at(2, 9, 1))
    assert [(who, kind) for _, who, kind in surveys(world)] == [
        (OWNER, SurveyKind.OWNER),
        (LEAD, SurveyKind.LEAD_SELF),
    ]
    assert any("asks for your feedback on *Acme renewal deck*" in t for t in world.texts(OWNER))
    assert any("rate how you delegated" in t for t in world.texts(LEAD))
    assert answer(world, OWNER, problems="Numbers came late") is None
    assert not results(world)
    assert answer(world, LEAD, clarity=5, lead_better="Send the numbers first") is None
    world.run_until(at(2, 9, 2))
    [sent] = results(world)
    shown = str(sent["blocks"])
    assert "Numbers came late" in shown and "Send the numbers first" in shown
    # One owner asked: named, as the modal told them.
    assert f"<@{OWNER}>" in shown
    # The request became a thank-you; no reminder will follow.
    assert any(
        "Thanks for your feedback" in c.params["text"]
        for c in world.sandbox.calls_to("chat.update")
    )
    world.run_until(at(12, 9))
    assert not any(t.startswith("Reminder") for t in world.texts(OWNER))


def test_silence_gets_two_reminders_in_working_hours_then_the_round_closes_after_a_week(
    world: World,
) -> None:
    accept(world, finished(world, OWNER, "Acme renewal deck"))
    world.run_until(at(9, 9, 1))
    owner = [
        str(c.params["text"])
        for c in world.sandbox.calls_to("chat.postMessage")
        if c.params["channel"] == OWNER
    ]
    reminders = [t for t in owner if t.startswith("Reminder")]
    assert len(reminders) == 2 and "the last one" in reminders[1]
    sent = [
        r.sent_at
        for r in world.rows(OutboxKind.SURVEY)
        if r.recipient_id is not None
        and r.state == OutboxState.SENT
        and r.unique_key
        and "reminder" in r.unique_key
    ]
    # Monday's survey: reminders on the 2nd and 4th working day at the 10:00 check-in time.
    assert sorted(s for s in sent if s is not None) == [at(4, 10), at(4, 10), at(6, 10), at(6, 10)]
    [report] = results(world)
    assert "0 of 1" in report["text"] or "0 of 1" in str(report["blocks"])
    # Closed now: a late answer is refused and says so.
    late = answer(world, OWNER)
    assert isinstance(late, Refusal) and "closed" in late.message
    # Every DM of both surveys (each ask and its two reminders) lost its button and says so.
    world.run_until(at(9, 9, 2))
    closed = [c for c in world.sandbox.calls_to("chat.update") if "has closed" in c.params["text"]]
    assert len(closed) == 6


def test_project_close_asks_everyone_who_worked_and_keeps_small_anonymous_groups_hidden(
    world: World,
) -> None:
    for owner in (OWNER, PRIYA, CHLOE):
        finished(world, owner, f"Part for {owner}", project="Acme Q3")
    finished(world, TOM, "Not started", project="Acme Q3", state=TaskState.AWAITING_CONFIRMATION)
    refused = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=OWNER, name="acme q3"
    )
    assert isinstance(refused, Refusal) and f"<@{LEAD}>" in refused.message
    missing = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, name="Acme Q4"
    )
    assert isinstance(missing, Refusal) and "*Acme Q3*" in missing.message
    prompt = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, name=" acme  Q3 "
    )
    assert not isinstance(prompt, Refusal)
    listed = str(prompt["blocks"])
    assert all(f"<@{who}>" in listed for who in (OWNER, PRIYA, CHLOE, TOM))
    assert "3 people who worked on it" in listed
    with session_scope(world.runtime.sessions) as session:
        project_id = session.scalars(sa.select(Project.id)).one()
    closed = feedback.close_project(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, project_id=project_id
    )
    assert closed == feedback.ProjectClosed("Acme Q3", 3)
    again = feedback.close_project(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, project_id=project_id
    )
    assert isinstance(again, Refusal) and "already closed" in again.message
    # TOM's brief was never approved: he did not work on it and is not asked.
    assert sorted(who for _, who, kind in surveys(world) if kind is SurveyKind.OWNER) == sorted(
        [OWNER, PRIYA, CHLOE]
    )
    world.run_until(at(2, 9, 1))
    assert answer(world, OWNER, other="Secret one") is None
    assert answer(world, PRIYA, other="Secret two") is None
    assert answer(world, CHLOE, show_name=True, other="Signed by Chloe") is None
    assert answer(world, LEAD) is None
    world.run_until(at(2, 9, 5))
    [report] = results(world)
    shown = str(report)
    assert "Signed by Chloe" in shown and f"<@{CHLOE}>" in shown
    # Two anonymous answers are under the threshold of 3: held back whole.
    assert "Secret" not in shown and OWNER not in shown and PRIYA not in shown
    assert "held back" in shown


def test_three_anonymous_answers_are_shown_without_names_or_order(world: World) -> None:
    for owner in (OWNER, PRIYA, CHLOE):
        finished(world, owner, f"Part for {owner}", project="Acme Q3")
    with session_scope(world.runtime.sessions) as session:
        project_id = session.scalars(sa.select(Project.id)).one()
    feedback.close_project(runtime=world.runtime, team_id=TEAM, user_id=LEAD, project_id=project_id)
    world.run_until(at(2, 9, 1))
    for owner, note in ((CHLOE, "zeta"), (OWNER, "alpha"), (PRIYA, "mid")):
        assert answer(world, owner, problems=note) is None
    world.run_until(at(9, 9, 1))
    [report] = results(world)
    shown = str(report["blocks"])
    assert all(note in shown for note in ("alpha", "mid", "zeta"))
    assert not any(who in shown for who in (OWNER, PRIYA, CHLOE))
    assert shown.index("alpha") < shown.index("mid") < shown.index("zeta")


def test_only_the_respondent_answers_once_and_the_lead_alone_closes(world: World) -> None:
    accept(world, finished(world, OWNER, "Acme renewal deck"))
    survey_id = survey_of(world, OWNER)
    other = feedback.survey_form(
        runtime=world.runtime, team_id=TEAM, survey_id=survey_id, user_id=PRIYA
    )
    assert isinstance(other, Refusal) and "only they can answer" in other.message
    form = feedback.survey_form(
        runtime=world.runtime, team_id=TEAM, survey_id=survey_id, user_id=OWNER
    )
    assert isinstance(form, feedback.SurveyForm) and not form.anonymity_offered
    assert answer(world, OWNER) is None
    second = answer(world, OWNER)
    assert isinstance(second, Refusal) and "already received" in second.message
    gone = feedback.survey_form(runtime=world.runtime, team_id=TEAM, survey_id=9999, user_id=OWNER)
    assert isinstance(gone, Refusal)


def test_export_has_every_task_field_and_keeps_anonymity(world: World) -> None:
    for owner in (OWNER, PRIYA, CHLOE):
        finished(world, owner, f"=HYPERLINK(evil) {owner}", project="Acme Q3")
    with session_scope(world.runtime.sessions) as session:
        project_id = session.scalars(sa.select(Project.id)).one()
    feedback.close_project(runtime=world.runtime, team_id=TEAM, user_id=LEAD, project_id=project_id)
    world.run_until(at(2, 9, 1))
    for owner in (OWNER, PRIYA, CHLOE):
        answer(world, owner, problems=f"note {owner[-2:]}")
    world.run_until(at(9, 9, 1))
    files = export_files(runtime=world.runtime, team_id=TEAM, user_id=LEAD)
    assert not isinstance(files, Refusal)
    tasks, answers, measures = (list(csv.DictReader(io.StringIO(f.content))) for f in files)
    assert len(tasks) == 3 and tuple(tasks[0]) == TASK_COLUMNS
    assert all(row["title"].startswith("'=") for row in tasks)  # formula guard
    assert {row["owner"] for row in tasks} == {OWNER, PRIYA, CHLOE}
    assert tasks[0]["created_at"].endswith("+00:00")
    owners = [row for row in answers if row["kind"] == "owner"]
    assert [row["respondent"] for row in owners] == ["anonymous"] * 3
    assert not any(who in files[1].content for who in (OWNER, PRIYA, CHLOE))
    assert measures[0]["completed"] == "0" and measures[0]["delegations"] == "3"
    nobody = export_files(runtime=world.runtime, team_id=TEAM, user_id=TOM)
    assert isinstance(nobody, Refusal)
    with session_scope(world.runtime.sessions) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 3


def test_briefs_join_only_the_leads_own_open_projects(world: World) -> None:
    for owner in (OWNER, PRIYA):
        finished(world, owner, f"Part for {owner}", project="Acme Q3")
    with session_scope(world.runtime.sessions) as session:
        tom = repo.upsert_person(session=session, team_id=TEAM, slack_user_id=TOM, now=MONDAY)
        theirs = repo.create_project(
            session=session, team_id=TEAM, name="Tom's launch", lead_id=tom.id, now=MONDAY
        ).id
        ours = session.scalars(sa.select(Project.id).where(Project.name == "Acme Q3")).one()
    assert open_projects(runtime=world.runtime, team_id=TEAM, lead_user_id=LEAD) == (
        (ours, "Acme Q3"),
    )

    def problems(**project: Any) -> dict[str, str]:
        brief = BriefInput(owner_id=OWNER, title="t", goal="g", due_date=None, **project)
        return project_problems(runtime=world.runtime, team_id=TEAM, lead_user_id=LEAD, brief=brief)

    assert problems(new_project=" acme  q3 ") == {} and problems(project_id=ours) == {}
    assert "led by someone else" in problems(new_project="tom's LAUNCH")["new_project"]
    assert "led by someone else" in problems(project_id=theirs)["project"]
    feedback.close_project(runtime=world.runtime, team_id=TEAM, user_id=LEAD, project_id=ours)
    assert "You closed Acme Q3" in problems(new_project="Acme Q3")["new_project"]
    assert problems(new_project="Acme Q4") == {}


def test_no_survey_for_an_owner_who_has_left(world: World) -> None:
    task_id = finished(world, OWNER, "Acme renewal deck")
    with session_scope(world.runtime.sessions) as session:
        person = repo.get_person(session=session, team_id=TEAM, slack_user_id=OWNER)
        assert person is not None
        person.is_deleted = True
    accept(world, task_id)
    assert surveys(world) == []
    assert world.rows(OutboxKind.FEEDBACK) == []


def test_the_second_round_shows_the_first_as_its_trend(world: World) -> None:
    accept(world, finished(world, OWNER, "First deck"))
    world.run_until(at(2, 9, 1))
    for who in (OWNER, LEAD):
        assert answer(world, who, clarity=2) is None
    world.run_until(at(2, 9, 2))
    accept(world, finished(world, PRIYA, "Second deck"))
    world.run_until(at(2, 9, 3))
    assert answer(world, PRIYA, clarity=5) is None
    with session_scope(world.runtime.sessions) as session:
        lead_survey = session.scalars(
            sa.select(Survey.id).where(
                Survey.kind == SurveyKind.LEAD_SELF, Survey.submitted_at.is_(None)
            )
        ).one()
    assert (
        feedback.submit_survey(
            runtime=world.runtime,
            team_id=TEAM,
            survey_id=lead_survey,
            user_id=LEAD,
            answers=SurveyInput(
                clarity=4, skills_fit=4, challenge=None, rhythm_fit=RhythmFit.ABOUT_RIGHT
            ),
        )
        is None
    )
    world.run_until(at(2, 9, 5))
    first, second = results(world)
    assert "Trend" not in str(first["blocks"])
    trend = str(second["blocks"])
    assert "Trend" in trend and "First deck" in trend and "clarity 2.0" in trend
