"""Reading what Slack sent in an interaction, and answering the person privately.

Every reader here is defensive: a payload without what it should carry raises
MalformedPayload (logged once as a WARNING by the global error handler, see handlers.errors),
never KeyError or TypeError from deep inside a listener.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.ids import parse_id

# A task id no row has: services answer it with their "no such task" refusal.
NO_TASK = -1
logger = logging.getLogger(__name__)
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
SLACK_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{2,30}")


class MalformedPayload(ValueError):
    """A signed request lacks something Slack always sends, or has it in the wrong type."""


def mapping(value: object) -> dict[str, Any]:
    """`value` if it is a dict, else an empty one (for optional parts of a payload)."""
    return value if isinstance(value, dict) else {}


def text_at(data: dict[str, Any], key: str) -> str:
    """A required non-empty string field, or MalformedPayload."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{key} is missing or not a string")
    return value


def team_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from ("" when it names none)."""
    for value in (mapping(body.get("team")).get("id"), body.get("team_id")):
        if isinstance(value, str) and value:
            return value
    value = mapping(body.get("user")).get("team_id")
    return value if isinstance(value, str) else ""


def user_of(body: dict[str, Any]) -> str:
    """Who clicked or submitted (Slack vouches for this, unlike button values)."""
    user = body.get("user")
    value = user.get("id") if isinstance(user, dict) else body.get("user_id")
    if not isinstance(value, str) or not SLACK_USER_ID.fullmatch(value):
        raise MalformedPayload("the user id is missing or not a Slack user id")
    return value


def action_of(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element of a block_actions payload."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise MalformedPayload("actions is missing or empty")
    return actions[0]


def action_value(body: dict[str, Any]) -> str:
    """A button's value, or a select's chosen option value ("" when there is none)."""
    action = action_of(body)
    value = action.get("value")
    if value is None:
        value = mapping(action.get("selected_option")).get("value")
    return value if isinstance(value, str) else ""


def task_id_in(body: dict[str, Any]) -> int:
    """The task id a button carries (NO_TASK if none or odd): which task, never who may act."""
    return parse_id(action_value(body)) or NO_TASK


def trigger_id_of(body: dict[str, Any]) -> str:
    """The trigger that lets the bot open a modal for this interaction."""
    return text_at(body, "trigger_id")


def view_of(body: dict[str, Any]) -> dict[str, Any]:
    """The view a submission or a click in a modal came from."""
    view = body.get("view")
    if not isinstance(view, dict):
        raise MalformedPayload("view is missing")
    return view


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """A view's submitted input values ({block_id: {action_id: element state}})."""
    values = mapping(view.get("state")).get("values")
    if not isinstance(values, dict):
        raise MalformedPayload("view.state.values is missing")
    return values


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in, when it says (None in modals and Home)."""
    for value in (
        mapping(body.get("channel")).get("id"),
        body.get("channel_id"),
        mapping(body.get("container")).get("channel_id"),
    ):
        if isinstance(value, str) and SLACK_CHANNEL_ID.fullmatch(value):
            return value
    return None


# Slack will not show an ephemeral note in a conversation the person is not in.
NOT_THERE = frozenset({"user_not_in_channel", "channel_not_found", "not_in_channel"})


def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
    """A private note to the person who clicked, where they clicked (else in their DM)."""
    user = user_of(body)
    channel = channel_of(body)
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as error:
            if error.response.get("error") not in NOT_THERE:
                raise
            logger.warning("Ephemeral to %s refused in %s; told in their DM instead", user, channel)
    client.chat_postEphemeral(channel=user, user=user, text=text)
