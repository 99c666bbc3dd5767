"""Reading what Slack sent in an interaction, and answering the person privately."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient


def team_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    return str((body.get("team") or {}).get("id") or body.get("user", {}).get("team_id") or "")


def user_of(body: dict[str, Any]) -> str:
    """Who clicked or submitted (Slack vouches for this, unlike button values)."""
    return str(body["user"]["id"])


def task_id_in(body: dict[str, Any]) -> int:
    """The task id a button carries (-1 if it carries none): which task, never who may act."""
    value = str(body["actions"][0].get("value", ""))
    return int(value) if value.isdigit() else -1


def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
    """A private note to the person who clicked, where they clicked."""
    channel = (body.get("channel") or {}).get("id") or user_of(body)
    client.chat_postEphemeral(channel=channel, user=user_of(body), text=text)
