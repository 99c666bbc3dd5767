"""Socket Mode on the sandbox side: the app's WebSocket connections and the acks it owes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import WSMsgType, web


class NoSocketConnection(RuntimeError):
    """No app is connected over Socket Mode to receive an envelope."""


class SocketHub:
    """Connections from the app, and the acks it owes; lives on the server's event loop."""

    def __init__(self, app_id: str, host_name: str = "sandbox-applink-1") -> None:
        self.app_id = app_id
        self.host_name = host_name
        self._connections: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()
        self.acks: list[dict[str, Any]] = []

    @property
    def connection_count(self) -> int:
        """How many app connections are open."""
        return len(self._connections)

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._connections) + 1,
            "debug_info": {
                "host": self.host_name,
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    async def serve(self, ws: web.WebSocketResponse) -> None:
        """Greet a freshly upgraded connection, then read acks until it closes."""
        # hello goes out before the connection can carry envelopes, as with Slack.
        await ws.send_json(self._hello())
        self._connections.append(ws)
        self._connected.set()
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            if ws in self._connections:
                self._connections.remove(ws)
            if not self._connections:
                self._connected.clear()

    def _receive(self, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            return
        if not isinstance(message, dict):
            return
        self.acks.append(message)
        future = self._pending.pop(str(message.get("envelope_id")), None)
        if future is not None and not future.done():
            future.set_result(message)

    async def wait_connected(self, timeout: float) -> bool:
        """True once at least one app connection is open (False after `timeout`)."""
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def deliver(self, envelope: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send an envelope on the newest connection and wait for its ack message."""
        if not await self.wait_connected(timeout):
            raise NoSocketConnection("no app is connected over Socket Mode")
        ws = self._connections[-1]
        envelope_id = str(envelope["envelope_id"])
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        try:
            await ws.send_str(json.dumps(envelope))
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(envelope_id, None)

    async def disconnect_all(self, reason: str) -> None:
        """Ask every app connection to reconnect, as Slack does before it recycles a host."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": self.host_name}}
        for ws in list(self._connections):
            await ws.send_json(message)

    async def close_all(self) -> None:
        """Close every connection (server shutdown)."""
        await asyncio.gather(*(ws.close() for ws in list(self._connections)))
