"""/delegate settings: a person's time zone, check-in time, working days, time away."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import settings as service
from bot.services.common import Refusal
from bot.views.review import notice_modal
from bot.views.settings import SETTINGS_CALLBACK, settings_input, settings_modal
from handlers.payload import state_values, team_of, user_of
from handlers.people import current_user


def open_settings(
    client: WebClient, runtime: Runtime, *, trigger_id: str, team_id: str, user_id: str
) -> Refusal | None:
    """Open the settings modal with the person's current values."""
    user = current_user(client, user_id, "settings")
    if isinstance(user, Refusal):
        return user
    current = service.settings_form(runtime=runtime, team_id=team_id, user=user)
    client.views_open(trigger_id=trigger_id, view=settings_modal(current))
    return None


def register(app: App, runtime: Runtime) -> None:
    """Attach the settings modal's submission."""

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """Settings are checked inline; saved ones re-plan the person's check-ins."""
        user = current_user(client, user_of(body), "settings")
        if isinstance(user, Refusal):
            ack(response_action="update", view=notice_modal("Not saved", user.message))
            return
        errors = service.save_settings(
            runtime=runtime,
            team_id=team_of(body),
            user=user,
            chosen=settings_input(state_values(view)),
        )
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    app.view(SETTINGS_CALLBACK)(submit)
