"""Safe text for Block Kit: escaping user input placed in mrkdwn."""

from __future__ import annotations


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so user text cannot ping <!channel> or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
