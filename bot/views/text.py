"""Safe text for Block Kit: escaping user input placed in mrkdwn."""

from __future__ import annotations


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so user text cannot ping <!channel> or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    """Escaped user text as a mrkdwn block quote, every line of it."""
    return "\n".join(f">{line}" for line in escape_mrkdwn(text).splitlines() or [""])
