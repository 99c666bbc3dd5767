"""Global middleware: things every request goes through before a listener."""

from __future__ import annotations

import logging
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import App, BoltResponse

from bot.runtime import Runtime
from bot.views.errors import failed_modal, not_installed_text
from handlers.errors import describe
from handlers.payload import MalformedPayload
from handlers.shape import problem
from handlers.tenancy import Home, foreign
from storage.db import session_scope
from storage.repositories import mark_event_processed

refusals = logging.getLogger("bot.tenancy")


def register(app: App, runtime: Runtime, home: Home) -> None:
    """Attach middleware that must run before any listener, in this order."""

    def only_our_workspace(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """A request from another workspace (or org) is refused before anything is written."""
        reason = foreign(body, home)
        if reason is None:
            next()
            return None
        refusals.warning(
            "Refused a request from another workspace: %s (%s)", reason, describe(body)
        )
        kind = body.get("type")
        if kind is None and "command" in body:
            return BoltResponse(
                status=200, body={"response_type": "ephemeral", "text": not_installed_text()}
            )
        if kind == "view_submission":
            return BoltResponse(
                status=200,
                body={"response_action": "update", "view": failed_modal(not_installed_text())},
            )
        # Events (so Slack does not retry), actions and shortcuts: an empty 200.
        return BoltResponse(status=200, body="")

    def well_formed(body: dict[str, Any], next: Callable[[], None]) -> None:
        """A request missing what Slack always sends goes to the error handler, not a listener."""
        found = problem(body)
        if found is not None:
            raise MalformedPayload(found)
        next()

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

    app.middleware(only_our_workspace)
    app.middleware(well_formed)
    app.middleware(ignore_repeated_events)
