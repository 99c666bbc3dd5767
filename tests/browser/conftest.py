"""The local workspace (`delegate-bot run --local`) in a real browser: Debian's chromium.

Playwright drives the system chromium through `executable_path`; no browser is ever
downloaded. Without chromium the tests skip, except under CI=true, where they must run.
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.process import BotProcess, free_port

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Set by `make screenshots`: the tour's pictures are rewritten in the docs folder.
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"

if os.environ.get("CI") != "true":
    # Importing Playwright is only needed (and only required) where the tests can run.
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, Playwright, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    """The system chromium, or a skip (a failure under CI=true)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


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


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the session."""
    chromium_path()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless system chromium."""
    launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWorkspace]:
    """A fresh local workspace per test module (its own directory, database and ports)."""
    chromium_path()
    workspace = LocalWorkspace(tmp_path_factory.mktemp("local")).start()
    yield workspace
    workspace.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new browser tab at a laptop's size."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """Keep a picture of the page: in docs/screenshots under `make screenshots`, else tmp."""
    folder = SCREENSHOTS if UPDATE_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path
