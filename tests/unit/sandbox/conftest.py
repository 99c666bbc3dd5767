"""Fixtures for the sandbox's own tests (the plugin's come from tests/conftest.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.server import SandboxServer


def bot_client(server: SandboxServer) -> WebClient:
    """A WebClient for the sandbox with the bot token."""
    return WebClient(base_url=server.api_url, token=server.workspace.bot_token)


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


@dataclass
class Receiver:
    """A tiny app endpoint that checks Slack signatures and answers with `reply`."""

    url: str
    requests: list[Received] = field(default_factory=list)
    reply: Callable[[Received], tuple[int, str]] = lambda r: (200, "")


@pytest.fixture
def receiver(slack_sandbox: SandboxServer) -> Iterator[Receiver]:
    """An HTTP endpoint verifying requests with the sandbox's signing secret (401 if forged)."""
    verifier = SignatureVerifier(slack_sandbox.signing_secret)
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            valid = verifier.is_valid_request(body, headers)
            got = Received(self.path, headers, body, valid)
            box[0].requests.append(got)
            status, text = box[0].reply(got) if valid else (401, "invalid signature")
            encoded = text.encode()
            self.send_response(status)
            kind = "application/json" if text.startswith("{") else "text/plain"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{httpd.server_address[1]}/slack/events"))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        httpd.shutdown()
        httpd.server_close()


def json_reply(body: dict[str, object]) -> Callable[[Received], tuple[int, str]]:
    """A receiver reply that answers 200 with this JSON body."""
    return lambda _request: (200, json.dumps(body))
