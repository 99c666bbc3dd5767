"""HTTP mode: a small ASGI app served by uvicorn (POST /slack/events, GET /healthz).

Bolt's sync App blocks, so each request is dispatched on a worker thread; the event
loop stays free to accept connections while listeners call Slack.

Bolt parses a body before it checks the signature, so a garbled or hostile body could raise
inside Bolt (HTTP 500 and a traceback). Here the timestamp and signature are checked on the
raw bytes first, the body is parsed defensively, and only a verified, well-formed dict
reaches Bolt. Every refusal is one WARNING line and a 400 or 401, never a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltResponse
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.request import BoltRequest
from slack_sdk.signature import Clock as SignatureClock
from slack_sdk.signature import SignatureVerifier

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd.
MAX_SKEW_SECONDS = 5 * 60  # Slack's own rule: older (or newer) requests may be replays.
# Slack's payloads nest about a dozen levels (view > blocks > elements > options > text);
# anything far deeper is not from Slack, and deep nesting is what breaks recursive code.
MAX_NESTING = 64
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS_ONLY = re.compile(r"[^\[\]{}]")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    """Why a request to /slack/events was refused, before Bolt saw it."""

    status: int
    reason: str


class _Seconds(SignatureClock):
    """slack_sdk's verifier asks a clock object for Unix seconds; this one asks ours."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SlackASGI:
    """Routes Slack's requests to Bolt and answers health checks."""

    def __init__(
        self,
        bolt: App,
        *,
        database_is_reachable: Callable[[], bool],
        signing_secret: str | None = None,
        clock: Callable[[], float] = time.time,
        on_startup: Callable[[], None] = lambda: None,
        on_shutdown: Callable[[], None] = lambda: None,
        threads: int = 16,
        serve_events: bool = True,
        slack_is_connected: Callable[[], bool] | None = None,
    ) -> None:
        if serve_events and not signing_secret:
            raise ValueError("HTTP mode needs the signing secret to verify Slack's requests")
        self._bolt = bolt
        # In Socket Mode requests are not signed, so /slack/events must not exist at all.
        self._serve_events = serve_events
        self._clock = clock
        self._verifier = (
            SignatureVerifier(signing_secret, clock=_Seconds(clock)) if signing_secret else None
        )
        self._database_is_reachable = database_is_reachable
        # Socket Mode only: without its connection the bot hears nothing from Slack, so a
        # health check that ignored it would report a deaf process as healthy.
        self._slack_is_connected = slack_is_connected
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await loop.run_in_executor(self._executor, self._on_startup)
                except Exception as error:
                    logger.exception("Start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Uvicorn has already drained in-flight requests by the time this arrives.
                await loop.run_in_executor(None, self._on_shutdown)
                self._executor.shutdown(wait=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            await self._health(send)
        elif path == EVENTS_PATH and method == "POST" and self._serve_events:
            body = await _read_body(receive)
            if body is None:
                logger.warning("Refused a request to %s: body over %d bytes", path, MAX_BODY_BYTES)
                await _respond(send, 413, b"payload too large", "text/plain")
                return
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(
                self._executor, self._handle_event, body, _headers(scope)
            )
            headers = [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, values in response.headers.items()
                for value in values
            ]
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": response.body.encode("utf-8")})
        else:
            await _respond(send, 404, b"not found", "text/plain")

    def _handle_event(self, raw: bytes, headers: dict[str, list[str]]) -> BoltResponse:
        """Verify, parse, then dispatch; a refusal is logged once and never reaches Bolt."""
        outcome = self.verify_and_parse(raw, headers)
        if isinstance(outcome, Refused):
            logger.warning("Refused a request to %s: %s", EVENTS_PATH, outcome.reason)
            return BoltResponse(status=outcome.status, body="")
        try:
            # Bolt calls a request whose body is already parsed and authenticated by its
            # transport "socket_mode" (it skips its own check and takes the dict as is).
            # That is what this is: verified above, parsed here, not again by Bolt.
            request = BoltRequest(body=outcome, headers=_bolt_headers(headers), mode="socket_mode")
            # Bolt reads the action, view, shortcut and event out of every body before each
            # middleware, listener and error handler; a body it cannot read that way would
            # raise even inside the error handler. Read it once here instead.
            build_required_kwargs(
                logger=logger,
                required_arg_names=[],
                request=request,
                response=None,
                next_keys_required=False,
            )
        except Exception as error:  # Bolt's own reading of ids chokes on some shapes
            logger.warning(
                "Refused a request to %s: Bolt cannot read it (%s)",
                EVENTS_PATH,
                type(error).__name__,
            )
            return BoltResponse(status=400, body="")
        return self._bolt.dispatch(request)

    def verify_and_parse(
        self, raw: bytes, headers: dict[str, list[str]]
    ) -> dict[str, Any] | Refused:
        """The verified body as a dict, or why it is refused (401 unverified, 400 unreadable)."""
        assert self._verifier is not None
        stamp = _first(headers, "x-slack-request-timestamp")
        signature = _first(headers, "x-slack-signature")
        if stamp is None or signature is None:
            return Refused(401, "no signature or timestamp header")
        # int() would also take " 12", "1_2" and non-ASCII digits; Slack sends plain digits.
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            return Refused(401, "the timestamp is not a number")
        if abs(self._clock() - int(stamp)) > MAX_SKEW_SECONDS:
            return Refused(401, "the timestamp is more than 5 minutes off")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Slack signs UTF-8 text; bytes that are not UTF-8 cannot carry its signature.
            return Refused(401, "the body is not UTF-8, so it cannot be signed by Slack")
        if not self._verifier.is_valid(text, stamp, signature):
            return Refused(401, "the signature does not match")
        return _parse(text, _first(headers, "content-type") or "")

    async def _health(self, send: Send) -> None:
        loop = asyncio.get_running_loop()
        reachable = await loop.run_in_executor(self._executor, self._database_is_reachable)
        report: dict[str, object] = {"database": "ok" if reachable else "unreachable"}
        healthy = reachable
        if self._slack_is_connected is not None:
            connected = self._slack_is_connected()
            report["slack"] = "connected" if connected else "disconnected"
            healthy = healthy and connected
        body = json.dumps({"ok": healthy} | report)
        await _respond(send, 200 if healthy else 503, body.encode(), "application/json")


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in scope.get("headers", []):
        headers.setdefault(raw_name.decode("latin-1").lower(), []).append(
            raw_value.decode("latin-1")
        )
    return headers


def _bolt_headers(headers: dict[str, list[str]]) -> dict[str, str | Sequence[str]]:
    return {name: values for name, values in headers.items()}


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _parse(text: str, content_type: str) -> dict[str, Any] | Refused:
    """Slack's three body shapes: JSON (events), a form (commands), a form with `payload`."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_TYPE:
        return _json_object(text, "the JSON body")
    if media != FORM_TYPE:
        return Refused(400, f"content type {media[:40]!r} is not JSON or a form")
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return Refused(400, "the form body is not well formed")
    form: dict[str, str] = {}
    for name, value in fields:
        if name in form:
            return Refused(400, f"the form repeats the field {name[:40]!r}")
        form[name] = value
    if "payload" in form:
        if len(form) != 1:
            return Refused(400, "an interaction form carries more than its payload")
        return _json_object(form["payload"], "the interaction payload")
    return dict(form)


def _json_object(text: str, what: str) -> dict[str, Any] | Refused:
    # The nesting is bounded before parsing: the parser itself recurses.
    if _nesting(text) > MAX_NESTING:
        return Refused(400, f"{what} nests deeper than {MAX_NESTING} levels")
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return Refused(400, f"{what} is not valid JSON")
    if not isinstance(parsed, dict):
        return Refused(400, f"{what} is not a JSON object")
    return parsed


def _nesting(text: str) -> int:
    """The deepest bracket nesting outside strings (an upper bound for valid JSON)."""
    brackets = _BRACKETS_ONLY.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
