"""Local mode: the bot and a sandbox workspace with its browser client, in one process.

`delegate-bot run --local` (and `run` with no Slack credentials at all) lands here. This is
the only place that builds a movable clock: the sandbox and the bot share it, so the page's
"jump to the next thing due" moves both. A production process never reaches this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import BotApp
from bot.domain.types import OutboxState
from bot.settings import Settings
from bot.views.help import USAGE_LINES
from handlers.shortcuts import DELEGATE_MESSAGE_SHORTCUT, NEW_DELEGATION_SHORTCUT
from sandbox.clock import MovableClock
from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from sandbox.web import BrowserClient, CommandHint
from sandbox.workspace import Workspace
from storage.models import Outbox

LOCAL_DATABASE = Path("delegate-bot-local.sqlite3")
DEFAULT_WEB_PORT = 3001
# Quicker than production's default, so a click's follow-up messages show promptly.
LOCAL_SWEEP_SECONDS = 1.0
_USAGE = re.compile(r"^`(?P<usage>[^`]+)`: (?P<description>.+)$")


def command_hints() -> tuple[CommandHint, ...]:
    """The composer's hint list, taken from the help text so the two never disagree."""
    hints = []
    for line in USAGE_LINES:
        match = _USAGE.match(line)
        if match:
            hints.append(CommandHint(match["usage"], match["description"]))
    return tuple(hints)


class BotClockwork:
    """The page's clock control, answered from the bot's own outbox."""

    def __init__(self) -> None:
        self.bot: BotApp | None = None

    def next_due(self) -> datetime | None:
        """The earliest due time of pending outbox rows (what the sweep will send next)."""
        if self.bot is None:
            return None
        with self.bot.runtime.sessions() as session:
            due = session.scalar(
                sa.select(sa.func.min(Outbox.due_at)).where(Outbox.state == OutboxState.PENDING)
            )
        if due is not None and due.tzinfo is None:
            due = due.replace(tzinfo=UTC)
        return due

    def moved(self) -> None:
        """Sweep now, so what just became due is sent before the page looks again."""
        if self.bot is not None:
            # The sweep claims rows under a lease, so running it here beside the ticker's
            # own runs sends each row once; the kick goes round again for follow-ups.
            self.bot.sender.sweep()
            self.bot.ticker.kick()


@dataclass
class LocalWorkspace:
    """The sandbox, its browser client and the settings the bot needs to talk to it."""

    sandbox: SandboxServer
    client: BrowserClient
    clock: MovableClock
    clockwork: BotClockwork
    settings: Settings

    def stop(self) -> None:
        """Stop the sandbox (the bot is stopped by its own server)."""
        self.sandbox.stop()


def start_workspace(settings: Settings, *, web_port: int = DEFAULT_WEB_PORT) -> LocalWorkspace:
    """Start the sandbox with the browser client; returns settings wired to it.

    The local database starts empty each time: the sandbox's messages live in memory, so
    tasks kept from a previous run would point at messages nobody can see.
    """
    clock = MovableClock()
    workspace = Workspace()
    sandbox = SandboxServer(workspace, host=settings.host, port=web_port, wall_clock=clock)
    bot_url = f"http://{settings.host}:{settings.port}/slack/events"
    clockwork = BotClockwork()
    client = BrowserClient(
        sandbox,
        Deliverer(sandbox, bot_url),
        clock=clock,
        clockwork=clockwork,
        hints=command_hints(),
        message_shortcut=DELEGATE_MESSAGE_SHORTCUT,
        global_shortcut=NEW_DELEGATION_SHORTCUT,
    )
    sandbox.start()
    LOCAL_DATABASE.unlink(missing_ok=True)
    local = settings.model_copy(
        update={
            "slack_bot_token": SecretStr(workspace.bot_token),
            "slack_signing_secret": SecretStr(workspace.signing_secret),
            "slack_app_token": None,
            "slack_api_url": sandbox.api_url,
            "database_url": f"sqlite:///{LOCAL_DATABASE}",
            "sweep_interval_seconds": LOCAL_SWEEP_SECONDS,
        }
    )
    return LocalWorkspace(sandbox, client, clock, clockwork, local)


def banner(local: LocalWorkspace) -> str:
    """What `run --local` prints: where to click, who is who, and how to use real Slack."""
    ws = local.sandbox.workspace
    people = ", ".join(
        f"{u.real_name} ({'lead, ' if u.id == ws.lead_id else ''}{u.tz})" for u in ws.people
    )
    return "\n".join(
        [
            "",
            "delegate-bot is running in local mode, against a built-in sandbox workspace.",
            "",
            f"  Open {local.client.url} in a browser.",
            "",
            f"  People: {people}.",
            f"  Data: {LOCAL_DATABASE} (SQLite, started afresh each run).",
            "",
            "To connect a real Slack workspace instead, set SLACK_BOT_TOKEN and either",
            "SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) in the",
            "environment or .env (see README, Setup). Press Ctrl-C to stop.",
            "",
        ]
    )
