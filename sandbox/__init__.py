"""A local fake Slack workspace: the test harness, and a way to try the bot without Slack."""

from sandbox.clock import ManualClock
from sandbox.deliver import Deliverer, Delivery
from sandbox.faults import Fault, FaultKind, Faults
from sandbox.records import Call, Violation
from sandbox.server import SandboxServer
from sandbox.socket_hub import NoSocketConnection
from sandbox.workspace import (
    DEFAULT_APP_TOKEN,
    DEFAULT_BOT_TOKEN,
    DEFAULT_SIGNING_SECRET,
    Channel,
    User,
    Workspace,
)

__all__ = [
    "DEFAULT_APP_TOKEN",
    "DEFAULT_BOT_TOKEN",
    "DEFAULT_SIGNING_SECRET",
    "Call",
    "Channel",
    "Deliverer",
    "Delivery",
    "Fault",
    "FaultKind",
    "Faults",
    "ManualClock",
    "NoSocketConnection",
    "SandboxServer",
    "User",
    "Violation",
    "Workspace",
]
