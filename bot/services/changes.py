"""The one path a task change takes: recorded in the audit log, and republished to App Home.

Every lifecycle transition (creation included) and every other recorded change goes through
`record_change`, so a new transition cannot forget Home (tests/unit/bot/test_home_refresh.py
walks the lifecycle table to check). Changes that are not audited, such as a status update or
a snooze, call `bot.services.home.task_changed` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.types import TaskState
from bot.runtime import Runtime
from bot.services.home import task_changed
from storage import repositories as repo
from storage.models import Person, Task


def record_change(
    runtime: Runtime,
    session: Session,
    task: Task,
    *,
    actor: str,
    action: str,
    before: TaskState | None,
    detail: dict[str, Any] | None = None,
    also: Sequence[Person] = (),
) -> None:
    """Record who moved the task from `before` (None: created) and queue the Homes it changes.

    `also` names people the task concerned before the change (a previous owner), whose Home
    changes too.
    """
    repo.record_audit(
        session=session,
        team_id=task.team_id,
        actor=actor,
        action=action,
        at=runtime.clock(),
        task_id=task.id,
        from_state=before,
        to_state=task.state,
        detail=detail,
    )
    # Team load counts open delegations: other leads of the owner see a change of load.
    counted = repo.LOAD_STATES
    load_changed = bool(also) or before is None or (before in counted) != (task.state in counted)
    task_changed(runtime, session, task, *also, load_changed=load_changed)
