"""App Home, profiles, owner suggestions and /delegate list through Slack.

The real bot process answers the sandbox; a realistic team is seeded straight into its
database (earlier e2e tests walk the brief and check-ins themselves).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import CheckinAnswer, Health, OutboxKind, OutboxState, TaskState, UpdateSource
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage import repositories as repo
from storage.db import make_session_factory
from storage.models import Person, StatusUpdate
from tests.helpers.flows import LEAD, OWNER, open_modal, texts, wait_until

pytestmark = pytest.mark.e2e

TEAM = "T0SANDBOX"
PRIYA, CHLOE, TOM = "U0SBPRIY1", "U0SBCHLO1", "U0SBTOM01"


def _seed(database: sa.Engine) -> None:
    """Lena leads 14 active delegations and three waiting on her; Tom briefed her one."""
    now = datetime.now(UTC)
    today = now.date()
    # BEGIN IMMEDIATE as the app does: the bot writes to this file meanwhile, and a deferred
    # transaction that reads and then writes would fail at once if it committed in between.
    with make_session_factory(database, sqlite_begin="IMMEDIATE")() as session, session.begin():
        people = {
            user: repo.upsert_person(
                session=session, team_id=TEAM, slack_user_id=user, tz="Europe/London", now=now
            )
            for user in (LEAD, OWNER, PRIYA, CHLOE, TOM)
        }
        people[OWNER].skills, people[OWNER].capacity = ["Negotiation"], 20
        people[PRIYA].skills, people[PRIYA].capacity = ["negotiation", "Pricing"], 5
        people[CHLOE].skills = ["Negotiation", "Pricing"]
        people[CHLOE].ooo_start, people[CHLOE].ooo_end = today, today + timedelta(days=30)

        def task(owner: str, title: str, state: TaskState, lead: str = LEAD, **extra: Any) -> int:
            row = repo.create_task(
                session=session,
                team_id=TEAM,
                lead_id=people[lead].id,
                owner_id=people[owner].id,
                title=title,
                goal="Keep Acme",
                due_at=now + timedelta(days=5),
                due_tz="Europe/London",
                now=now - timedelta(days=3),
            )
            row.state = state
            for key, value in extra.items():
                setattr(row, key, value)
            return row.id

        risky = task(OWNER, "Acme <renewal> deck", TaskState.ACTIVE, health=Health.AT_RISK)
        session.add(
            StatusUpdate(
                team_id=TEAM,
                task_id=risky,
                person_id=people[OWNER].id,
                answer=CheckinAnswer.AT_RISK,
                note="Legal is slow",
                source=UpdateSource.CHECKIN,
                created_at=now - timedelta(days=1),
            )
        )
        checkin = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.CHECKIN,
            payload={},
            due_at=now - timedelta(hours=1),
            now=now,
            task_id=risky,
        )
        assert checkin is not None
        checkin.state, checkin.sent_at = OutboxState.SENT, now - timedelta(hours=1)
        for n in range(12):
            task(OWNER, f"Routine task {n:02d}", TaskState.ACTIVE, health=Health.ON_TRACK)
        task(PRIYA, "Pricing sheet", TaskState.AWAITING_ACCEPTANCE, done_at=now)
        task(CHLOE, "Contract summary", TaskState.AWAITING_APPROVAL)
        task(LEAD, "Board slides", TaskState.AWAITING_CONFIRMATION, lead=TOM)


def _home(sandbox: SandboxServer, user: str, count: int) -> dict[str, Any]:
    """The `count`-th Home the user was published, once it is there."""

    def published() -> list[Any]:
        return [c for c in sandbox.calls_to("views.publish") if c.params.get("user_id") == user]

    wait_until(lambda: len(published()) >= count)
    call = published()[count - 1]
    assert call.ok, call.response
    return dict(call.response["view"])


def _opened(sandbox: SandboxServer, count: int) -> dict[str, Any]:
    call = sandbox.wait_for_call("views.open", count=count, timeout=10)[-1]
    assert call.ok, call.response
    return dict(call.response["view"])


def test_home_shows_each_section_and_its_buttons_work(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    _seed(database)
    http_slack.app_home_opened(LEAD)
    home = _home(slack_sandbox, LEAD, 1)
    shown = texts(home["blocks"])
    for heading in ("Needs you", "Delegated by me", "Assigned to me", "Team load"):
        assert heading in shown
    assert "Acme &lt;renewal&gt; deck" in shown and "Legal is slow" in shown
    assert "Approve <@U0SBCHLO1>'s restatement of *Contract summary*" in shown
    assert "Accept or reopen *Pricing sheet*" in shown
    assert "Confirm the brief *Board slides*" in shown
    assert f"<@{OWNER}> *13*/20 open" in shown  # Marc's load against his capacity
    # 15 delegated: the 10 most urgent (at risk first) and "Show all".
    assert shown.index("Acme &lt;renewal&gt; deck") < shown.index("Routine task")
    show_all = [
        e
        for b in home["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "home_show_all"
    ]
    assert [e["value"] for e in show_all] == ["delegated"]
    assert len(home["blocks"]) <= 100

    http_slack.block_action(LEAD, "home_show_all", value="delegated", view=home["id"])
    listing = texts(_opened(slack_sandbox, 1)["blocks"])
    assert all(f"Routine task {n:02d}" in listing for n in range(12))

    # The owner's Home: the unanswered check-in needs them, the task is assigned to them.
    http_slack.app_home_opened(OWNER)
    theirs = texts(_home(slack_sandbox, OWNER, 1)["blocks"])
    assert "Answer the check-in on *Acme &lt;renewal&gt; deck*" in theirs
    assert "Routine task 00" in theirs

    # Profile from Home: bad capacity inline, then saved; Home refreshes by itself.
    http_slack.block_action(LEAD, "home_profile", view=home["id"])
    profile = _opened(slack_sandbox, 2)
    bad = http_slack.view_submission(
        LEAD, profile["id"], {"profile_capacity": {"profile_capacity": "lots"}}
    ).ack
    assert bad is not None and "profile_capacity" in bad["errors"]
    good = http_slack.view_submission(
        LEAD,
        profile["id"],
        {
            "profile_skills": {"profile_skills": ["Negotiation"]},
            "profile_other_skills": {"profile_other_skills": "Board decks, negotiation"},
            "profile_experience": {"profile_experience": "Ten years with Acme"},
            "profile_capacity": {"profile_capacity": "4"},
        },
    )
    assert good.ack in (None, {})
    with database.connect() as db:
        skills, experience, capacity = db.execute(
            sa.select(Person.skills, Person.experience, Person.capacity).where(
                Person.slack_user_id == LEAD
            )
        ).one()
    assert (skills, experience, capacity) == (
        ["Negotiation", "Board decks"],
        "Ten years with Acme",
        4,
    )
    _home(slack_sandbox, LEAD, 2)  # republished after the change, through the outbox

    # Team profiles: the lead sees the people they delegate to.
    http_slack.block_action(LEAD, "home_team_profiles", view=home["id"])
    team = texts(_opened(slack_sandbox, 3)["blocks"])
    assert PRIYA in team and "Pricing" in team and "1 open of 5" in team

    # The other buttons: feedback, settings and a new brief each open their modal.
    for action, count, expected in (
        ("home_feedback", 4, "Your feedback"),
        ("home_settings", 5, None),
        ("home_new", 6, "New delegation"),
    ):
        http_slack.block_action(LEAD, action, view=home["id"])
        opened = _opened(slack_sandbox, count)
        if expected:
            assert opened["title"]["text"] == expected

    # /delegate list: both ways, privately.
    http_slack.slash_command(LEAD, "list")
    wait_until(lambda: len(slack_sandbox.ephemerals(LEAD)) >= 1)
    listed = texts(slack_sandbox.ephemerals(LEAD)[-1].message.get("blocks") or [])
    assert "Routine task 11" in listed and "Board slides" in listed


def test_picking_skills_suggests_owners_and_one_click_chooses(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    _seed(database)
    view_id = open_modal(slack_sandbox, http_slack)
    updates = len(slack_sandbox.calls_to("views.update"))
    http_slack.block_action(
        LEAD,
        "skill_pick",
        view=view_id,
        values={"skill_pick": {"skill_pick": ["Negotiation", "Pricing"]}},
    )
    suggested = slack_sandbox.wait_for_call("views.update", count=updates + 1, timeout=10)[-1]
    assert suggested.ok, suggested.response
    buttons = [
        b["accessory"]["value"]
        for b in suggested.params["view"]["blocks"]
        if b.get("accessory", {}).get("action_id") == "brief_suggest_pick"
    ]
    # Priya has both skills and room; Marc one skill; Chloe is away the whole time; never Lena.
    assert buttons == [PRIYA, OWNER]
    http_slack.block_action(LEAD, "brief_suggest_pick", value=PRIYA, view=view_id)
    chosen = slack_sandbox.wait_for_call("views.update", count=updates + 2, timeout=10)[-1]
    assert chosen.ok, chosen.response
    owner = next(b for b in chosen.params["view"]["blocks"] if b.get("block_id") == "owner_1")
    assert owner["element"]["initial_user"] == PRIYA


def test_profile_from_the_command_and_an_empty_list(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine
) -> None:
    http_slack.slash_command(TOM, "profile")
    profile = _opened(slack_sandbox, 1)
    assert profile["callback_id"] == "profile"
    assert "/delegate settings" in texts(profile["blocks"])
    http_slack.slash_command(TOM, "list")
    wait_until(lambda: len(slack_sandbox.ephemerals(TOM)) >= 1)
    assert "/delegate" in str(slack_sandbox.ephemerals(TOM)[-1].message)
    http_slack.app_home_opened(TOM)
    empty = texts(_home(slack_sandbox, TOM, 1)["blocks"])
    assert "Needs you" in empty
    with database.connect() as db:
        seen = db.execute(sa.select(Person.home_seen_at).where(Person.slack_user_id == TOM))
        assert seen.scalar_one() is not None
