"""Routes of the browser client: the page, its JSON API, live updates and file downloads.

The page never builds a Slack payload itself: every click goes through sandbox.deliver's
Deliverer (the same signed, Slack-shaped deliveries the e2e tests send), so what a person
does in the page is exactly what Slack would send the bot.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from sandbox.clock import MovableClock
from sandbox.deliver import Deliverer, Delivery
from sandbox.server import SandboxServer

STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {
    "app.js": "text/javascript",
    "style.css": "text/css",
    "blocks.js": "text/javascript",
}
KEEPALIVE_SECONDS = 15.0
DAY = timedelta(days=1)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Clockwork(Protocol):
    """What the bot side lends the page's clock control."""

    def next_due(self) -> datetime | None:
        """The earliest instant the bot has work pending for, or None."""

    def moved(self) -> None:
        """The clock moved: send whatever is now due."""


@dataclass(frozen=True)
class CommandHint:
    """One line of the composer's hint list."""

    usage: str
    description: str


class BadRequest(Exception):
    """The page sent something the API cannot act on; the message says what."""


class ChangeFeed:
    """A version number that grows on every change, and a way to wait for the next one.

    Only touched from the server's event loop.
    """

    def __init__(self) -> None:
        self.version = 0
        self._waiters: set[asyncio.Future[int]] = set()

    def bump(self) -> None:
        """Something changed: wake everyone waiting."""
        self.version += 1
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(self.version)
        self._waiters.clear()

    async def wait_past(self, seen: int, timeout: float) -> int:
        """The version once it is past `seen`, or `seen` after `timeout` seconds."""
        if self.version > seen:
            return self.version
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return seen
        finally:
            self._waiters.discard(waiter)


