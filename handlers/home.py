"""App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.views.home import home_view


def register(app: App, runtime: Runtime) -> None:
    """Attach the Home tab."""
    app.event("app_home_opened")(home_opened)


def home_opened(event: dict[str, Any], client: WebClient) -> None:
    """Opening the app's Home tab shows how to delegate."""
    if event.get("tab", "home") != "home":
        return
    client.views_publish(user_id=event["user"], view=home_view(user_id=event["user"]))
