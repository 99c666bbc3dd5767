"""Follow-up over simulated days: a bot on a manual clock, the real sender, the sandbox as Slack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from slack_sdk import WebClient

from bot.app import make_sender
from bot.domain.types import CheckinAnswer, OutboxKind, OutboxState
from bot.runtime import Runtime
from bot.services import checkins
from sandbox.server import SandboxServer
from scheduler.sender import OutboxSender
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from storage.models import Outbox, Task
from tests.helpers.clock import NOW, Clock
from tests.helpers.runtime import TEAM, make_runtime

__all__ = ["LEAD", "MONDAY", "OWNER", "TEAM", "World", "at", "open_world"]

LEAD, OWNER = "U0SBLENA1", "U0SBMARC1"
# Monday 2 March 2026, 09:00 in London (GMT until the 29th, so local time is UTC).
MONDAY = NOW


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant in March 2026, UTC (London wall time before the 29th)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


class World:
    """A bot process on a manual clock, sending to the sandbox."""

    def __init__(
        self, runtime: Runtime, clock: Clock, sender: OutboxSender, sandbox: SandboxServer
    ):
        self.runtime, self.clock, self.sender, self.sandbox = runtime, clock, sender, sandbox

    def run_until(self, until: dt.datetime) -> None:
        """Send everything due up to `until`, moving the clock from one due time to the next."""
        for _ in range(500):
            with session_scope(self.runtime.sessions) as session:
                due = session.scalar(
                    sa.select(sa.func.min(Outbox.due_at)).where(
                        Outbox.state == OutboxState.PENDING, Outbox.due_at <= until
                    )
                )
            if due is None:
                break
            self.clock.now = max(self.clock.now, due)
            self.sender.sweep()
        self.clock.now = max(self.clock.now, until)

    def texts(self, user: str) -> list[str]:
        """What the user's DM with the bot shows now, oldest first."""
        return [str(m.get("text", "")) for m in self.sandbox.messages(user)]

    def rows(self, *kinds: OutboxKind) -> list[Outbox]:
        """Outbox rows of these kinds, in order."""
        with session_scope(self.runtime.sessions) as session:
            found = session.scalars(
                sa.select(Outbox).where(Outbox.kind.in_(kinds)).order_by(Outbox.id)
            ).all()
            session.expunge_all()
            return list(found)

    def task(self) -> Task:
        """The one task, detached."""
        with session_scope(self.runtime.sessions) as session:
            task = session.scalars(sa.select(Task)).one()
            session.expunge(task)
            return task

    def last_checkin_ts(self) -> str:
        """The ts of the newest check-in Slack has."""
        sent = [row for row in self.rows(OutboxKind.CHECKIN) if row.state == OutboxState.SENT]
        assert sent, "no check-in was sent"
        return str(sent[-1].ts)

    def answer(self, answer: CheckinAnswer, note: str = "") -> None:
        """The owner taps an answer on the newest check-in."""
        refused = checkins.answer_checkin(
            runtime=self.runtime,
            team_id=TEAM,
            task_id=self.task().id,
            user_id=OWNER,
            answer=answer,
            note=note,
            message_ts=self.last_checkin_ts(),
        )
        assert refused is None


@contextmanager
def open_world(tmp_path: Path, sandbox: SandboxServer) -> Iterator[World]:
    """An empty migrated database, a clock at Monday 09:00 London, the sender wired as in run."""
    engine = make_engine(f"sqlite:///{tmp_path / 'followups.sqlite3'}")
    upgrade_to_head(engine)
    clock = Clock(MONDAY)
    runtime = make_runtime(engine, clock)
    client = WebClient(base_url=sandbox.api_url, token=sandbox.workspace.bot_token)
    sender = make_sender(runtime, client, worker="test")
    try:
        yield World(runtime, clock, sender, sandbox)
    finally:
        sender.close()
        engine.dispose()
