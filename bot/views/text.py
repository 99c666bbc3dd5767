"""Safe text for Block Kit: escaping user input placed in mrkdwn, and bot-made tokens.

Every `<...>` token in a mrkdwn text (mentions, links, dates) must be made here or by a
view from ids and links these helpers checked; user text only ever reaches mrkdwn escaped.
"""

from __future__ import annotations

import re
from typing import Annotated

from bot.domain.links import is_safe_link

# A view parameter annotated Mrkdwn takes text the caller already built as mrkdwn (bot words,
# mentions, escaped user text); one annotated Wording takes the bot's own plain words (a
# modal's title, a label). Every other str parameter may hold user text: the view escapes it.
# tests/unit/bot/test_mrkdwn_safety.py reads these annotations.
Mrkdwn = Annotated[str, "mrkdwn built by the bot, user text in it already escaped"]
Wording = Annotated[str, "the bot's own plain words"]

# Slack ids: users U... or W... (Enterprise Grid), conversations C..., G..., D...
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so user text cannot ping <!channel> or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    """Escaped user text as a mrkdwn block quote, every line of it."""
    return "\n".join(f">{line}" for line in escape_mrkdwn(text).splitlines() or [""])


def mention(user_id: str) -> str:
    """<@U123> for a well-formed user id; anything else (a forged id) as "someone", no token."""
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else "someone"


def channel_mention(channel_id: str) -> str:
    """<#C123> for a well-formed conversation id; anything else as "a channel", no token."""
    return f"<#{channel_id}>" if _CHANNEL_ID.fullmatch(channel_id) else "a channel"


def link(url: str | None, label: str) -> str:
    """A mrkdwn link to `url` labelled with (escaped) `label`; an unsafe url as escaped text.

    Stored links predate the check where they are typed, so every view re-checks here.
    """
    shown = escape_mrkdwn(label)
    if not url:
        return shown
    if is_safe_link(url):
        return f"<{escape_mrkdwn(url)}|{shown}>"
    return f"{shown}: {escape_mrkdwn(url)}"
