"""The local workspace (`delegate-bot run --local`) in a real browser: Debian's chromium.

Playwright drives the system chromium through `executable_path`; no browser is ever
downloaded. Without chromium the tests skip, except under CI=true, where they must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM_ARGS, LocalWorkspace, find_chromium

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Set by `make screenshots`: the tour's pictures are rewritten in the docs folder.
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"

if os.environ.get("CI") != "true":
    # Importing Playwright is only needed (and only required) where the tests can run.
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, Playwright, sync_playwright  # noqa: E402


def chromium_path() -> str:
    """The system chromium, or a skip (a failure under CI=true)."""
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


# Module scope, not session: the sync driver keeps an asyncio loop running in this thread
# until it stops, and later tests that call asyncio.run() would fail while it does.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver per test module."""
    chromium_path()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
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
