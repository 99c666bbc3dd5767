"""Waiting for another process to do something, with a deadline instead of a sleep."""

from __future__ import annotations

import time
from typing import Any

from sandbox.server import SandboxServer


def wait_for_calls(
    sandbox: SandboxServer, method: str, count: int = 1, timeout: float = 10.0
) -> list[Any]:
    """Return the recorded calls to `method` once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        calls = sandbox.calls_to(method)
        if len(calls) >= count:
            return calls
        if time.monotonic() > deadline:
            seen = [call.method for call in sandbox.calls]
            raise AssertionError(f"expected {count} {method} call(s); the bot made {seen}")
        time.sleep(0.02)  # polling another process, not waiting for time to pass
