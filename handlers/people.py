"""Reading people and channels from Slack for handlers (never trusted from payloads)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.brief import ChannelFacts, OwnerFacts
from bot.services.common import Refusal
from bot.services.delegations import SlackUser


def fetch_user(client: WebClient, user_id: str) -> SlackUser | None:
    """users.info as a SlackUser; None when Slack does not know the id."""
    try:
        user: dict[str, Any] = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return None
        raise
    profile = user.get("profile", {})
    return SlackUser(
        user_id=user["id"],
        display_name=profile.get("display_name") or user.get("real_name") or user.get("name", ""),
        real_name=user.get("real_name", ""),
        tz=user.get("tz"),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


def current_user(client: WebClient, user_id: str, keeping: str) -> SlackUser | Refusal:
    """The person acting, from users.info, or what to tell them when Slack can't say."""
    try:
        user = fetch_user(client, user_id)
    except SlackApiError:
        return Refusal("I couldn't read your Slack profile just now. Please try again shortly.")
    if user is None:
        return Refusal(f"Slack doesn't know you in this workspace, so I can't keep {keeping}.")
    return user


def fetch_channel(client: WebClient, channel_id: str) -> ChannelFacts:
    """Whether the bot is in the channel; a channel it cannot see counts as "not in"."""
    try:
        channel: dict[str, Any] = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":
            return ChannelFacts(name="that channel", bot_is_member=False)
        raise
    return ChannelFacts(
        name=str(channel.get("name", channel_id)), bot_is_member=bool(channel.get("is_member"))
    )


def owner_facts(owner: SlackUser | None, owner_id: str | None, lead_id: str) -> OwnerFacts | None:
    """What the owner rules need to know about the chosen person (None: nobody chosen)."""
    if owner_id is None:
        return None
    if owner is None:
        return OwnerFacts(display_name=owner_id, exists=False)
    return OwnerFacts(
        display_name=owner.display_name or owner.real_name or owner.user_id,
        is_bot=owner.is_bot,
        deactivated=owner.deleted,
        is_the_lead=owner.user_id == lead_id,
    )
