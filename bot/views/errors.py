"""What people hear when a request can't be handled: expired triggers, odd input, bugs."""

from __future__ import annotations

from typing import Any

from bot.views.review import notice_modal
from bot.views.text import Wording


def not_installed_text() -> str:
    """Answer to a command from a workspace this app is not installed in."""
    return "This app is not installed in your workspace."


def try_again_text() -> str:
    """Slack's trigger ran out (it lasts 3 seconds) before the form could open."""
    return "That took too long to open. Please try again."


def unreadable_request_text() -> str:
    """The request was missing something or out of date, so nothing was done."""
    return (
        "I couldn't read that request (it may be from an old message or form), so nothing "
        "changed. Please try again from a current message."
    )


def slack_refused_text() -> str:
    """Slack refused a call the bot made on the person's behalf."""
    return "Slack didn't accept that just now, so nothing changed. Please try again shortly."


def failed_text() -> str:
    """A fault on the bot's side."""
    return "Something went wrong on my side, so nothing changed. Please try again shortly."


def failed_modal(text: Wording) -> dict[str, Any]:
    """A modal that replaces a form that could not be handled."""
    return notice_modal("Not saved", text)
