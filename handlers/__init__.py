"""Bolt listeners, one module per surface, each with register(app, runtime)."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from handlers import (
    checkins,
    commands,
    completion,
    confirmation,
    conversation,
    delegation,
    errors,
    feedback,
    home,
    messages,
    middleware,
    profile,
    settings,
    shortcuts,
)
from handlers.tenancy import Home as Workspace


def register_all(app: App, runtime: Runtime, workspace: Workspace) -> None:
    """Attach every listener and middleware to the Bolt app, and the one error handler."""
    errors.register(app, workspace)
    middleware.register(app, runtime, workspace)
    commands.register(app, runtime)
    shortcuts.register(app, runtime)
    delegation.register(app, runtime)
    confirmation.register(app, runtime)
    conversation.register(app, runtime)
    checkins.register(app, runtime)
    completion.register(app, runtime)
    settings.register(app, runtime)
    feedback.register(app, runtime)
    profile.register(app, runtime)
    home.register(app, runtime)
    messages.register(app, runtime)
