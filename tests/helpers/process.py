"""Run the bot as a separate process, the way Slack would reach it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BotProcess:
    """`python -m bot.cli <args>` with its own environment and a log file."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        log_path: Path,
        args: tuple[str, ...] = ("run",),
        module: str = "bot.cli",
    ) -> None:
        self.port = int(env.get("PORT", "0")) or free_port()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "DATABASE_URL"))
        }
        self.env.update(env)
        self.env["PORT"] = str(self.port)
        self.env.setdefault("HOST", "127.0.0.1")
        # The benchmark's baseline app lives under tests/, which is not installed.
        self.env["PYTHONPATH"] = str(ROOT)
        self.log_path = log_path
        self.args = args
        self.module = module
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Where the process serves HTTP."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotProcess:
        """Start the process; output goes to the log file."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            cwd=self.log_path.parent,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Poll /healthz until it answers 200; fail with the log if the process dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)  # polling a starting process, not waiting for time to pass
        raise AssertionError(f"bot not healthy after {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait for a clean exit; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"bot ignored SIGTERM for {timeout}s:\n{self.log()}") from None
        return self.process.returncode

    def run_to_exit(self, timeout: float = 60.0) -> tuple[int, str]:
        """Run a command that is expected to end by itself; returns exit code and output."""
        self.start()
        assert self.process is not None
        code = self.process.wait(timeout=timeout)
        return code, self.log()

    def log(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# What the start_bot fixture gives: start a bot process (keyword arguments are extra env).
BotFactory = Callable[..., BotProcess]


def bot_env(sandbox: SandboxServer, tmp_path: Path, *, socket_mode: bool = False) -> dict[str, str]:
    """Environment for a bot process that talks to `sandbox` and keeps data in tmp_path."""
    workspace = sandbox.workspace
    env = {
        "SLACK_API_URL": sandbox.api_url,
        "SLACK_BOT_TOKEN": workspace.bot_token,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "LOG_LEVEL": "INFO",
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    if socket_mode:
        env["SLACK_APP_TOKEN"] = workspace.app_token
    else:
        env["SLACK_SIGNING_SECRET"] = workspace.signing_secret
    return env
