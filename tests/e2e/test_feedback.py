"""Feedback through Slack: closing a project, survey modals, reminders, closing after a week,
the results DM, /delegate feedback and /delegate export.

The real bot process answers the sandbox. Delegations are seeded straight into its database
(earlier e2e tests walk the brief and the check-ins); time is moved by making queued rows
due now, as the check-in tests do.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState, TaskState
from bot.views.feedback import PROJECT_CLOSE_ACTION, SURVEY_OPEN_ACTION
from sandbox.deliver import Deliverer
from sandbox.records import Call
from sandbox.server import SandboxServer
from storage import repositories as repo
from storage.db import make_session_factory
from storage.models import Outbox, Survey, SurveyResponse
from tests.helpers.flows import LEAD, OWNER, click, stale_click, texts, wait_until
from tests.helpers.messages import posts

pytestmark = pytest.mark.e2e

TEAM = "T0SANDBOX"
PRIYA, CHLOE, TOM = "U0SBPRIY1", "U0SBCHLO1", "U0SBTOM01"
RATINGS = {"clarity": "4", "skills_fit": "3", "challenge": "5", "rhythm_fit": "about_right"}


def _seed(database: sa.Engine, owners: dict[str, TaskState], project: str = "Acme Q3") -> int:
    """A project of the lead with one approved task per owner, in the given states."""
    now = datetime.now(UTC)
    # BEGIN IMMEDIATE as the app does: the bot writes to this file meanwhile, and a deferred
    # transaction that reads and then writes would fail at once if it committed in between.
    with make_session_factory(database, sqlite_begin="IMMEDIATE")() as session, session.begin():
        lead = repo.upsert_person(session=session, team_id=TEAM, slack_user_id=LEAD, now=now)
        found = repo.create_project(
            session=session, team_id=TEAM, name=project, lead_id=lead.id, now=now
        )
        for user, state in owners.items():
            owner = repo.upsert_person(
                session=session, team_id=TEAM, slack_user_id=user, tz="Europe/London", now=now
            )
            task = repo.create_task(
                session=session,
                team_id=TEAM,
                lead_id=lead.id,
                owner_id=owner.id,
                title=f"{project} part for {user}",
                goal="Keep Acme",
                due_at=now + timedelta(days=3),
                due_tz="Europe/London",
                now=now - timedelta(days=20),
                project_id=found.id,
            )
            task.state, task.activated_at = state, now - timedelta(days=19)
            if state is TaskState.COMPLETED:
                task.done_at = task.completed_at = now - timedelta(days=1)
        return found.id


def _ephemeral(sandbox: SandboxServer, user: str, count: int) -> dict[str, Any]:
    """The user's `count`-th ephemeral message, once it is there."""
    wait_until(lambda: len(sandbox.ephemerals(user)) >= count)
    return sandbox.ephemerals(user)[count - 1].message


def _requests(sandbox: SandboxServer, user: str) -> list[Call]:
    """Survey DMs (first asks and reminders) the user got, oldest first."""
    return [
        c
        for c in sandbox.calls_to("chat.postMessage")
        if c.params.get("channel") == user and SURVEY_OPEN_ACTION in str(c.params.get("blocks"))
    ]


def _results(sandbox: SandboxServer) -> list[Call]:
    return posts(sandbox, OutboxKind.FEEDBACK, LEAD)


def _open_survey(sandbox: SandboxServer, slack: Deliverer, user: str) -> dict[str, Any]:
    """The user clicks Give feedback on their survey DM; returns the modal Slack shows."""
    opened = len(sandbox.calls_to("views.open"))
    click(slack, user, SURVEY_OPEN_ACTION, _requests(sandbox, user)[0])
    call = sandbox.wait_for_call("views.open", count=opened + 1, timeout=10)[-1]
    assert call.ok, call.response
    return dict(call.response["view"])


def _close_via_slack(sandbox: SandboxServer, slack: Deliverer, project_id: int, seen: int) -> str:
    """The lead runs /delegate project close, then confirms; returns the prompt's text."""
    assert slack.slash_command(LEAD, "project close acme q3").ack in (None, {})
    prompt = _ephemeral(sandbox, LEAD, seen + 1)
    slack.block_action(LEAD, PROJECT_CLOSE_ACTION, value=str(project_id), channel_id="C0SBTEAM1")
    closed = _ephemeral(sandbox, LEAD, seen + 2)
    assert "is closed" in closed["text"]
    return texts(prompt["blocks"])


