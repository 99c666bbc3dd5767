"""Small builders shared by the storage tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from storage import repositories as repo
from storage.models import Person, Task
from tests.helpers.clock import NOW

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
