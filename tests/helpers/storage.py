"""Small builders shared by the storage tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage import repositories as repo
from storage.db import make_engine
from storage.migrate import upgrade_to_head
from storage.models import Person, Task
from tests.helpers.clock import NOW
from tests.helpers.pg import throwaway_schema

DUE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=dt.UTC)


def person(session: Session, team_id: str, slack_user_id: str) -> Person:
    """A person in the workspace, created through the repository."""
    return repo.upsert_person(
        session=session,
        team_id=team_id,
        slack_user_id=slack_user_id,
        display_name=slack_user_id.lower(),
        tz="Europe/Berlin",
        now=NOW,
    )


def task(session: Session, team_id: str, lead: Person, owner: Person, title: str = "t") -> Task:
    """A task awaiting confirmation, created through the repository."""
    return repo.create_task(
        session=session,
        team_id=team_id,
        lead_id=lead.id,
        owner_id=owner.id,
        title=title,
        goal="Ship the quarterly report",
        due_at=DUE,
        due_tz="Europe/Berlin",
        now=NOW,
    )


@contextmanager
def migrated_engine(
    backend: str, sqlite_path: Path, pg_database: Callable[[], str]
) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a fresh schema in `pg_database()`."""
    if backend == "sqlite":
        made = make_engine(f"sqlite:///{sqlite_path}")
        upgrade_to_head(made)
        try:
            yield made
        finally:
            made.dispose()
        return
    with throwaway_schema(pg_database()) as url:
        made = make_engine(url)
        upgrade_to_head(made)
        try:
            yield made
        finally:
            made.dispose()
