"""`python -m sandbox`: run the fake Slack workspace until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from sandbox.server import SandboxServer
from sandbox.workspace import Workspace

DEFAULT_PORT = 3001


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Run a local fake Slack workspace for delegate-bot.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to bind (default {DEFAULT_PORT})"
    )
    return parser


def describe(server: SandboxServer) -> str:
    """What to point the bot at, and who is in the workspace."""
    ws = server.workspace
    lines = [
        f"Slack sandbox for team {ws.team_id} ({ws.team_name}) is running.",
        "",
        "Point the bot at it (e.g. in .env):",
        f"  SLACK_API_URL={server.api_url}",
        f"  SLACK_BOT_TOKEN={ws.bot_token}",
        f"  SLACK_APP_TOKEN={ws.app_token}",
        f"  SLACK_SIGNING_SECRET={ws.signing_secret}",
        "",
        "Users:",
    ]
    for user in ws.users:
        if user.is_bot:
            role = f"bot ({user.bot_id})"
        elif user.deleted:
            role = "deactivated"
        elif user.id == ws.lead_id:
            role = "lead"
        else:
            role = "member"
        lines.append(f"  {user.id}  @{user.name:<12} {user.tz:<20} {role}")
    lines += ["", "Channels:"]
    for channel in ws.channels:
        member = "bot is a member" if ws.bot_user_id in channel.members else "bot is not a member"
        lines.append(f"  {channel.id}  #{channel.name:<14} {member}")
    lines += ["", "Press Ctrl-C to stop."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox in the foreground; returns the process exit code."""
    args = _parser().parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    server = SandboxServer(Workspace(), host=args.host, port=args.port)
    try:
        server.start()
    except OSError as e:
        print(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _on_signal)
    try:
        print(describe(server), flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
