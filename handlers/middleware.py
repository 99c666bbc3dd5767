"""Global middleware: things every request goes through before a listener."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import App, BoltResponse

from bot.runtime import Runtime
from storage.db import session_scope
from storage.repositories import mark_event_processed


def register(app: App, runtime: Runtime) -> None:
    """Attach middleware that must run before any listener."""

    def ignore_repeated_events(
        body: dict[str, Any], next: Callable[[], None], logger: Logger
    ) -> BoltResponse | None:
        """An event Slack sends again (a retry, or to a second instance) is acked and skipped."""
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not isinstance(event_id, str):
            next()
            return None
        with session_scope(runtime.sessions) as session:
            first_time = mark_event_processed(
                session=session,
                # Org-wide installs may send an enterprise id where a team id is missing.
                team_id=str(body.get("team_id") or body.get("enterprise_id") or ""),
                event_id=event_id,
                at=runtime.clock(),
            )
        if not first_time:
            logger.info("Skipping event %s: already processed", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    app.middleware(ignore_repeated_events)
