"""The local workspace page in chromium: first render, and a click to the bot's visible answer.

Starts `delegate-bot run --local` as a process (its own temp directory and ports), then with
Debian's chromium driven by Playwright:
- first render: --renders fresh browser contexts (cold cache) each load the page as the lead;
  the figure is the page's own `performance.now()` at its first full draw (navigation start
  to the DM, sidebar and clock drawn from /local/api/state), plus the wall time Playwright saw;
- click to answer: --clicks times the lead clicks "New delegation" on the App Home tab; the
  bot answers with views.open, the sandbox tells the page over server-sent events, the page
  fetches and draws the modal. Timed from the click to the modal being visible (measured in
  the page with a MutationObserver, so Playwright's own round trips are not counted); the
  modal is closed between clicks.

Goals (issue 13, item 5): first render under 1 s, click to visible answer under 200 ms at p95.
Prints figures; asserts nothing.

Run:  .venv/bin/python -m tests.bench.bench_local        (or `make bench-local`)
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.harness import CHROMIUM_ARGS, LocalWorkspace, find_chromium

LEAD = "U0SBLENA1"
# Resolves with the milliseconds from the click to the first modal in the DOM.
CLICK_AND_WAIT = """
(selector) => new Promise((resolve) => {
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelector("#modal-root .modal")) {
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - start));
    }
  });
  observer.observe(document.getElementById("modal-root"), { childList: true, subtree: true });
  document.querySelector(selector).click();
})
"""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def first_renders(browser: Browser, url: str, runs: int) -> tuple[list[float], list[float]]:
    """In-page first-draw times and wall times, in ms, one fresh context per run."""
    in_page: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{url}?as={LEAD}")
        page.wait_for_function("window.firstDrawAt !== undefined")
        wall.append((time.perf_counter() - started) * 1000)
        in_page.append(float(page.evaluate("window.firstDrawAt")))
        context.close()
    return in_page, wall


def clicks(page: Page, url: str, runs: int) -> list[float]:
    """Click "New delegation" on Home, time until the modal shows, close it; ms per click."""
    page.goto(f"{url}?as={LEAD}&tab=home")
    button = '.home .bk-button[data-action-id="home_new"]'
    page.wait_for_selector(button)
    times: list[float] = []
    for _ in range(runs):
        times.append(float(page.evaluate(CLICK_AND_WAIT, button)))
        page.locator(".modal-close").click()
        page.wait_for_selector("#modal-root .modal", state="detached")
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--clicks", type=int, default=40)
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as workdir:
        local = LocalWorkspace(Path(workdir)).start()
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                first_renders(browser, local.url, 2)  # warm-up: the bot's first queries
                in_page, wall = first_renders(browser, local.url, args.renders)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                clicks(page, local.url, 3)  # warm-up
                click_times = clicks(page, local.url, args.clicks)
                browser.close()
        finally:
            local.stop()
    print(f"local workspace page, {platform.machine()} {platform.python_version()}")
    print(
        f"first render ({args.renders} cold loads), ms: in page p50 "
        f"{percentile(in_page, 0.5):.0f}, max {max(in_page):.0f}; wall p50 "
        f"{percentile(wall, 0.5):.0f}, max {max(wall):.0f}"
    )
    print(
        f"click to visible answer ({args.clicks} clicks), ms: p50 "
        f"{percentile(click_times, 0.5):.0f}, p95 {percentile(click_times, 0.95):.0f}, "
        f"max {max(click_times):.0f}"
    )
    rows = [
        ("first render", "< 1000 ms", percentile(wall, 0.95), 1000.0),
        ("click to answer p95", "< 200 ms", percentile(click_times, 0.95), 200.0),
    ]
    print(f"\n{'measure':<22}{'goal':<12}{'figure':<12}met")
    for name, goal, figure, limit in rows:
        print(f"{name:<22}{goal:<12}{figure:<12.0f}{'yes' if figure < limit else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
