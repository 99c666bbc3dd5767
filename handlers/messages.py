"""Messages people type to the bot in its DM (the Messages tab): answered with short help.

The bot reads no free text; everything happens through /delegate, shortcuts and buttons.
Without an answer a person typing to it would hear nothing at all, so each message gets
the help `/delegate help` shows. Only direct messages arrive (the manifest subscribes to
message.im, not to channels); the bot's own posts and edits, deletions and other subtypes
come through the same subscription and are acknowledged without an answer. A retried
event is skipped by the middleware's deduplication, so one message gets one answer.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.views.help import dm_help_text
from handlers.payload import SLACK_CHANNEL_ID, SLACK_USER_ID


def typed_by_a_person_in_a_dm(event: dict[str, Any]) -> bool:
    """A plain message from a person in their DM with the bot (no edit, no bot, no join)."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and not event.get("bot_id")
        and "bot_profile" not in event
        and isinstance(event.get("user"), str)
        and SLACK_USER_ID.fullmatch(event["user"]) is not None
        and isinstance(event.get("channel"), str)
        and SLACK_CHANNEL_ID.fullmatch(event["channel"]) is not None
    )


def register(app: App, runtime: Runtime) -> None:
    """Attach the DM listener: ack at once, the help right after; other messages only acked."""

    def answer_with_help(event: dict[str, Any], client: WebClient) -> None:
        """The person who typed to the bot gets the help, in the thread they typed in, if any."""
        thread_ts = event.get("thread_ts")
        client.chat_postMessage(
            channel=event["channel"],
            text=dm_help_text(),
            thread_ts=thread_ts if isinstance(thread_ts, str) else None,
        )

    app.event("message", matchers=[typed_by_a_person_in_a_dm])(
        ack=acknowledge, lazy=[answer_with_help]
    )
    # Everything else message.im carries (the bot's own posts, edits, deletions) is acked
    # here, so it does not reach the error handler as an unhandled request.
    app.event("message")(acknowledge)


def acknowledge(ack: Ack) -> None:
    """Slack hears at once that the event arrived."""
    ack()
