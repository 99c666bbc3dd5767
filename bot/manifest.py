"""The Slack app manifest that `delegate-bot manifest` prints for app creation."""

from __future__ import annotations

from typing import Any

from handlers.shortcuts import DELEGATE_MESSAGE_SHORTCUT, NEW_DELEGATION_SHORTCUT

# Each scope and why the design needs it.
BOT_SCOPES: dict[str, str] = {
    "commands": "the /delegate command and the shortcuts",
    "chat:write": "briefs, check-ins, digests and thanks",
    "im:write": "open a DM with an owner or lead",
    "im:history": "find a message already delivered (outbox recovery by metadata)",
    "users:read": "names, bots, deactivated people and time zones",
    "channels:read": "check the bot is in a public update channel",
    "groups:read": "check the bot is in a private update channel",
    "files:write": "CSV exports of delegation metrics",
}

# message.im: what people type in the Messages tab (answered with help). It needs the
# im:history scope, which the outbox recovery needs already.
BOT_EVENTS: tuple[str, ...] = ("app_home_opened", "message.im")

LONG_DESCRIPTION = (
    "Delegate helps a lead hand work to one accountable owner with a clear brief: the goal and "
    "why it matters, the definition of done, what is non-negotiable and where the owner is free "
    "to decide. The owner confirms the brief in their own words before it starts, check-ins "
    "arrive in their working hours at an agreed rhythm, and a short survey at the end teaches "
    "the lead to delegate better."
)


def build_manifest(
    *, request_base_url: str | None = None, name: str = "Delegate"
) -> dict[str, Any]:
    """The manifest: Socket Mode when no public URL is given, HTTP request URLs otherwise."""
    socket_mode = request_base_url is None
    events_url = (
        None if request_base_url is None else request_base_url.rstrip("/") + "/slack/events"
    )
    command: dict[str, Any] = {
        "command": "/delegate",
        "description": "Hand a task to one owner with a clear brief",
        "usage_hint": "[@owner] [title] | list | update | profile | feedback | export | help",
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if events_url is not None:
        command["url"] = events_url
        interactivity["request_url"] = events_url
        event_subscriptions["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Delegate work with a clear brief, confirmation and follow-up.",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#1d3b53",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name.lower(), "always_online": True},
            "shortcuts": [
                {
                    "name": "New delegation",
                    "type": "global",
                    "callback_id": NEW_DELEGATION_SHORTCUT,
                    "description": "Write a brief and hand a task to one owner",
                },
                {
                    "name": "Delegate this message",
                    "type": "message",
                    "callback_id": DELEGATE_MESSAGE_SHORTCUT,
                    "description": "Turn this message into a delegation brief",
                },
            ],
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
