"""App Home: the tab itself, its buttons, and the "show all" lists."""

from __future__ import annotations

from collections.abc import Callable
from logging import Logger
from typing import Any, Protocol

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services.common import Refusal
from bot.services.feedback import feedback_overview
from bot.services.home import home_data, home_opened
from bot.views.delegation import BriefPrefill
from bot.views.home import (
    HOME_FEEDBACK_ACTION,
    HOME_NEW_ACTION,
    HOME_PROFILE_ACTION,
    HOME_SETTINGS_ACTION,
    HOME_SHOW_ALL_ACTION,
    HOME_TEAM_ACTION,
    SECTIONS,
    home_view,
    show_all_modal,
)
from bot.views.review import notice_modal
from handlers.delegation import open_brief
from handlers.payload import team_of, tell, user_of
from handlers.profile import open_profile, open_team_profiles
from handlers.settings import open_settings


class ModalOpener(Protocol):
    """open_settings, open_profile and open_team_profiles: open a modal or say why not."""

    def __call__(
        self, client: WebClient, runtime: Runtime, *, trigger_id: str, team_id: str, user_id: str
    ) -> Refusal | None: ...


def register(app: App, runtime: Runtime) -> None:
    """Attach the Home tab and its buttons: ack at once, the work right after."""

    def publish_home(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, logger: Logger
    ) -> None:
        """Opening Home shows what needs you, what you delegated and own, and your team's load."""
        if event.get("tab", "home") != "home":
            return
        team_id = str(body.get("team_id") or "")
        data = home_opened(runtime=runtime, team_id=team_id, user_id=event["user"])
        try:
            client.views_publish(user_id=event["user"], view=home_view(data))
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in ("user_not_found", "users_not_found"):
                raise
            # Someone Slack no longer knows (left, or a stale event): nothing to show them.
            logger.warning("Home not published: Slack does not know user %s", event["user"])

    def new_delegation(body: dict[str, Any], client: WebClient) -> None:
        """The "New delegation" button opens the brief."""
        open_brief(
            client,
            runtime,
            trigger_id=body["trigger_id"],
            team_id=team_of(body),
            lead_user_id=user_of(body),
            prefill=BriefPrefill(),
        )

    def opener(open_modal: ModalOpener) -> Callable[[dict[str, Any], WebClient], None]:
        """A Home button's listener for one of the person's modals."""

        def open_from_home(body: dict[str, Any], client: WebClient) -> None:
            """Settings, Profile or Team profiles opens, or the person hears privately why not."""
            refusal = open_modal(
                client,
                runtime,
                trigger_id=body["trigger_id"],
                team_id=team_of(body),
                user_id=user_of(body),
            )
            if refusal:
                tell(client, body, refusal.message)

        return open_from_home

    def feedback(body: dict[str, Any], client: WebClient) -> None:
        """The "Feedback" button shows the lead's rolling results in a modal."""
        summary = feedback_overview(runtime=runtime, team_id=team_of(body), user_id=user_of(body))
        client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "Your feedback"},
                "close": {"type": "plain_text", "text": "Close"},
                "blocks": summary["blocks"],
            },
        )

    def show_all(body: dict[str, Any], client: WebClient) -> None:
        """A "Show all" button lists every item of one Home section."""
        section = str(body["actions"][0].get("value") or "")
        if section not in SECTIONS:
            client.views_open(
                trigger_id=body["trigger_id"],
                view=notice_modal("Home", "That list is no longer there. Reopen Home."),
            )
            return
        data = home_data(runtime=runtime, team_id=team_of(body), user_id=user_of(body))
        client.views_open(trigger_id=body["trigger_id"], view=show_all_modal(section, data))

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])
    for action, listener in (
        (HOME_NEW_ACTION, new_delegation),
        (HOME_SETTINGS_ACTION, opener(open_settings)),
        (HOME_PROFILE_ACTION, opener(open_profile)),
        (HOME_TEAM_ACTION, opener(open_team_profiles)),
        (HOME_FEEDBACK_ACTION, feedback),
        (HOME_SHOW_ALL_ACTION, show_all),
    ):
        app.action(action)(ack=acknowledge, lazy=[listener])


def acknowledge(ack: Ack) -> None:
    """Slack hears back at once, so it never retries for lack of an answer."""
    ack()
