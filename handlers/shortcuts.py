"""Global and message shortcuts that start a delegation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.views.delegation import BriefPrefill
from handlers.delegation import acknowledge, open_brief

NEW_DELEGATION_SHORTCUT = "new_delegation"
DELEGATE_MESSAGE_SHORTCUT = "delegate_message"


def register(app: App, runtime: Runtime) -> None:
    """Attach the "New delegation" and "Delegate this message" shortcuts."""

    def open_blank_brief(shortcut: dict[str, Any], client: WebClient) -> None:
        """From the shortcuts menu, the lead gets an empty brief modal."""
        open_brief(
            client,
            runtime,
            trigger_id=shortcut["trigger_id"],
            team_id=shortcut["team"]["id"],
            lead_user_id=shortcut["user"]["id"],
            prefill=BriefPrefill(),
        )

    def open_brief_from_message(shortcut: dict[str, Any], client: WebClient) -> None:
        """On a message, the lead gets a brief holding that message's text and a link to it."""
        message = shortcut.get("message", {})
        channel, ts = shortcut.get("channel", {}).get("id"), message.get("ts")
        open_brief(
            client,
            runtime,
            trigger_id=shortcut["trigger_id"],
            team_id=shortcut["team"]["id"],
            lead_user_id=shortcut["user"]["id"],
            prefill=BriefPrefill(goal=str(message.get("text", ""))[:2000] or None),
            source=(channel, ts) if channel and ts else None,
        )

    app.shortcut(NEW_DELEGATION_SHORTCUT)(ack=acknowledge, lazy=[open_blank_brief])
    app.shortcut(DELEGATE_MESSAGE_SHORTCUT)(ack=acknowledge, lazy=[open_brief_from_message])
