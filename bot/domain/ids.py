"""Strict reading of the numeric ids that buttons and private_metadata carry.

Slack hands these back as we wrote them, but a signed request can still carry anything
(a stale or hand-made payload), so they are read strictly: ASCII digits only (str.isdigit()
also takes "²" and other scripts' digits, which int() then rejects or reads), and within the
database's 64-bit range. Anything else is "no such id", never an exception.
"""

from __future__ import annotations

import json
from typing import Any

MAX_ID = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
_MAX_DIGITS = len(str(MAX_ID))
# private_metadata is at most 3,000 characters in Slack; more is not ours.
MAX_METADATA_CHARS = 3000


def parse_id(value: object) -> int | None:
    """A database id from a str of ASCII digits or a JSON int, 1..2**63-1; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS):
            return None
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def metadata_of(private_metadata: object) -> dict[str, Any]:
    """A modal's private_metadata as a dict; anything that is not a JSON object is {}."""
    if not isinstance(private_metadata, str) or len(private_metadata) > MAX_METADATA_CHARS:
        return {}
    try:
        data = json.loads(private_metadata or "{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def metadata_id(private_metadata: object, key: str) -> int | None:
    """The id stored under `key` in a modal's private_metadata (a JSON int, as we write it)."""
    value = metadata_of(private_metadata).get(key)
    return parse_id(value) if isinstance(value, int) else None
