"""Finding the bot's messages in the sandbox by what they are, not by their words.

The sender tags every chat.postMessage with Slack message metadata whose event_type is
`delegate_bot_<outbox kind>` (scheduler/sender.py), so a test can ask for "the lead's review"
or "the owner's check-ins" and keep passing when the wording changes.
"""

from __future__ import annotations

from bot.domain.types import OutboxKind
from sandbox.records import Call
from sandbox.server import SandboxServer
from scheduler.sender import METADATA_EVENT_PREFIX
from tests.helpers.waiting import wait_until


def event_type(kind: OutboxKind) -> str:
    """The metadata event_type the sender puts on a message of this kind."""
    return METADATA_EVENT_PREFIX + kind.value


def kind_of(call: Call) -> OutboxKind | None:
    """The outbox kind a chat.postMessage call says it is in its metadata, if it says one."""
    metadata = call.params.get("metadata")
    found = metadata.get("event_type") if isinstance(metadata, dict) else None
    if not isinstance(found, str) or not found.startswith(METADATA_EVENT_PREFIX):
        return None
    try:
        return OutboxKind(found.removeprefix(METADATA_EVENT_PREFIX))
    except ValueError:
        return None


def posts(sandbox: SandboxServer, kind: OutboxKind, channel: str | None = None) -> list[Call]:
    """The bot's chat.postMessage calls of this kind (to `channel` if given), oldest first."""
    return [
        call
        for call in sandbox.calls_to("chat.postMessage")
        if kind_of(call) is kind and channel in (None, call.params.get("channel"))
    ]


def wait_for_post(
    sandbox: SandboxServer,
    kind: OutboxKind,
    channel: str | None = None,
    *,
    count: int = 1,
    timeout: float = 10.0,
) -> Call:
    """The `count`-th post of this kind (to `channel` if given), once the bot has made it."""
    wait_until(lambda: len(posts(sandbox, kind, channel)) >= count, timeout)
    return posts(sandbox, kind, channel)[count - 1]
