"""A delegation driven through the real services, on a database of its own (no Slack)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.brief import BriefInput
from bot.runtime import Runtime
from bot.services import confirmation
from bot.services.delegations import SlackUser, create_delegation
from bot.views.restatement import RestatementInput
from storage import repositories as repo
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import make_runtime

# A workspace of its own: nothing here calls Slack.
TEAM = "T1"
LEAD, OWNER, NEW_OWNER, OTHER_LEAD = "ULEAD", "UOWNER", "UNEWOWNER", "UOTHERLEAD"
MONDAY = NOW
LONDON = ZoneInfo("Europe/London")


@contextmanager
def open_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite database, a manual clock, and four people who have opened Home."""
    engine = make_engine(f"sqlite:///{tmp_path / 'refresh.sqlite3'}")
    upgrade_to_head(engine)
    runtime = make_runtime(engine, Clock(MONDAY))
    with session_scope(runtime.sessions) as session:
        for user in (LEAD, OWNER, NEW_OWNER, OTHER_LEAD):
            person = repo.upsert_person(
                session=session, team_id=TEAM, slack_user_id=user, tz="Europe/London", now=MONDAY
            )
            person.home_seen_at = MONDAY
    try:
        yield runtime
    finally:
        engine.dispose()


def create(runtime: Runtime) -> int:
    """The lead delegates to the owner, as the brief modal's submit does."""
    created = create_delegation(
        runtime=runtime,
        team_id=TEAM,
        lead=SlackUser(LEAD, "Lena", tz="Europe/London"),
        owner=SlackUser(OWNER, "Marc", tz="Europe/London"),
        brief=BriefInput(
            owner_id=OWNER,
            title="Acme renewal deck",
            goal="Keep Acme for another year",
            due_date=dt.date(2026, 3, 20),
        ),
        lead_tz=LONDON,
    )
    return created.task_id


def ok(result: object) -> None:
    """The service accepted: no refusal."""
    assert result is None, result


def restate(runtime: Runtime, task_id: int) -> None:
    """The owner confirms the brief in their own words."""
    ok(
        confirmation.submit_restatement(
            runtime=runtime,
            team_id=TEAM,
            task_id=task_id,
            user_id=OWNER,
            restatement=RestatementInput(
                what="A slide story showing the value they got this year",
                how="Pull usage numbers first, then draft with the account team",
                why="Their budget review starts soon and they need a reason",
                estimate_days=3,
            ),
        )
    )


def approve(runtime: Runtime, task_id: int) -> None:
    """The lead approves the restatement."""
    ok(confirmation.approve(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD))
