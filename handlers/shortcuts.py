"""Global and message shortcuts that start a delegation."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.views.delegation import BriefPrefill, new_delegation_modal

NEW_DELEGATION_SHORTCUT = "new_delegation"
DELEGATE_MESSAGE_SHORTCUT = "delegate_message"


def register(app: App, runtime: Runtime) -> None:
    """Attach the "New delegation" and "Delegate this message" shortcuts."""
    app.shortcut(NEW_DELEGATION_SHORTCUT)(new_delegation_shortcut)
    app.shortcut(DELEGATE_MESSAGE_SHORTCUT)(delegate_message_shortcut)


def new_delegation_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """From the shortcuts menu, the lead gets an empty brief modal."""
    ack()
    client.views_open(trigger_id=shortcut["trigger_id"], view=new_delegation_modal(BriefPrefill()))


def delegate_message_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """On a message, the lead gets a brief modal holding that message's text."""
    ack()
    message = shortcut.get("message", {})
    text = str(message.get("text", ""))[:3000] or None
    prefill = BriefPrefill(goal=text)
    client.views_open(trigger_id=shortcut["trigger_id"], view=new_delegation_modal(prefill))
