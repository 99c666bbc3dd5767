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
    app.shortcut(NEW_DELEGATION_SHORTCUT)(ack=acknowledge, lazy=[open_blank_brief])
    app.shortcut(DELEGATE_MESSAGE_SHORTCUT)(ack=acknowledge, lazy=[open_brief_from_message])


def acknowledge(ack: Ack) -> None:
    """Slack hears back at once; the modal follows."""
    ack()


def open_blank_brief(shortcut: dict[str, Any], client: WebClient) -> None:
    """From the shortcuts menu, the lead gets an empty brief modal."""
    client.views_open(trigger_id=shortcut["trigger_id"], view=new_delegation_modal(BriefPrefill()))


def open_brief_from_message(shortcut: dict[str, Any], client: WebClient) -> None:
    """On a message, the lead gets a brief modal holding that message's text."""
    text = str(shortcut.get("message", {}).get("text", ""))[:3000] or None
    prefill = BriefPrefill(goal=text)
    client.views_open(trigger_id=shortcut["trigger_id"], view=new_delegation_modal(prefill))
