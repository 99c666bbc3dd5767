"""Submitting the brief modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.views.delegation import NEW_DELEGATION_CALLBACK, brief_not_enabled_modal


def register(app: App, runtime: Runtime) -> None:
    """Attach the brief modal's submission."""
    app.view(NEW_DELEGATION_CALLBACK)(submit_brief)


def submit_brief(ack: Ack, view: dict[str, Any]) -> None:
    """The lead submits a brief; until the brief flow ships, they are told nothing was sent."""
    ack(response_action="update", view=brief_not_enabled_modal())
