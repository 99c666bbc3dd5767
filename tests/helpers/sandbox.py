"""Talking to the sandbox as the bot does, and a tiny app endpoint for it to call."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from sandbox.server import SandboxServer


def bot_client(server: SandboxServer) -> WebClient:
    """A WebClient for the sandbox with the bot token."""
    return WebClient(base_url=server.api_url, token=server.workspace.bot_token)


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


@dataclass
class Receiver:
    """A tiny app endpoint that checks Slack signatures and answers with `reply`."""

    url: str
    requests: list[Received] = field(default_factory=list)
    reply: Callable[[Received], tuple[int, str]] = lambda r: (200, "")


def json_reply(body: dict[str, object]) -> Callable[[Received], tuple[int, str]]:
    """A receiver reply that answers 200 with this JSON body."""
    return lambda _request: (200, json.dumps(body))
