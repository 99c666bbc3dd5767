"""Writing and reading outbox rows directly, for the sender's and the outbox's tests."""

from __future__ import annotations

import datetime as dt

from bot.domain.types import OutboxKind
from bot.runtime import Runtime
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers.clock import NOW
from tests.helpers.runtime import TEAM


def enqueue_notice(runtime: Runtime, channel: str, text: str, due: dt.datetime = NOW) -> int:
    """Queue a plain chat.postMessage notice to `channel`, due at `due`; its row id."""
    with session_scope(runtime.sessions) as session:
        row = repo.enqueue_outbox(
            session=session,
            team_id=TEAM,
            kind=OutboxKind.NOTICE,
            payload={"method": "chat.postMessage", "args": {"channel": channel, "text": text}},
            due_at=due,
            now=NOW,
        )
        assert row is not None
        return row.id


def outbox_row(runtime: Runtime, row_id: int) -> Outbox:
    """The outbox row as it is now, detached."""
    with session_scope(runtime.sessions) as session:
        row = session.get(Outbox, row_id)
        assert row is not None
        return row