class BrowserClient:
    """Serves the local workspace page under /local/ on the sandbox server."""

    def __init__(
        self,
        server: SandboxServer,
        deliverer: Deliverer,
        *,
        clock: MovableClock,
        clockwork: Clockwork,
        hints: tuple[CommandHint, ...] = (),
        message_shortcut: str = "",
        global_shortcut: str = "",
    ) -> None:
        self.server = server
        self.deliverer = deliverer
        self.clock = clock
        self.clockwork = clockwork
        self.hints = hints
        self.message_shortcut = message_shortcut
        self.global_shortcut = global_shortcut
        self.feed = ChangeFeed()
        server.watch(self.feed.bump)
        server.extend(self.install)

    @property
    def url(self) -> str:
        """Where a person opens the page (after the server started)."""
        return f"{self.server.base_url}/local/"

    def install(self, app: web.Application) -> None:
        """Add the page's routes to the sandbox's aiohttp app."""
        app.router.add_get("/local", self._redirect)
        app.router.add_get("/local/", self._page)
        app.router.add_get("/local/static/{name}", self._static)
        app.router.add_get("/local/files/{file_id}", self._file)
        app.router.add_get("/local/api/workspace", self._workspace)
        app.router.add_get("/local/api/state", self._state)
        app.router.add_get("/local/api/events", self._events)
        posts: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
            "send": self._send,
            "action": self._action,
            "submit": self._submit,
            "close": self._close,
            "shortcut": self._shortcut,
            "home": self._home,
            "clock": self._move_clock,
        }
        for name, handler in posts.items():
            app.router.add_post(f"/local/api/{name}", self._json_endpoint(handler))

    # pages and files --------------------------------------------------------------------------

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/local/")

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.FileResponse(
            STATIC_DIR / name,
            headers={"Content-Type": STATIC_FILES[name], "Cache-Control": "no-cache"},
        )

    async def _file(self, request: web.Request) -> web.StreamResponse:
        upload = self.server.state.upload(request.match_info["file_id"])
        if upload is None or upload.data is None:
            raise web.HTTPNotFound(text="no such file")
        name = upload.filename.replace('"', "")
        return web.Response(
            body=upload.data,
            headers={
                "Content-Type": "text/csv" if name.endswith(".csv") else "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{name}"',
            },
        )

    # reads ------------------------------------------------------------------------------------

    async def _workspace(self, request: web.Request) -> web.StreamResponse:
        ws = self.server.workspace
        at = self.clock()
        users = {
            u.id: {
                "id": u.id,
                "name": u.name,
                "real_name": u.real_name,
                "display_name": u.display_name,
                "tz": u.tz,
                "title": u.title,
                "is_bot": u.is_bot,
                "deleted": u.deleted,
                "tz_label": u.to_api(ws, at)["tz_label"],
            }
            for u in ws.users
        }
        return web.json_response(
            {
                "team": {"id": ws.team_id, "name": ws.team_name},
                "bot": {"id": ws.bot_user_id, "name": ws.bot.real_name},
                "lead_id": ws.lead_id,
                "people": [u.id for u in ws.people],
                "users": users,
                "channels": [
                    {"id": c.id, "name": c.name, "members": list(c.members)}
                    for c in ws.channels
                    if not c.is_archived
                ],
                "hints": [asdict(h) for h in self.hints],
                "shortcuts": {"message": self.message_shortcut, "global": self.global_shortcut},
            }
        )

    def conversations(self, user_id: str) -> list[dict[str, Any]]:
        """The conversations a person sees in the sidebar: the bot's DM and shared channels."""
        ws = self.server.workspace
        shown = [{"id": ws.dm_id(user_id), "name": ws.bot.real_name, "kind": "im"}]
        shown += [
            {"id": c.id, "name": c.name, "kind": "channel"}
            for c in ws.channels
            if user_id in c.members and ws.bot_user_id in c.members and not c.is_archived
        ]
        return shown

    async def _state(self, request: web.Request) -> web.StreamResponse:
        user_id = request.query.get("user", "")
        if self.server.workspace.user(user_id) is None:
            return web.json_response({"ok": False, "error": "unknown user"}, status=400)
        state = self.server.state
        conversations = self.conversations(user_id)
        with state.lock:
            version = self.feed.version
            messages = {c["id"]: state.messages(c["id"]) for c in conversations}
            ephemerals = [
                {"channel": e.channel, "message": e.message}
                for e in state.ephemerals()
                if e.user == user_id
            ]
            modals = state.views.modal_stack(user_id)
            home = state.views.home_view(user_id)
        return web.json_response(
            {
                "ok": True,
                "version": version,
                "now": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
                "clock_offset_seconds": self.clock.offset,
                "conversations": conversations,
                "messages": messages,
                "ephemerals": ephemerals,
                "modals": modals,
                "home": home,
            }
        )

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        seen = -1
        try:
            while True:
                version = await self.feed.wait_past(seen, KEEPALIVE_SECONDS)
                if version == seen:
                    await response.write(b": keep-alive\n\n")
                    continue
                seen = version
                await response.write(f"data: {version}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    # actions ----------------------------------------------------------------------------------

    def _json_endpoint(
        self, handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> Handler:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            try:
                body = await request.json()
            except json.JSONDecodeError:
                return web.json_response({"ok": False, "error": "invalid JSON"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"ok": False, "error": "expected an object"}, status=400)
            try:
                answer = await handler(body)
            except (BadRequest, ValueError) as error:
                return web.json_response({"ok": False, "error": str(error)}, status=400)
            finally:
                self.feed.bump()  # acks applied on a worker thread changed the state too
            return web.json_response(answer)

        return endpoint

    def _person(self, body: dict[str, Any]) -> str:
        user = self.server.workspace.user(str(body.get("user", "")))
        if user is None or user.is_bot or user.deleted:
            raise BadRequest("pick a person who can act in this workspace")
        return user.id

    async def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        channel = str(body.get("channel") or self.server.workspace.dm_id(user_id))
        text = str(body.get("text", "")).strip()
        if not text:
            raise BadRequest("type a message or a command")
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            if command != "/delegate":
                raise BadRequest(f"{command} is not a command in this workspace; try /delegate")
            delivery = await asyncio.to_thread(
                self.deliverer.slash_command, user_id, rest.strip(), command, channel
            )
        else:
            delivery = await asyncio.to_thread(self.deliverer.user_message, user_id, text, channel)
        return _answer(delivery)

    async def _action(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        action_id = str(body.get("action_id", ""))
        block_id = body.get("block_id")
        value = body.get("value")
        view_id = body.get("view_id")
        if view_id:
            delivery = await asyncio.to_thread(
                self.deliverer.block_action,
                user_id,
                action_id,
                value,
                view=str(view_id),
                block_id=block_id,
                values=body.get("values") or None,
            )
        else:
            channel = str(body.get("channel", ""))
            ts = None if body.get("ephemeral") else body.get("message_ts")
            delivery = await asyncio.to_thread(
                self.deliverer.block_action,
                user_id,
                action_id,
                value,
                message=str(ts) if ts else None,
                channel_id=channel,
                block_id=block_id,
            )
        return _answer(delivery)

    async def _submit(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        delivery = await asyncio.to_thread(
            self.deliverer.view_submission,
            user_id,
            str(body.get("view_id", "")),
            body.get("values") or {},
        )
        return _answer(delivery)

    async def _close(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        view = self.server.view(str(body.get("view_id", "")))
        if view is None:
            raise BadRequest("that dialog is already closed")
        if view.get("notify_on_close"):
            delivery = await asyncio.to_thread(self.deliverer.view_closed, user_id, view["id"])
            return _answer(delivery)
        self.server.state.views.close_modal(user_id, clear=False)
        return {"ok": True}

    async def _shortcut(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        if body.get("message_ts"):
            delivery = await asyncio.to_thread(
                self.deliverer.message_shortcut,
                user_id,
                self.message_shortcut,
                str(body["message_ts"]),
                str(body.get("channel") or "") or None,
            )
        else:
            delivery = await asyncio.to_thread(
                self.deliverer.global_shortcut, user_id, self.global_shortcut
            )
        return _answer(delivery)

    async def _home(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._person(body)
        delivery = await asyncio.to_thread(self.deliverer.app_home_opened, user_id)
        return _answer(delivery)

    async def _move_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        move = body.get("move")
        if move == "day":
            self.clock.advance(DAY.total_seconds())
            message = "Moved one day ahead."
        elif move == "next":
            due = await asyncio.to_thread(self.clockwork.next_due)
            if due is None:
                return {"ok": False, "error": "Nothing is scheduled: the bot has no pending work."}
            moved = self.clock.advance_to(due)
            message = "Moved to the next thing due." if moved else "Something is due now."
        else:
            raise BadRequest('move must be "next" or "day"')
        await asyncio.to_thread(self.clockwork.moved)
        now = datetime.fromtimestamp(self.clock(), UTC)
        return {"ok": True, "now": now.isoformat(), "message": message}


def _answer(delivery: Delivery) -> dict[str, Any]:
    """What the page needs from a delivery: did the bot take it, and any inline errors."""
    ack = delivery.ack or {}
    errors = ack.get("errors") if ack.get("response_action") == "errors" else None
    answer: dict[str, Any] = {"ok": delivery.ok, "status": delivery.status}
    if errors:
        answer["errors"] = errors
    if not delivery.ok:
        answer["error"] = f"the bot answered {delivery.status}"
    return answer
