"""Local mode as a process and the system chromium: shared by the browser tests and bench."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers.process import BotProcess, free_port

# Debian's chromium, headless; Playwright never downloads a browser here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The system chromium's path, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class LocalWorkspace:
    """`delegate-bot run --local` as a process: the bot, the sandbox and the page."""

    def __init__(self, workdir: Path) -> None:
        self.web_port = free_port()
        self.process = BotProcess(
            {},
            log_path=workdir / "local.log",
            args=("run", "--local", "--web-port", str(self.web_port)),
        )

    @property
    def url(self) -> str:
        """The page."""
        return f"http://127.0.0.1:{self.web_port}/local/"

    def start(self) -> LocalWorkspace:
        """Start and wait until both the bot and the page answer."""
        self.process.start()
        self.process.wait_healthy()
        with urllib.request.urlopen(self.url, timeout=5) as answer:
            assert answer.status == 200
        return self

    def stop(self) -> None:
        """SIGTERM; the process must exit cleanly."""
        code = self.process.stop()
        assert code == 0, f"local mode exited with {code}:\n{self.process.log()}"

    def post(self, name: str, body: str) -> bytes:
        """Call one of the page's JSON endpoints directly."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}/local/api/{name}",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as error:
            return bytes(error.read())
