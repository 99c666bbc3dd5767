"""HTTP latency: signed /delegate requests against the bot and against a bare Bolt app.

Prints figures; asserts nothing. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.server import SandboxServer
from tests.e2e.conftest import bot_env
from tests.e2e.process import BotProcess


def _signed_command(sandbox: SandboxServer, user_id: str) -> tuple[bytes, dict[str, str]]:
    workspace = sandbox.workspace
    body = urlencode(
        {
            "token": workspace.verification_token,
            "team_id": workspace.team_id,
            "channel_id": workspace.default_channel_id,
            "user_id": user_id,
            "command": "/delegate",
            "text": "",
            "api_app_id": workspace.app_id,
            "response_url": sandbox.issue_response_url("commands", workspace.default_channel_id, user_id),
            "trigger_id": sandbox.issue_trigger(user_id),
        }
    )
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(workspace.signing_secret).generate_signature(
        timestamp=timestamp, body=body
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return body.encode(), headers


def _load(
    sandbox: SandboxServer, port: int, requests: int, concurrency: int
) -> tuple[list[float], int]:
    user_id = sandbox.workspace.lead.id
    per_worker = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]

    def worker(count: int) -> tuple[list[float], int]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        failures = 0
        for _ in range(count):
            body, headers = _signed_command(sandbox, user_id)
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            latencies.append(time.perf_counter() - started)
            failures += answer.status != 200
        connection.close()
        return latencies, failures

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, per_worker))
    return [value for latencies, _ in results for value in latencies], sum(f for _, f in results)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(
    label: str, module: str, sandbox: SandboxServer, workdir: Path, requests: int, concurrency: int
) -> tuple[float, float]:
    env = bot_env(sandbox, workdir) | {"LOG_LEVEL": "WARNING"}
    bot = BotProcess(env, log_path=workdir / f"{label}.log", module=module)
    with bot:
        bot.wait_healthy()
        _load(sandbox, bot.port, min(200, requests), concurrency)  # warm-up
        started = time.perf_counter()
        latencies, failures = _load(sandbox, bot.port, requests, concurrency)
        elapsed = time.perf_counter() - started
        bot.stop()
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    print(
        f"{label:>9}: {len(latencies)} requests, {failures} non-200, "
        f"{len(latencies) / elapsed:7.1f} req/s, p50 {p50 * 1000:6.2f} ms, "
        f"p99 {p99 * 1000:6.2f} ms, mean {statistics.fmean(latencies) * 1000:6.2f} ms"
    )
    return p50, p99


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"{args.requests} signed /delegate requests, concurrency {args.concurrency}")
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(validate=False) as sandbox:
        workdir = Path(tmp)
        bare = _measure("bare Bolt", "tests.bench.bare_app", sandbox, workdir, args.requests, args.concurrency)
        ours = _measure("delegate", "bot.cli", sandbox, workdir, args.requests, args.concurrency)
    print(f"p50 ratio {ours[0] / bare[0]:.2f}x, p99 ratio {ours[1] / bare[1]:.2f}x (goal: p99 <= 1.25x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
