"""Fixtures for the sandbox's own tests (the plugin's come from tests/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk.signature import SignatureVerifier

from sandbox.server import SandboxServer
from tests.helpers.sandbox import Received, Receiver


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
