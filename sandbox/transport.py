"""How deliveries travel: signed HTTP posts to the app, or Socket Mode envelopes."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.signature import SignatureVerifier

from sandbox.server import SandboxServer

Via = Literal["http", "socket"]
EnvelopeType = Literal["slash_commands", "interactive", "events_api"]

# Slack gives up on the app after three seconds.
ACK_TIMEOUT = 3.0
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


@dataclass(frozen=True)
class Outgoing:
    """A payload about to be delivered, with what the test will want to know about it."""

    type: EnvelopeType
    payload: dict[str, Any]
    trigger_id: str | None = None
    response_url: str | None = None
    event_id: str | None = None
    retry_num: int | None = None
    retry_reason: str | None = None


@dataclass(frozen=True)
class Delivery:
    """What was delivered and how the app answered."""

    type: EnvelopeType
    via: Via
    payload: dict[str, Any]
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    ack: dict[str, Any] | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    event_id: str | None = None
    envelope_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when the app acknowledged (HTTP 200, or an ack over the socket)."""
        return self.status == 200


class Transport:
    """Sends Outgoing payloads to the app over HTTP (signed) or the server's Socket Mode."""

    def __init__(self, server: SandboxServer, request_url: str | None, timeout: float) -> None:
        if request_url is not None and not request_url.startswith(("http://", "https://")):
            raise ValueError(f"request_url must be an http(s) URL, not {request_url!r}")
        self.server = server
        self.request_url = request_url
        self.timeout = timeout
        self._verifier = SignatureVerifier(server.signing_secret)

    def over_http(
        self, outgoing: Outgoing, *, timestamp: int | None, signature: str | None
    ) -> Delivery:
        """POST as Slack does: signed, form-encoded or JSON by kind, retry headers on retries."""
        if self.request_url is None:
            raise ValueError("HTTP delivery needs the app's request_url")
        if outgoing.type == "slash_commands":
            body = urllib.parse.urlencode(outgoing.payload)
            content_type = "application/x-www-form-urlencoded"
        elif outgoing.type == "interactive":
            body = urllib.parse.urlencode({"payload": json.dumps(outgoing.payload)})
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(outgoing.payload)
            content_type = "application/json"
        stamp = str(timestamp if timestamp is not None else self.server.state.now())
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature
            or str(self._verifier.generate_signature(timestamp=stamp, body=body)),
        }
        if outgoing.retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(outgoing.retry_num)
            headers["X-Slack-Retry-Reason"] = outgoing.retry_reason or "http_timeout"
        # The URL is the app's own endpoint, checked to be http(s) in __init__.
        request = urllib.request.Request(  # noqa: S310
            self.request_url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = int(response.status)
                text = response.read().decode("utf-8", "replace")
                answer_headers = dict(response.headers.items())
        except urllib.error.HTTPError as e:
            status = e.code
            text = e.read().decode("utf-8", "replace")
            answer_headers = dict(e.headers.items())
        return Delivery(
            outgoing.type,
            "http",
            outgoing.payload,
            status,
            text,
            answer_headers,
            _ack_body(text) if status == 200 else None,
            outgoing.trigger_id,
            outgoing.response_url,
            outgoing.event_id,
        )

    def over_socket(self, outgoing: Outgoing) -> Delivery:
        """Send a Socket Mode envelope and wait for the app's ack (TimeoutError without one)."""
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": outgoing.type,
            "payload": outgoing.payload,
            "accepts_response_payload": _accepts_response_payload(outgoing),
        }
        if outgoing.type == "events_api":
            envelope["retry_attempt"] = outgoing.retry_num or 0
            envelope["retry_reason"] = outgoing.retry_reason or ""
        ack_message = self.server.send_envelope(envelope, self.timeout)
        ack = ack_message.get("payload")
        ack_payload = ack if isinstance(ack, dict) else None
        return Delivery(
            outgoing.type,
            "socket",
            outgoing.payload,
            200,
            json.dumps(ack_payload) if ack_payload else "",
            {},
            ack_payload,
            outgoing.trigger_id,
            outgoing.response_url,
            outgoing.event_id,
            str(envelope["envelope_id"]),
        )


def _accepts_response_payload(outgoing: Outgoing) -> bool:
    # Only answers Slack acts on are accepted: command messages, submission actions, options.
    if outgoing.type == "slash_commands":
        return True
    kind: Mapping[str, Any] = outgoing.payload
    return outgoing.type == "interactive" and kind.get("type") in (
        "view_submission",
        "block_suggestion",
    )


def _ack_body(text: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"text": text}
