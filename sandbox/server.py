"""The sandbox HTTP server: Web API, uploads, response URLs and Socket Mode, on its own thread."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox import oracle
from sandbox.faults import DROPPED, Fault, FaultKind, Faults
from sandbox.records import Call, CallLog, Violation
from sandbox.responses import message_problems, respond
from sandbox.socket_hub import SocketHub
from sandbox.state import Ephemeral, SandboxState, SlackError
from sandbox.webapi import WebApi, decode_form
from sandbox.workspace import Workspace

Clock = Callable[[], float]
_START_TIMEOUT = 10.0
_SHUTDOWN_GRACE = 2.0


class SandboxServer:
    """A fake Slack: serves the Web API subset the bot uses and records every call.

    Runs an aiohttp server on a background thread with its own event loop. Use it as a context
    manager, or call start() and stop().
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        bot_token: str | None = None,
        app_token: str | None = None,
        signing_secret: str | None = None,
        validate: bool = True,
    ) -> None:
        workspace = workspace or Workspace()
        self.workspace = dataclasses.replace(
            workspace,
            bot_token=bot_token or workspace.bot_token,
            app_token=app_token or workspace.app_token,
            signing_secret=signing_secret or workspace.signing_secret,
        )
        self.host = host
        self.clock = clock
        self.validate = validate
        self.state = SandboxState(self.workspace, clock, wall_clock)
        self.api = WebApi(self.state)
        self.faults = Faults()
        self.log = CallLog()
        self._requested_port = port
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._hub: SocketHub | None = None
        self._extensions: list[Callable[[web.Application], None]] = []
        self._watchers: list[Callable[[], None]] = []

    # lifecycle ------------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Start serving on a background thread; returns once the port is bound."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []
        thread = threading.Thread(
            target=self._run, args=(ready, failure), name="slack-sandbox", daemon=True
        )
        thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("the Slack sandbox did not start in time")
        if failure:
            thread.join(_START_TIMEOUT)
            raise failure[0]
        self._thread = thread
        return self

    def stop(self) -> None:
        """Close connections, stop serving and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(_START_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_START_TIMEOUT)
        self._thread = None
        self._loop = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def extend(self, setup: Callable[[web.Application], None]) -> None:
        """Add routes (e.g. the browser client) to the app; call before start()."""
        if self._thread is not None:
            raise RuntimeError("extend the sandbox before starting it")
        self._extensions.append(setup)

    def watch(self, callback: Callable[[], None]) -> None:
        """Call `callback` on the server's loop after every recorded call (something changed)."""
        self._watchers.append(callback)

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as e:  # surfaced to start() in the caller's thread
            failure.append(e)
            ready.set()
            loop.close()
            return
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _startup(self) -> None:
        self._hub = SocketHub(self.workspace.app_id)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post(r"/{kind:commands|actions}/{team}/{n}/{secret}", self._handle_response)
        app.router.add_get("/link/", self._handle_link)
        app.router.add_get("/", self._handle_root)
        for setup in self._extensions:
            setup(app)
        # Open Socket Mode connections and slow faults must not hold shutdown for a minute.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_GRACE)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        self.state.base_url = f"http://{self.host}:{self._port}"

    async def _shutdown(self) -> None:
        if self._hub is not None:
            await self._hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # addresses --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """http://host:port of this server."""
        self.port  # noqa: B018 - fails clearly before start
        return self.state.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL to give slack_sdk's WebClient as base_url (ends with /api/)."""
        return f"{self.base_url}/api/"

    # records ----------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call so far, oldest first."""
        return self.log.calls

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one method (e.g. "views.open", "response_url", "upload"), oldest first."""
        return self.log.calls_to(method)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until the app has made `count` calls to `method`; returns them all."""
        return self.log.wait_for(method, count, timeout)

    @property
    def violations(self) -> list[Violation]:
        """Calls and answers real Slack would have refused."""
        return self.log.violations

    def record_violation(self, source: str, problems: list[str], params: dict[str, Any]) -> None:
        """Record something the app sent outside the Web API that Slack would refuse."""
        self.log.add_violation(Violation(source, tuple(problems), params, self.clock()))

    # workspace views for tests ----------------------------------------------------------------

    @property
    def signing_secret(self) -> str:
        """The secret deliveries are signed with."""
        return self.workspace.signing_secret

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a conversation (C/G/D id, or a user id for the bot's DM), oldest first."""
        if channel[:1] in ("U", "W"):
            channel = self.workspace.dm_id(channel)
        return self.state.messages(channel)

    def ephemerals(self, user_id: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages, optionally only those one user saw."""
        return [e for e in self.state.ephemerals() if user_id is None or e.user == user_id]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view as Slack stores it, or None."""
        return self.state.views.get(view_id)

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for a user, or None."""
        return self.state.views.home_view(user_id)

    def modal_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The modals a user has open, root first."""
        return self.state.views.modal_stack(user_id)

    def issue_trigger(self, user_id: str, view_id: str | None = None) -> str:
        """A fresh trigger_id, as Slack mints for an interaction."""
        return self.state.issue_trigger(user_id, view_id)

    def issue_response_url(
        self, kind: str, channel_id: str, user_id: str, message_ts: str | None = None
    ) -> str:
        """A fresh response_url on this server ("commands" or "actions")."""
        return self.state.issue_response_url(kind, channel_id, user_id, message_ts)

    # socket mode ------------------------------------------------------------------------------

    def _in_loop(self, coro: Any, timeout: float) -> Any:
        if self._loop is None:
            raise RuntimeError("the sandbox is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode connections the app has open."""
        return self._hub.connection_count if self._hub is not None else 0

    def wait_for_socket(self, timeout: float = 5.0) -> bool:
        """Block until the app has a Socket Mode connection open (False after `timeout`)."""
        assert self._hub is not None, "the sandbox is not started"
        return bool(self._in_loop(self._hub.wait_connected(timeout), timeout + 1))

    def send_envelope(self, envelope: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send a Socket Mode envelope and return the app's ack message (TimeoutError if none)."""
        assert self._hub is not None, "the sandbox is not started"
        result: dict[str, Any] = self._in_loop(
            self._hub.deliver(envelope, timeout), 2 * timeout + 1
        )
        return result

    def close_sockets(self) -> None:
        """Close every app connection from the server side (the app sees a close frame)."""
        assert self._hub is not None, "the sandbox is not started"
        self._in_loop(self._hub.close_all(), _START_TIMEOUT)

    def disconnect_sockets(self, reason: str = "refresh_requested") -> None:
        """Send Slack's `disconnect` message to every app connection."""
        assert self._hub is not None, "the sandbox is not started"
        self._in_loop(self._hub.disconnect_all(reason), _START_TIMEOUT)

    # handlers ---------------------------------------------------------------------------------

    async def _handle_root(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "service": "slack-sandbox", "api_url": self.api_url})

    async def _read_args(
        self, request: web.Request
    ) -> tuple[dict[str, Any], str | None, list[str], str | None]:
        """Arguments, token, encoding problems and a transport error of a Web API request."""
        fields: dict[str, str] = dict(request.query)
        json_args: dict[str, Any] = {}
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except json.JSONDecodeError:
                    return {}, None, [], "invalid_json"
                if not isinstance(body, dict):
                    return {}, None, [], "invalid_json"
                json_args = body
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                fields.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                return {}, None, [], "invalid_post_type"
        args, problems = decode_form(fields)
        args.update(json_args)
        token = None
        authorization = request.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif isinstance(fields.get("token"), str):
            # Slack takes a token parameter only in query strings and forms, never in JSON.
            token = fields["token"]
        return args, token, problems, None

    async def _faulted(
        self, method: str, taken: list[Fault] | None = None
    ) -> tuple[str | None, tuple[int, dict[str, str], dict[str, Any]] | None]:
        """Apply the faults armed for `method`: sleep for slow ones, answer for a failing one.

        Returns the kinds applied (for the record) and the failing answer, if any.
        """
        if taken is None:
            taken = self.faults.take(method)
        failing = None
        for fault in taken:
            if fault.kind is FaultKind.SLOW:
                await asyncio.sleep(fault.delay)
            else:
                failing = fault
        kinds = ",".join(f.kind.value for f in taken) or None
        return kinds, failing.response() if failing is not None else None

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        response: Any,
        status: int,
        fault: str | None = None,
        problems: list[str] | None = None,
    ) -> None:
        shown = {k: v for k, v in params.items() if k != "token"}
        self.log.add(
            Call(method, shown, response, status, self.clock(), fault, tuple(problems or ()))
        )
        for callback in self._watchers:
            callback()

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args, token, problems, transport_error = await self._read_args(request)
        if transport_error is not None:
            body: dict[str, Any] = {"ok": False, "error": transport_error}
            self._record(method, args, body, 200)
            return web.json_response(body)
        if self.validate and method in self.api.methods:
            problems = problems + oracle.validate_call(method, args)
        taken = self.faults.take(method)
        done: dict[str, Any] | None = None
        if any(fault.accepted for fault in taken):
            # Slack carries the call out; only then does the caller's answer go wrong.
            done = self.api.call(method, args, token, problems)
        kinds, faulted = await self._faulted(method, taken)
        if faulted is not None:
            status, headers, body = faulted
            self._record(method, args, body, status, kinds, problems)
            return _faulty_answer(request, status, headers, body)
        if done is not None:
            self._record(method, args, done, 200, kinds, problems)
            return web.json_response(done)
        body = self.api.call(method, args, token, problems)
        self._record(method, args, body, 200, kinds, problems)
        return web.json_response(body)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        kinds, faulted = await self._faulted("upload")
        if faulted is not None:
            status, headers, body = faulted
            self._record("upload", {"file_id": file_id, "length": len(data)}, body, status, kinds)
            return _faulty_answer(request, status, headers, body)
        upload = self.state.receive_upload(file_id, data)
        if upload is None:
            self._record("upload", {"file_id": file_id, "length": len(data)}, "Not Found", 404)
            return web.Response(status=404, text="Not Found")
        text = f"OK - {len(data)}"
        self._record("upload", {"file_id": file_id, "length": len(data)}, text, 200)
        return web.Response(text=text)

    async def _handle_response(self, request: web.Request) -> web.Response:
        key = f"{request.match_info['n']}/{request.match_info['secret']}"
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            answer: dict[str, Any] = {"ok": False, "error": "invalid_payload"}
            self._record("response_url", {"url_key": key}, answer, 400)
            return web.json_response(answer, status=400)
        problems = message_problems(body)
        kinds, faulted = await self._faulted("response_url")
        if faulted is not None:
            status, headers, answer = faulted
            self._record("response_url", body, answer, status, kinds, problems)
            return _faulty_answer(request, status, headers, answer)
        status = 200
        answer = {"ok": True}
        try:
            target = self.state.use_response_url(key)
            if problems:
                raise SlackError("invalid_blocks")
            respond(self.state, target, body)
        except SlackError as e:
            answer = {"ok": False, "error": e.error}
            status = 404 if e.error in ("no_service", "expired_url", "used_url") else 400
        self._record("response_url", body, answer, status, kinds, problems)
        return web.json_response(answer, status=status)

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        if not self.state.redeem_ticket(request.query.get("ticket", "")):
            return web.Response(status=401, text="invalid or used ticket")
        assert self._hub is not None
        ws = web.WebSocketResponse(autoping=True, timeout=_SHUTDOWN_GRACE)
        await ws.prepare(request)
        await self._hub.serve(ws)
        return ws


def _faulty_answer(
    request: web.Request, status: int, headers: dict[str, str], body: dict[str, Any]
) -> web.Response:
    """A faulted call's answer; for a dropped connection, the connection closes instead."""
    if status == DROPPED:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)  # never reaches the caller
    return web.json_response(body, status=status, headers=headers)
