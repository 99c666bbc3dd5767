"""Reading mrkdwn out of views' results, and finding <...> tokens the bot did not make."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block

# Ids the tests hand the views as ids; a mention of any other id came from user text.
USERS = ("U0LEAD0001", "U0OWNER001", "W0GRID0001")
CHANNELS = ("C0TEAM0001", "G0PRIV0001")
# Valid links; a link token to anything else came from user text.
SAFE_LINKS = ("https://docs.example.com/deck?v=1&page=2", "http://example.org/a_b#c")

# The <!date^...> token the views make for times and dates.
_DATE_TOKEN = re.compile(
    r"!date\^\d+\^(\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC"
    r"|\{date_long_pretty\}\|\d{4}-\d\d-\d\d)"
)


def as_json(result: Any) -> Any:
    """A view's result as JSON: Block objects as their dicts."""
    if isinstance(result, Block):
        return result.to_dict()
    if isinstance(result, list):
        return [as_json(item) for item in result]
    return result


def mrkdwn_texts(result: Any, *, returned: bool = True) -> Iterator[str]:
    """Every string Slack reads as mrkdwn: text objects, message text, returned strings."""
    if isinstance(result, str):
        if returned:  # a string a view returns, or a list of them (lines); not e.g. a channel
            yield result
    elif isinstance(result, list):
        for item in result:
            yield from mrkdwn_texts(item, returned=returned)
    elif isinstance(result, Mapping):
        text = result.get("text")
        if isinstance(text, str) and result.get("type") in (None, "mrkdwn"):
            yield text
        for value in result.values():
            yield from mrkdwn_texts(value, returned=False)


def foreign_tokens(
    text: str,
    users: Sequence[str] = USERS,
    channels: Sequence[str] = CHANNELS,
    safe_links: Sequence[str] = SAFE_LINKS,
) -> list[str]:
    """The <...> tokens in `text` that the bot did not make from these ids and links."""
    found = []
    for match in re.finditer(r"<([^>]*)>?", text):
        body = match.group(1)
        if body.startswith("@") and body[1:] in users:
            continue
        if body.startswith("#") and body[1:] in channels:
            continue
        if _DATE_TOKEN.fullmatch(body):
            continue
        url = body.split("|", 1)[0].replace("&amp;", "&")
        if url in safe_links:
            continue
        found.append(match.group(0))
    return found
