"""The fuzzer's own tools: signing any bytes as Slack would, and strategies without side effects."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any, cast

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.fuzz import mutate
from tests.fuzz.harness import FuzzBot

pytestmark = pytest.mark.fuzz
SECRET = "fuzz-secret"


def sign(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    """FuzzBot.sign without a bot process (it only needs the secret)."""
    holder = cast(FuzzBot, SimpleNamespace(signing_secret=SECRET.encode()))
    return FuzzBot.sign(holder, body, timestamp)


def test_signatures_match_slacks_and_cover_bytes_that_are_not_utf8() -> None:
    verifier = SignatureVerifier(SECRET)
    headers = sign(b'{"type": "x"}', "1700000000")
    expected = verifier.generate_signature(timestamp="1700000000", body=b'{"type": "x"}')
    assert headers["X-Slack-Signature"] == expected
    # slack_sdk cannot sign these (it decodes the body first); the server must still get a
    # well-formed header so that it is the body, not the header, it refuses.
    assert sign(b'{"type": "\xff\xfe"}')["X-Slack-Signature"].startswith("v0=")
    # An empty timestamp is an odd one sent on purpose: it must not become "now".
    assert sign(b"x", "")["X-Slack-Request-Timestamp"] == ""


def test_mutating_a_payload_never_changes_the_odd_values_it_drew_from() -> None:
    before = copy.deepcopy(mutate.ODD_VALUES)
    for index, value in enumerate(mutate.ODD_VALUES):
        payload: dict[str, Any] = {"a": None}
        mutate.put(payload, ("a",), value)
        for path in reversed(mutate.paths(payload)[1:]):
            mutate.drop(payload, path)
        assert mutate.ODD_VALUES[index] == before[index], index
