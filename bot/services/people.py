"""Keeping people's Slack time zones fresh: refreshed once a day, check-ins re-planned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from bot.domain.types import TaskState
from bot.runtime import Runtime
from bot.services.checkins import reschedule
from bot.services.delegations import SlackUser
from bot.services.home import task_changed
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Person, Task

REFRESH_EVERY = timedelta(days=1)
BATCH = 50

logger = logging.getLogger(__name__)


def stale_owners(runtime: Runtime) -> list[tuple[str, str]]:
    """(team, user) of owners of active tasks whose Slack time zone is a day old or unknown."""
    cutoff = runtime.clock() - REFRESH_EVERY
    with session_scope(runtime.sessions) as session:
        rows = session.execute(
            sa.select(Person.team_id, Person.slack_user_id)
            .join(Task, sa.and_(Task.owner_id == Person.id, Task.team_id == Person.team_id))
            .where(
                Task.state == TaskState.ACTIVE,
                sa.or_(Person.tz_refreshed_at.is_(None), Person.tz_refreshed_at < cutoff),
            )
            .distinct()
            .limit(BATCH)
        ).all()
    return [(row.team_id, row.slack_user_id) for row in rows]


def refresh_time_zones(runtime: Runtime, fetch: Callable[[str], SlackUser | None]) -> int:
    """Ask Slack for stale owners' zones; a changed zone re-plans their check-ins."""
    changed = 0
    for team_id, user_id in stale_owners(runtime):
        try:
            user = fetch(user_id)
        except Exception:  # Slack down: try again at the next refresh
            logger.warning("users.info failed for %s; will retry", user_id, exc_info=True)
            continue
        with session_scope(runtime.sessions) as session:
            person = repo.get_person(session=session, team_id=team_id, slack_user_id=user_id)
            if person is None:
                continue
            before = person.effective_tz
            now = runtime.clock()
            person.tz_refreshed_at = now
            if user is not None and user.tz:
                person.tz = user.tz
            if person.effective_tz == before:
                continue
            changed += 1
            tasks = repo.list_tasks_for_owner(
                session=session, team_id=team_id, owner_id=person.id, states=[TaskState.ACTIVE]
            )
            for task in tasks:
                reschedule(runtime, session, task, after=now)
                task_changed(runtime, session, task)  # Home shows the next check-in
    return changed
