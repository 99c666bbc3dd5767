"""Which message events the bot answers with help: a person typing in its DM, nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.messages import typed_by_a_person_in_a_dm

TYPED: dict[str, Any] = {
    "type": "message",
    "user": "U0SBLEAD1",
    "text": "hi",
    "ts": "1.000001",
    "channel": "D0SBLEAD1",
    "channel_type": "im",
}


def test_a_person_typing_in_the_dm_is_answered() -> None:
    assert typed_by_a_person_in_a_dm(TYPED)
    assert typed_by_a_person_in_a_dm(TYPED | {"thread_ts": "1.000000"})


@pytest.mark.parametrize(
    "change",
    [
        {"channel_type": "channel", "channel": "C0SBGEN01"},
        {"channel_type": "mpim", "channel": "G0SBGRP01"},
        {"bot_id": "B0SBBOT01"},
        {"bot_profile": {"id": "B0SBBOT01"}},
        {"subtype": "message_changed"},
        {"subtype": "bot_message"},
        {"subtype": "file_share"},
        {"user": None},
        {"user": "not a user"},
        {"channel": ["D0SBLEAD1"]},
        {"channel": "#general"},
    ],
)
def test_anything_else_is_not(change: dict[str, Any]) -> None:
    assert not typed_by_a_person_in_a_dm(TYPED | change)
