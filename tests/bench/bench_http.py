"""HTTP latency: signed /delegate requests against the bot and against a bare Bolt app.

The sandbox (Slack's side) runs in its own process so that the load generator shares no
interpreter with it. Prints figures; asserts nothing. Run with `make bench-http` (or `make bench`).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.server import SandboxServer
from sandbox.workspace import Workspace
from tests.helpers.process import BotProcess

WARMUP = 200


def frozen_clock() -> float:
    """The sandbox's clock during the benchmark: triggers issued up front never expire."""
    return 0.0


@dataclass(frozen=True)
class SlackSide:
    """What the load generator needs from the sandbox process."""

    api_url: str
    workspace: Workspace
    triggers: list[str]
    response_urls: list[str]


def _serve_sandbox(count: int, ready: Queue[SlackSide], stop: Event) -> None:
    with SandboxServer(validate=False, clock=frozen_clock) as sandbox:
        workspace = sandbox.workspace
        user, channel = workspace.lead.id, workspace.default_channel_id
        ready.put(
            SlackSide(
                api_url=sandbox.api_url,
                workspace=workspace,
                triggers=[sandbox.issue_trigger(user) for _ in range(count)],
                response_urls=[
                    sandbox.issue_response_url("commands", channel, user) for _ in range(count)
                ],
            )
        )
        stop.wait()


class Requests:
    """Signed /delegate posts, each with its own trigger, handed out to worker threads."""

    def __init__(self, slack: SlackSide, text: str = "") -> None:
        self._slack = slack
        self._text = text
        self._verifier = SignatureVerifier(slack.workspace.signing_secret)
        self._indexes: Iterator[int] = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> tuple[bytes, dict[str, str]]:
        """The next request body and headers, signed now."""
        with self._lock:
            index = next(self._indexes)
        workspace = self._slack.workspace
        body = urlencode(
            {
                "token": workspace.verification_token,
                "team_id": workspace.team_id,
                "channel_id": workspace.default_channel_id,
                "user_id": workspace.lead.id,
                "command": "/delegate",
                "text": self._text,
                "api_app_id": workspace.app_id,
                "response_url": self._slack.response_urls[index],
                "trigger_id": self._slack.triggers[index],
            }
        )
        timestamp = str(int(time.time()))
        headers: dict[str, str] = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": str(
                self._verifier.generate_signature(timestamp=timestamp, body=body)
            ),
        }
        return body.encode(), headers


def _load(requests: Requests, port: int, count: int, concurrency: int) -> tuple[list[float], int]:
    shares = [count // concurrency + (i < count % concurrency) for i in range(concurrency)]

    def worker(share: int) -> tuple[list[float], int]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        failures = 0
        for _ in range(share):
            body, headers = requests.next()
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            latencies.append(time.perf_counter() - started)
            failures += answer.status != 200
        connection.close()
        return latencies, failures

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, shares))
    return [value for latencies, _ in results for value in latencies], sum(f for _, f in results)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(
    label: str,
    module: str,
    slack: SlackSide,
    workdir: Path,
    count: int,
    concurrency: int,
    extra_env: dict[str, str] | None = None,
    text: str = "",
) -> tuple[float, float]:
    workspace = slack.workspace
    env = {
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": workspace.bot_token,
        "SLACK_SIGNING_SECRET": workspace.signing_secret,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    } | (extra_env or {})
    requests = Requests(slack, text)
    with BotProcess(env, log_path=workdir / f"{module}.log", module=module) as bot:
        bot.wait_healthy()
        _load(requests, bot.port, WARMUP, concurrency)
        started = time.perf_counter()
        latencies, failures = _load(requests, bot.port, count, concurrency)
        elapsed = time.perf_counter() - started
        bot.stop()
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    print(
        f"{label:>24}: {len(latencies)} requests, {failures} non-200, "
        f"{len(latencies) / elapsed:7.1f} req/s, p50 {p50 * 1000:6.2f} ms, "
        f"p99 {p99 * 1000:6.2f} ms, mean {statistics.fmean(latencies) * 1000:6.2f} ms"
    )
    return p50, p99


def main(argv: list[str] | None = None) -> int:
    """Measure the bare app, then the bot, and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"{args.requests} signed /delegate requests at concurrency {args.concurrency}, each app")
    context = multiprocessing.get_context("spawn")
    ready: Queue[SlackSide] = context.Queue()
    stop = context.Event()
    per_app = args.requests + WARMUP
    apps = 4
    sandbox = context.Process(
        target=_serve_sandbox, args=(apps * per_app, ready, stop), daemon=True
    )
    sandbox.start()
    try:
        slack = ready.get(timeout=60)

        def share(n: int) -> SlackSide:
            part = slice(n * per_app, (n + 1) * per_app)
            return SlackSide(
                slack.api_url, slack.workspace, slack.triggers[part], slack.response_urls[part]
            )

        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            bare_default = _measure(
                "bare Bolt, default",
                "tests.bench.bare_app",
                share(0),
                work,
                args.requests,
                args.concurrency,
            )
            bare_matched = _measure(
                "bare Bolt, bot's config",
                "tests.bench.bare_app",
                share(1),
                work,
                args.requests,
                args.concurrency,
                {"BARE_PROCESS_BEFORE_RESPONSE": "1"},
            )
            ours = _measure(
                "delegate-bot, /delegate",
                "bot.cli",
                share(2),
                work,
                args.requests,
                args.concurrency,
            )
            ours_ack = _measure(
                "delegate-bot, help",
                "bot.cli",
                share(3),
                work,
                args.requests,
                args.concurrency,
                text="help",
            )
    finally:
        stop.set()
        sandbox.join(timeout=10)
    print("ratios (goal: /delegate p99 within 1.25x of the bare app):")
    for label, bare in (("default", bare_default), ("bot's config", bare_matched)):
        for what, mine in (("/delegate", ours), ("help, ack-only path", ours_ack)):
            print(
                f"  {what} vs bare Bolt ({label}): p50 {mine[0] / bare[0]:.2f}x, "
                f"p99 {mine[1] / bare[1]:.2f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
