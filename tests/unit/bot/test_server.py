"""The ASGI layer on its own: routing, health and body limits, without a network."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, MutableMapping
from typing import Any

from slack_bolt import App

from bot.server import MAX_BODY_BYTES, SlackASGI


def _bolt() -> App:
    return App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)


def _request(
    asgi: SlackASGI, method: str, path: str, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    sent: list[MutableMapping[str, Any]] = []
    chunks = [body]

    async def receive() -> dict[str, Any]:
        return {
            "type": "http.request",
            "body": chunks.pop(0) if chunks else b"",
            "more_body": False,
        }

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
    asyncio.run(asgi(scope, receive, send))
    start, payload = sent
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, payload["body"]


def _asgi(reachable: Callable[[], bool], **options: Any) -> SlackASGI:
    if options.get("serve_events", True):
        options.setdefault("signing_secret", "secret")
    return SlackASGI(_bolt(), database_is_reachable=reachable, threads=2, **options)


def test_health_is_200_when_the_database_answers() -> None:
    status, headers, body = _request(_asgi(lambda: True), "GET", "/healthz")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"ok": True, "database": "ok"}


def test_health_is_503_when_the_database_does_not() -> None:
    status, _, body = _request(_asgi(lambda: False), "GET", "/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "unreachable"


def test_socket_mode_health_reports_the_connection_to_slack() -> None:
    connected = [True]
    asgi = _asgi(lambda: True, serve_events=False, slack_is_connected=lambda: connected[0])
    status, _, body = _request(asgi, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True, "database": "ok", "slack": "connected"})
    connected[0] = False
    status, _, body = _request(asgi, "GET", "/healthz")
    assert status == 503
    assert json.loads(body) == {"ok": False, "database": "ok", "slack": "disconnected"}


def test_unsigned_post_is_refused() -> None:
    status, _, _ = _request(_asgi(lambda: True), "POST", "/slack/events", b"command=%2Fdelegate")
    assert status == 401


def test_socket_mode_serves_no_events_route() -> None:
    status, _, _ = _request(_asgi(lambda: True, serve_events=False), "POST", "/slack/events", b"x")
    assert status == 404


def test_oversized_body_is_refused() -> None:
    status, _, _ = _request(
        _asgi(lambda: True), "POST", "/slack/events", b"x" * (MAX_BODY_BYTES + 1)
    )
    assert status == 413


def test_unknown_path_is_404() -> None:
    assert _request(_asgi(lambda: True), "GET", "/nope")[0] == 404


def test_lifespan_runs_start_and_stop_hooks() -> None:
    events: list[str] = []
    asgi = _asgi(
        lambda: True,
        on_startup=lambda: events.append("start"),
        on_shutdown=lambda: events.append("stop"),
    )
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    asyncio.run(asgi({"type": "lifespan"}, receive, send))
    assert events == ["start", "stop"]
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_failed_startup_is_reported_to_the_server() -> None:
    def explode() -> None:
        raise RuntimeError("socket refused")

    asgi = _asgi(lambda: True, on_startup=explode)
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asgi({"type": "lifespan"}, receive, send))
    assert sent == [{"type": "lifespan.startup.failed", "message": "socket refused"}]
