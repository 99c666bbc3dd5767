"""Profiles: a person's own skills, experience and capacity; a lead's view of their team."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import profiles as service
from bot.services.common import Refusal
from bot.views.profile import PROFILE_CALLBACK, profile_modal, read_profile, team_profiles_modal
from bot.views.review import notice_modal
from handlers.payload import state_values, team_of, user_of
from handlers.people import current_user


def open_profile(
    client: WebClient, runtime: Runtime, *, trigger_id: str, team_id: str, user_id: str
) -> Refusal | None:
    """The person's profile opens for editing."""
    user = current_user(client, user_id, "a profile")
    if isinstance(user, Refusal):
        return user
    profile, options = service.profile_form(runtime=runtime, team_id=team_id, user=user)
    client.views_open(
        trigger_id=trigger_id, view=profile_modal(profile=profile, skill_options=options)
    )
    return None


def open_team_profiles(
    client: WebClient, runtime: Runtime, *, trigger_id: str, team_id: str, user_id: str
) -> Refusal | None:
    """The lead sees the profiles of everyone they delegate to (read only)."""
    people = service.team_profiles(runtime=runtime, team_id=team_id, lead_user_id=user_id)
    client.views_open(trigger_id=trigger_id, view=team_profiles_modal(profiles=people))
    return None


def register(app: App, runtime: Runtime) -> None:
    """Attach the profile modal's submission."""

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """The profile is checked inline and saved; leads see it when choosing owners."""
        chosen = read_profile(state_values(view))
        if isinstance(chosen, dict):
            ack(response_action="errors", errors=chosen)
            return
        user = current_user(client, user_of(body), "a profile")
        if isinstance(user, Refusal):
            ack(response_action="update", view=notice_modal("Not saved", user.message))
            return
        service.save_profile(runtime=runtime, team_id=team_of(body), user=user, chosen=chosen)
        ack()

    app.view(PROFILE_CALLBACK)(submit)
