"""The delegations CSV says where the owner's brief DM is: channel and ts, once it is sent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.domain.brief import BriefInput
from bot.domain.types import OutboxKind, OutboxState
from bot.services import confirmation
from bot.services.delegations import SlackUser, create_delegation
from bot.services.export import TASK_COLUMNS, export_files
from storage.db import session_scope
from storage.models import Outbox, Person, Task
from tests.helpers.followups import LEAD, MONDAY, OWNER, TEAM, World

PRIYA = "U0SBPRIY1"


def delegations_csv(world: World) -> dict[str, str]:
    """The export's one delegation, as a CSV row."""
    files = export_files(runtime=world.runtime, team_id=TEAM, user_id=LEAD)
    assert isinstance(files, list)
    [row] = list(csv.DictReader(io.StringIO(files[0].content)))
    return row


def sent_brief(world: World, owner: str) -> tuple[str, str]:
    """(channel, ts) of the brief DM the owner received."""
    with session_scope(world.runtime.sessions) as session:
        row = session.execute(
            sa.select(Outbox.channel, Outbox.ts)
            .join(Person, Person.id == Outbox.recipient_id)
            .where(
                Outbox.kind == OutboxKind.BRIEF,
                Outbox.state == OutboxState.SENT,
                Person.slack_user_id == owner,
            )
        ).one()
    assert row.channel and row.ts
    assert row.ts in [m.get("ts") for m in world.sandbox.messages(owner)]
    return row.channel, row.ts


def test_the_brief_dms_channel_and_ts_are_kept_and_exported_and_follow_a_reassignment(
    world: World,
) -> None:
    assert {"brief_channel_id", "brief_ts"} <= set(TASK_COLUMNS)
    task_id = create_delegation(
        runtime=world.runtime,
        team_id=TEAM,
        lead=SlackUser(LEAD, "Lena", tz="Europe/London"),
        owner=SlackUser(OWNER, "Marc", tz="Europe/London"),
        brief=BriefInput(
            owner_id=OWNER, title="Acme deck", goal="Keep Acme", due_date=dt.date(2026, 3, 20)
        ),
        lead_tz=ZoneInfo("Europe/London"),
    ).task_id
    row = delegations_csv(world)
    assert (row["brief_channel_id"], row["brief_ts"]) == ("", "")  # queued, not sent yet

    world.run_until(MONDAY + dt.timedelta(minutes=1))
    channel, ts = sent_brief(world, OWNER)
    row = delegations_csv(world)
    assert (row["brief_channel_id"], row["brief_ts"]) == (channel, ts)

    refused = confirmation.reassign(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=task_id,
        user_id=LEAD,
        new_owner=SlackUser(PRIYA, "Priya", tz="Europe/London"),
    )
    assert refused is None
    world.run_until(MONDAY + dt.timedelta(minutes=2))
    new_channel, new_ts = sent_brief(world, PRIYA)
    assert new_channel != channel
    row = delegations_csv(world)
    assert (row["brief_channel_id"], row["brief_ts"]) == (new_channel, new_ts)
    with session_scope(world.runtime.sessions) as session:
        task = session.get(Task, task_id)
        assert task is not None and (task.brief_channel_id, task.brief_ts) == (new_channel, new_ts)
