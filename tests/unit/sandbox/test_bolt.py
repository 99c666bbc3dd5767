"""A real Bolt app against the sandbox, over Socket Mode and over signed HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer

LEAD = "U0SBLENA1"
BRIEF = {
    "type": "modal",
    "callback_id": "brief",
    "title": {"type": "plain_text", "text": "New delegation"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "goal",
            "label": {"type": "plain_text", "text": "Goal"},
            "element": {"type": "plain_text_input", "action_id": "goal_input"},
        }
    ],
}


def make_app(server: SandboxServer, **kwargs: Any) -> App:
    """A minimal Bolt app shaped like delegate-bot: /delegate opens a modal, submit validates."""
    client = WebClient(base_url=server.api_url, token=server.workspace.bot_token)
    app = App(client=client, **kwargs)

    @app.command("/delegate")
    def open_brief(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=BRIEF)

    @app.view("brief")
    def submit_brief(ack: Ack, view: dict[str, Any]) -> None:
        goal = view["state"]["values"]["goal"]["goal_input"]["value"]
        if len(goal) < 10:
            ack(response_action="errors", errors={"goal": "Say a little more."})
        else:
            ack()

    return app


def test_bolt_over_socket_mode(slack_sandbox: SandboxServer) -> None:
    app = make_app(slack_sandbox)
    handler = SocketModeHandler(app, slack_sandbox.workspace.app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    session = handler.client.current_session
    assert session is not None and session.sock is not None
    session.sock.settimeout(0.05)  # lets close() return without the client's 3 s read timeout
    deliverer = Deliverer(slack_sandbox)
    try:
        command = deliverer.slash_command(LEAD, "QBR deck")
        slack_sandbox.wait_for_call("views.open")
        view_id = slack_sandbox.modal_stack(LEAD)[0]["id"]
        too_short = deliverer.view_submission(LEAD, view_id, {"goal": {"goal_input": "deck"}})
        enough = deliverer.view_submission(
            LEAD, view_id, {"goal": {"goal_input": "Draft the QBR deck for Acme"}}
        )
    finally:
        handler.close()  # type: ignore[no-untyped-call]

    assert command.ok and slack_sandbox.calls_to("views.open")[0].ok
    assert too_short.ack == {"response_action": "errors", "errors": {"goal": "Say a little more."}}
    assert enough.ack is None
    assert slack_sandbox.modal_stack(LEAD) == []


@pytest.fixture
def bolt_http(slack_sandbox: SandboxServer) -> Iterator[str]:
    """The Bolt app served over HTTP, verifying signatures with the sandbox's secret."""
    app = make_app(slack_sandbox, signing_secret=slack_sandbox.signing_secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            headers: dict[str, str | Sequence[str]] = {
                k.lower(): [v] for k, v in self.headers.items()
            }
            response = app.dispatch(BoltRequest(body=body, headers=headers))
            encoded = response.body.encode()
            self.send_response(response.status)
            for name, values in response.headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/slack/events"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_bolt_over_http_accepts_signed_and_refuses_stale(
    slack_sandbox: SandboxServer, bolt_http: str
) -> None:
    deliverer = Deliverer(slack_sandbox, bolt_http)

    signed = deliverer.slash_command(LEAD, "QBR deck")
    stale = deliverer.slash_command(LEAD, "QBR deck", timestamp=slack_sandbox.state.now() - 301)
    forged = deliverer.slash_command(LEAD, "QBR deck", signature="v0=forged")

    assert signed.status == 200
    assert (stale.status, forged.status) == (401, 401)
    assert slack_sandbox.wait_for_call("views.open")[0].ok
    assert len(slack_sandbox.calls_to("views.open")) == 1