def test_project_close_surveys_anonymity_results_feedback_and_export(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    project_id = _seed(
        database,
        {OWNER: TaskState.COMPLETED, PRIYA: TaskState.COMPLETED, CHLOE: TaskState.ACTIVE},
    )
    # Only the project's lead may close it; a typo gets the list of their projects.
    assert http_slack.slash_command(OWNER, "project close Acme Q3").ack in (None, {})
    assert f"Only <@{LEAD}>" in _ephemeral(slack_sandbox, OWNER, 1)["text"]
    http_slack.slash_command(LEAD, "project close Acme Q4")
    assert "*Acme Q3*" in _ephemeral(slack_sandbox, LEAD, 1)["text"]
    prompt = _close_via_slack(slack_sandbox, http_slack, project_id, seen=1)
    assert f"<@{CHLOE}>" in prompt and "active" in prompt  # the open task is listed
    assert "3 people who worked on it" in prompt
    wait_until(
        lambda: all(len(_requests(slack_sandbox, u)) == 1 for u in (OWNER, PRIYA, CHLOE, LEAD))
    )

    # Three were asked: the owner may stay anonymous; a missing rating is refused inline.
    modal = _open_survey(slack_sandbox, http_slack, OWNER)
    assert "show_name" in str(modal["blocks"])
    refused = http_slack.view_submission(OWNER, modal["id"], {"problems": {"problems": "x"}}).ack
    assert refused is not None and refused["response_action"] == "errors"
    assert set(refused["errors"]) >= {"clarity", "skills_fit", "challenge", "rhythm_fit"}
    sent = http_slack.view_submission(
        OWNER, modal["id"], {**_values(RATINGS), "problems": {"problems": "Secret one"}}
    )
    assert sent.ack in (None, {})
    # The same modal submitted again (a second window, a double click) is told inline.
    again = http_slack.view_submission(OWNER, modal["id"], _values(RATINGS)).ack
    assert again is not None and "already received" in again["errors"]["clarity"]
    # Another person can't open it; the owner can't answer twice.
    # (The DM has become a thank-you without the button: these are clicks on the old one.)
    stale_click(http_slack, PRIYA, SURVEY_OPEN_ACTION, _requests(slack_sandbox, OWNER)[0])
    stale_click(http_slack, OWNER, SURVEY_OPEN_ACTION, _requests(slack_sandbox, OWNER)[0])
    wait_until(lambda: len(slack_sandbox.calls_to("chat.postEphemeral")) >= 2)
    notes = [c.params["text"] for c in slack_sandbox.calls_to("chat.postEphemeral")]
    assert any("only they can answer" in n for n in notes)
    assert any("already received" in n for n in notes)

    modal = _open_survey(slack_sandbox, http_slack, PRIYA)
    http_slack.view_submission(
        PRIYA, modal["id"], {**_values(RATINGS), "smoother": {"smoother": "Secret two"}}
    )
    modal = _open_survey(slack_sandbox, http_slack, CHLOE)
    http_slack.view_submission(
        CHLOE,
        modal["id"],
        {
            **_values(RATINGS),
            "other": {"other": "Signed <!channel> by Chloe"},
            "show_name": {"show_name": ["show"]},
        },
    )
    assert not _results(slack_sandbox)  # the lead's self-assessment is still open
    modal = _open_survey(slack_sandbox, http_slack, LEAD)
    assert "challenge" not in str(modal["blocks"])
    lead_values = {k: v for k, v in _values(RATINGS).items() if k != "challenge"}
    http_slack.view_submission(
        LEAD, modal["id"], {**lead_values, "lead_better": {"lead_better": "Brief earlier"}}
    )

    # Everyone answered: the results come at once, not after the week.
    wait_until(lambda: len(_results(slack_sandbox)) == 1)
    report = str(_results(slack_sandbox)[0].params)
    assert f"<@{CHLOE}>" in report and "by Chloe" in report and "<!channel>" not in report
    assert "Secret" not in report and OWNER not in report and PRIYA not in report
    assert "held back" in report and "Brief earlier" in report
    wait_until(
        lambda: any(
            "Thanks for your feedback" in c.params["text"]
            for c in slack_sandbox.calls_to("chat.update")
        )
    )

    # /delegate feedback shows the round and the measures, privately.
    http_slack.slash_command(LEAD, "feedback")
    rolling = _ephemeral(slack_sandbox, LEAD, 4)
    assert (
        "Acme Q3" in texts(rolling["blocks"]) and "done on time" in texts(rolling["blocks"]).lower()
    )

    # /delegate export: three CSV files in the lead's DM, anonymity kept.
    assert "export" in str(http_slack.slash_command(LEAD, "export").ack).lower()
    [complete] = slack_sandbox.wait_for_call("files.completeUploadExternal", timeout=15)
    assert complete.ok, complete.response
    files = {f["title"]: slack_sandbox.state.upload(f["id"]) for f in complete.response["files"]}
    assert len(files) == 3
    contents = {title: (u.data or b"").decode() for title, u in files.items() if u is not None}
    feedback_csv = next(text for title, text in contents.items() if "Feedback" in title)
    rows = list(csv.DictReader(io.StringIO(feedback_csv)))
    assert sorted(r["respondent"] for r in rows if r["kind"] == "owner") == sorted(
        ["anonymous", "anonymous", CHLOE]
    ) or [r["respondent"] for r in rows if r["kind"] == "owner"] == [CHLOE]
    assert OWNER not in feedback_csv and PRIYA not in feedback_csv
    tasks_csv = next(text for title, text in contents.items() if "delegations" in title.lower())
    assert len(list(csv.DictReader(io.StringIO(tasks_csv)))) == 3
    # (The command's own ack and the lazy answer may reach Slack in either order.)
    wait_until(lambda: "is in your DM" in str([e.message for e in slack_sandbox.ephemerals(LEAD)]))

    # Someone with nothing delegated gets a clear answer instead of empty files.
    http_slack.slash_command(TOM, "export")
    wait_until(
        lambda: "nothing to export" in str([e.message for e in slack_sandbox.ephemerals(TOM)])
    )


def _values(answers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """view_submission values for the ratings (block id = action id)."""
    return {block: {block: value} for block, value in answers.items()}


def make_due(database: sa.Engine, where: Any) -> None:
    """Queued rows matching `where` become due now, as if their day had come."""
    with database.begin() as db:
        db.execute(sa.update(Outbox).where(where).values(due_at=datetime.now(UTC)))


def test_reminders_then_the_round_closes_after_a_week_with_what_arrived(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    project_id = _seed(database, {OWNER: TaskState.COMPLETED})
    _close_via_slack(slack_sandbox, http_slack, project_id, seen=0)
    wait_until(lambda: len(_requests(slack_sandbox, OWNER)) == 1)
    # One person asked: no anonymity to offer, and the modal says so before they submit.
    modal = _open_survey(slack_sandbox, http_slack, OWNER)
    assert "show_name" not in str(modal["blocks"])
    assert f"<@{LEAD}> will see your name" in texts(modal["blocks"])

    # Two reminders, no more, through the outbox.
    with database.connect() as db:
        reminders = (
            db.execute(
                sa.select(Outbox.id).where(
                    Outbox.kind == OutboxKind.SURVEY, Outbox.unique_key.like("%reminder%")
                )
            )
            .scalars()
            .all()
        )
    assert len(reminders) == 4  # two for the owner, two for the lead
    make_due(database, Outbox.id.in_(reminders))
    wait_until(lambda: len(_requests(slack_sandbox, OWNER)) == 3)
    owner_texts = [str(c.params["text"]) for c in _requests(slack_sandbox, OWNER)]
    # Both were made due at once here, so they may arrive in either order.
    assert all(text.startswith("Reminder") for text in owner_texts[1:])
    assert sum("the last one" in text for text in owner_texts[1:]) == 1

    # The lead answers; the owner stays silent. A week on, the round closes.
    modal = _open_survey(slack_sandbox, http_slack, LEAD)
    lead_values = {k: v for k, v in _values(RATINGS).items() if k != "challenge"}
    assert http_slack.view_submission(LEAD, modal["id"], lead_values).ack in (None, {})
    with database.begin() as db:
        db.execute(sa.update(Survey).values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
    make_due(database, Outbox.kind == OutboxKind.FEEDBACK)
    wait_until(lambda: len(_results(slack_sandbox)) == 1)
    report = texts(_results(slack_sandbox)[0].params["blocks"])
    assert "0 of 1" in report

    # The owner's three DMs lose their button and say the survey closed; nothing else waits.
    def closed() -> int:
        updates = slack_sandbox.calls_to("chat.update")
        return sum("has closed" in str(c.params["text"]) for c in updates)

    wait_until(lambda: closed() == 3 and _pending(database) == 0)
    # A late click on the old button is refused and says the survey closed.
    stale_click(http_slack, OWNER, SURVEY_OPEN_ACTION, _requests(slack_sandbox, OWNER)[0])
    wait_until(
        lambda: any(
            "closed" in c.params["text"] for c in slack_sandbox.calls_to("chat.postEphemeral")
        )
    )
    with database.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(SurveyResponse)).scalar_one() == 1

    # Slack refusing the upload is said privately; asking again works.
    slack_sandbox.faults.add("files.completeUploadExternal", "error", error="fatal_error")
    http_slack.slash_command(LEAD, "export")
    wait_until(lambda: "try `/delegate export` again" in str(_ephemerals(slack_sandbox, LEAD)))
    http_slack.slash_command(LEAD, "export")
    wait_until(lambda: "is in your DM" in str(_ephemerals(slack_sandbox, LEAD)))
    assert len([c for c in slack_sandbox.calls_to("files.completeUploadExternal") if c.ok]) == 1


def _ephemerals(sandbox: SandboxServer, user: str) -> list[dict[str, Any]]:
    return [e.message for e in sandbox.ephemerals(user)]


def _pending(database: sa.Engine) -> int:
    """Outbox rows still waiting to go."""
    with database.connect() as db:
        count = db.execute(
            sa.select(sa.func.count())
            .select_from(Outbox)
            .where(Outbox.state == OutboxState.PENDING)
        ).scalar_one()
    return int(count)
