"""Links people type or Slack hands us (done links, message permalinks), and when they are safe.

A link ends up inside a mrkdwn `<url|label>` token, where `|` ends the URL and `>` ends the
token: a URL holding either could break out and ping (`https://a|x><!channel>`). So a link
is only used when it is an http(s) URL with a host and none of the characters that matter
to mrkdwn; anything else is refused where it is typed and shown as escaped text elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# The database columns holding links (completion_link, source_permalink) are String(500).
LINK_MAX = 500
_FORBIDDEN = frozenset("<>|\"'`\\")


def link_problem(url: str) -> str | None:
    """Why `url` can't be used as a link, worded for the person who typed it; None if fine."""
    if len(url) > LINK_MAX:
        return f"That link is too long: keep it under {LINK_MAX} characters (it has {len(url)})."
    if any(char.isspace() for char in url):
        return "A link can't contain spaces or line breaks."
    if any(not char.isprintable() for char in url):
        return "That link contains characters that can't be shown."
    bad = sorted({char for char in url if char in _FORBIDDEN})
    if bad:
        # Modal errors are plain text, so the characters are shown as they are.
        shown = bad[0] if len(bad) == 1 else ", ".join(bad[:-1]) + " or " + bad[-1]
        return f"A link can't contain {shown}."
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "That doesn't look like a link. Use a full address, e.g. https://example.com/doc."
    if parts.scheme.lower() not in ("http", "https"):
        return "Use a web link that starts with https:// (or http://)."
    if not host or host.startswith(".") or ".." in host:
        return "That link has no website in it. Use a full address, e.g. https://example.com/doc."
    return None


def is_safe_link(url: object) -> bool:
    """Whether `url` may be placed inside a mrkdwn <url|label> token."""
    return isinstance(url, str) and bool(url) and link_problem(url) is None
