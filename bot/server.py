"""HTTP mode: a small ASGI app served by uvicorn (POST /slack/events, GET /healthz).

Bolt's sync App blocks, so each request is dispatched on a worker thread; the event
loop stays free to accept connections while listeners call Slack.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd.

logger = logging.getLogger(__name__)


class SlackASGI:
    """Routes Slack's requests to Bolt and answers health checks."""

    def __init__(
        self,
        bolt: App,
        *,
        database_is_reachable: Callable[[], bool],
        on_startup: Callable[[], None] = lambda: None,
        on_shutdown: Callable[[], None] = lambda: None,
        threads: int = 16,
        serve_events: bool = True,
    ) -> None:
        self._bolt = bolt
        # In Socket Mode requests are not signed, so /slack/events must not exist at all.
        self._serve_events = serve_events
        self._database_is_reachable = database_is_reachable
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
                await _respond(send, 413, b"payload too large", "text/plain")
                return
            request = BoltRequest(
                body=body.decode("utf-8", errors="replace"),
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=_headers(scope),
            )
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(self._executor, self._bolt.dispatch, request)
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

    async def _health(self, send: Send) -> None:
        loop = asyncio.get_running_loop()
        reachable = await loop.run_in_executor(self._executor, self._database_is_reachable)
        body = json.dumps({"ok": reachable, "database": "ok" if reachable else "unreachable"})
        await _respond(send, 200 if reachable else 503, body.encode(), "application/json")


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


def _headers(scope: Scope) -> dict[str, str | Sequence[str]]:
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in scope.get("headers", []):
        headers.setdefault(raw_name.decode("latin-1").lower(), []).append(
            raw_value.decode("latin-1")
        )
    return dict(headers)


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
