"""pytest fixtures for the Slack sandbox.

Load with `pytest_plugins = ["sandbox.pytest_plugin"]` in the top-level conftest. Tests that
use `slack_sandbox` fail at teardown when the app made a call real Slack would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.clock import ManualClock
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer


def violation_report(server: SandboxServer) -> str:
    """A readable list of what the server recorded that real Slack would refuse."""
    lines = [f"{len(server.violations)} call(s) real Slack would refuse:"]
    lines += [f"  - {violation}" for violation in server.violations]
    return "\n".join(lines)


def _fail_on_violations(server: SandboxServer) -> None:
    if server.violations:
        pytest.fail(violation_report(server), pytrace=False)


@pytest.fixture
def slack_sandbox() -> Iterator[SandboxServer]:
    """A started sandbox (real clocks); the test fails at teardown if it saw violations."""
    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()
    _fail_on_violations(server)


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock that moves only when the test advances it."""
    return ManualClock()


@pytest.fixture
def make_slack_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    """Factory for started sandboxes with custom arguments (clock=..., workspace=...).

    Every server it made is stopped, and checked for violations, at teardown.
    """
    servers: list[SandboxServer] = []

    def make(**kwargs: Any) -> SandboxServer:
        server = SandboxServer(**kwargs).start()
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()
    reports = [violation_report(s) for s in servers if s.violations]
    if reports:
        pytest.fail("\n".join(reports), pytrace=False)


@pytest.fixture
def slack_deliverer(slack_sandbox: SandboxServer) -> Deliverer:
    """Delivers to the app over Socket Mode through `slack_sandbox`."""
    return Deliverer(slack_sandbox, via="socket")
