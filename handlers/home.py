"""App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.views.home import home_view


def register(app: App, runtime: Runtime) -> None:
    """Attach the Home tab: ack the event, publish right after."""
    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])


def acknowledge(ack: Ack) -> None:
    """Slack hears back at once, so it never retries for lack of an answer."""
    ack()


def publish_home(event: dict[str, Any], client: WebClient) -> None:
    """Opening the app's Home tab shows how to delegate."""
    if event.get("tab", "home") == "home":
        client.views_publish(user_id=event["user"], view=home_view(user_id=event["user"]))
