"""Bodies that are not from Slack, or not well formed, never reach Bolt's parser.

Each is refused with 400 or 401 and exactly one WARNING line; never a 500 or a traceback.
On main, Bolt parsed first, so garbled bodies raised (500 and a traceback).
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections.abc import MutableMapping
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier

from bot.server import MAX_BODY_BYTES, SlackASGI

SECRET = "edge-secret"
NOW = 1_770_000_000
FORM = "application/x-www-form-urlencoded"
COMMAND = urllib.parse.urlencode(
    {
        "command": "/delegate",
        "text": "payload review",  # "payload" in a command's text is still a command
        "team_id": "T0SANDBOX",
        "user_id": "U0SBLENA1",
        "trigger_id": "1.2.abc",
        "response_url": "https://example.invalid/r",
    }
).encode()


def _bolt(seen: list[dict[str, Any]]) -> App:
    app = App(
        signing_secret=SECRET,
        # No auth.test: this app never calls Slack.
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T0SANDBOX"),
        process_before_response=True,
    )

    @app.command("/delegate")
    def command(ack: Ack, body: dict[str, Any]) -> None:
        seen.append(body)
        ack()

    return app


def _signed(body: bytes, stamp: str = str(NOW)) -> list[tuple[bytes, bytes]]:
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body.decode())
    return [
        (b"x-slack-request-timestamp", stamp.encode()),
        (b"x-slack-signature", str(signature).encode()),
    ]


def post(
    body: bytes, headers: list[tuple[bytes, bytes]], content_type: str = FORM
) -> tuple[int, list[dict[str, Any]]]:
    """POST /slack/events to a fresh server whose clock says NOW; (status, bodies Bolt saw)."""
    seen: list[dict[str, Any]] = []
    asgi = SlackASGI(
        _bolt(seen),
        database_is_reachable=lambda: True,
        signing_secret=SECRET,
        clock=lambda: float(NOW),
        threads=1,
    )
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/slack/events",
        "headers": [(b"content-type", content_type.encode()), *headers],
        "query_string": b"",
    }
    asyncio.run(asgi(scope, receive, send))
    return int(sent[0]["status"]), seen


def _one_warning(caplog: pytest.LogCaptureFixture) -> str:
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in warnings] == ["WARNING"], [r.getMessage() for r in warnings]
    assert not any(r.exc_info for r in caplog.records)
    message = warnings[0].getMessage()
    assert "\n" not in message and SECRET not in message
    return message


def test_a_signed_command_reaches_bolt_even_with_payload_in_its_text() -> None:
    status, seen = post(COMMAND, _signed(COMMAND))
    assert status == 200
    assert [b["text"] for b in seen] == ["payload review"]


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("unsigned", []),
        (
            "bad signature",
            [
                (b"x-slack-request-timestamp", str(NOW).encode()),
                (b"x-slack-signature", b"v0=" + b"0" * 64),
            ],
        ),
        ("signature without timestamp", _signed(COMMAND)[1:]),
        ("stale timestamp", _signed(COMMAND, str(NOW - 301))),
        ("future timestamp", _signed(COMMAND, str(NOW + 301))),
        ("non-numeric timestamp", _signed(COMMAND, "soon")),
        ("superscript timestamp", _signed(COMMAND, "²")),
        ("spaced timestamp", _signed(COMMAND, f" {NOW}")),
        ("underscored timestamp", _signed(COMMAND, f"{NOW // 1000}_{NOW % 1000:03d}")),
        ("huge timestamp", _signed(COMMAND, "9" * 400)),
    ],
)
def test_unverified_requests_are_401_with_one_warning(
    name: str, headers: list[tuple[bytes, bytes]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        status, seen = post(COMMAND, headers)
    assert (status, seen) == (401, [])
    assert "Refused" in _one_warning(caplog)


def test_a_body_that_is_not_utf8_is_401(caplog: pytest.LogCaptureFixture) -> None:
    body = b"command=%2Fdelegate&text=\xff\xfe"
    stamp = str(NOW).encode()
    with caplog.at_level(logging.INFO):
        status, _ = post(
            body, [(b"x-slack-request-timestamp", stamp), (b"x-slack-signature", b"v0=00")]
        )
    assert status == 401
    assert "UTF-8" in _one_warning(caplog)


def _payload(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


NESTED = b"[" * 100_000
BAD_BODIES = [
    ("invalid JSON", b'{"type": "event_callback", ', "application/json"),
    ("payload junk", b"payload=%7Bnot+json", FORM),
    ("payload not an object", b"payload=%5B1%2C2%5D", FORM),
    ("payload with extra fields", b"payload=%7B%7D&x=1", FORM),
    ("deeply nested JSON", NESTED, "application/json"),
    ("deeply nested payload", b"payload=" + b"%5B" * 50_000, FORM),
    ("JSON list", b"[1, 2]", "application/json"),
    ("broken form", b"a", FORM),
    ("repeated form field", b"command=%2Fdelegate&command=%2Fother", FORM),
    ("wrong content type", b"command=%2Fdelegate", "text/plain"),
    ("no content type", b"command=%2Fdelegate", ""),
    ("actions Bolt cannot read", _payload({"type": "block_actions", "actions": []}), FORM),
    (
        "a view Bolt cannot read",
        _payload({"type": "view_submission", "view": {"callback_id": "x"}}),
        FORM,
    ),
    (
        "a team Bolt cannot read",
        json.dumps({"type": "event_callback", "team": 5}).encode(),
        "application/json",
    ),
]


@pytest.mark.parametrize(("name", "body", "content_type"), BAD_BODIES)
def test_signed_but_unreadable_bodies_are_400_with_one_warning(
    name: str, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        status, seen = post(body, _signed(body), content_type)
    assert (status, seen) == (400, [])
    assert "Refused" in _one_warning(caplog)


def test_unsigned_garbage_is_401_before_it_is_parsed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        status, _ = post(NESTED, [], "application/json")
    assert status == 401
    assert "signature" in _one_warning(caplog)


def test_an_oversized_body_is_413_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    with caplog.at_level(logging.INFO):
        status, _ = post(body, _signed(body))
    assert status == 413
    _one_warning(caplog)


def test_http_mode_cannot_be_served_without_the_signing_secret() -> None:
    with pytest.raises(ValueError, match="signing secret"):
        SlackASGI(_bolt([]), database_is_reachable=lambda: True, threads=1)
