"""Send one fuzzed request to the bot process and judge what it did.

The bot runs with one listener thread, so its lazy listeners run one after another in the
order requests arrived. After each request a barrier (a Home "Show all" click for a list
that does not exist, which only reads and then opens a notice modal) is sent; once Slack
sees that modal, everything the fuzzed request set off has finished, and its log lines and
database changes can be read without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from sandbox.transport import EnvelopeType
from storage.models import Base
from tests.helpers.process import BotProcess

BARRIER_ACTION = "home_show_all"
BARRIER_VALUE = "fuzz-barrier"
Snapshot = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Request:
    """One request as it goes on the wire, and how the fuzzer meant it."""

    family: str
    listener: str  # "<kind>:<id>" of the seed it came from
    mutation: str  # what was done to the genuine payload
    body: bytes
    content_type: str
    headers: dict[str, str]
    refused: bool  # True when the bot must change no row
    payload: Any = None  # the mutated payload (for the report), if it was one


@dataclass(frozen=True)
class Failure:
    """A request that broke a rule, with the evidence."""

    check: str  # "5xx", "error-log", "traceback", "row-changed", "no-answer", "stuck"
    request: Request
    status: int
    detail: str

    def cause(self) -> str:
        """A short signature grouping failures of one cause: the check and the exception."""
        return f"{self.check}: {self.detail.splitlines()[0][:160]}" if self.detail else self.check


@dataclass
class Stats:
    """Counts for `make fuzz`: requests by family and listener kind, outcomes, failures."""

    sent: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def record(self, request: Request, status: int) -> None:
        """Count one request and its outcome."""
        self.sent[request.family] += 1
        self.by_kind[request.listener.split(":", 1)[0]] += 1
        self.statuses[str(status)] += 1
        if request.refused:
            self.refused[request.family] += 1


def encode(envelope: EnvelopeType, payload: Any) -> tuple[bytes, str]:
    """The body and content type Slack uses for each kind of payload."""
    if envelope == "slash_commands":
        fields = payload.items() if isinstance(payload, dict) else []
        form = [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in fields]
        return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    if envelope == "interactive":
        wrapped = {"payload": json.dumps(payload)}
        return urllib.parse.urlencode(wrapped).encode(), "application/x-www-form-urlencoded"
    return json.dumps(payload).encode(), "application/json"


_LOG_FAILURE = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) |Traceback \(most recent call last\)")
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_.]+(?:Error|Exception|Warning|Exit)\b.*)$")


def log_problems(text: str) -> list[tuple[str, str]]:
    """(check, first line of evidence) for each ERROR line or traceback in new log text."""
    found: list[tuple[str, str]] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _LOG_FAILURE.search(line):
            continue
        if line.startswith("Traceback"):
            tail = lines[index + 1 : index + 80]
            exception = next((t for t in tail if _EXCEPTION_LINE.match(t)), "")
            frames = [t.strip() for t in tail if t.strip().startswith("File ")]
            ours = [f for f in frames if "site-packages" not in f]
            where = (ours or frames or [""])[-1]
            found.append(("traceback", f"{exception} at {where}"))
        else:
            found.append(("error-log", line.split(" ", 2)[-1]))
    return found


class FuzzBot:
    """The bot process, its sandbox and database, seen through one request at a time."""

    def __init__(
        self, sandbox: SandboxServer, bot: BotProcess, database: sa.Engine, stats: Stats
    ) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.database = database
        self.stats = stats
        self.url = bot.base_url + "/slack/events"
        self.signing_secret = sandbox.signing_secret.encode()
        self.slack = Deliverer(sandbox, self.url)
        self.lead = sandbox.workspace.lead_id
        self._log_offset = len(bot.log())

    def sign(self, body: bytes, timestamp: str | None = None) -> dict[str, str]:
        """Headers Slack would add to this body."""
        # An empty timestamp is one of the odd ones sent on purpose, not "now".
        stamp = str(int(time.time())) if timestamp is None else timestamp
        # Slack's HMAC over the raw bytes: SignatureVerifier.generate_signature decodes the
        # body as UTF-8 first, so it cannot sign the non-UTF-8 bodies the fuzzer sends.
        base = b"v0:" + stamp.encode() + b":" + body
        digest = hmac.new(self.signing_secret, base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}

    def post(self, request: Request) -> tuple[int, str]:
        """POST the request; status 0 when the bot did not answer in time."""
        headers = {"Content-Type": request.content_type, **request.headers}
        http = urllib.request.Request(self.url, data=request.body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(http, timeout=10) as answer:
                return int(answer.status), answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            return 0, str(error)

    def barrier(self, timeout: float = 15.0) -> bool:
        """Wait until every listener started so far has finished (see the module docstring)."""
        before = len(self.sandbox.calls_to("views.open"))
        delivery = self.slack.block_action(
            self.lead,
            BARRIER_ACTION,
            value=BARRIER_VALUE,
            channel_id=self.sandbox.workspace.dm_id(self.lead),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.sandbox.calls_to("views.open")[before:]
            if any(c.params.get("trigger_id") == delivery.trigger_id for c in calls):
                return True
            time.sleep(0.01)  # polling the bot process, not waiting for time to pass
        return False

    def snapshot(self) -> Snapshot:
        """Every row of every table, in primary-key order."""
        found: Snapshot = {}
        with self.database.connect() as db:
            for table in Base.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = db.execute(sa.select(table).order_by(*order)).all()
                found[table.name] = [tuple(row) for row in rows]
        return found

    def settled_snapshot(self) -> Snapshot:
        """A snapshot once background work (an outbox sweep a request kicked) has stopped."""
        previous = self.snapshot()
        for _ in range(5):
            self.barrier()
            current = self.snapshot()
            if current == previous:
                return current
            previous = current
        return previous

    def new_log(self) -> str:
        """Log text written since the last call."""
        text = self.bot.log()
        new, self._log_offset = text[self._log_offset :], len(text)
        return new

    def send(self, request: Request) -> list[Failure]:
        """Send one request, wait for its effects, and return every rule it broke."""
        before = self.settled_snapshot() if request.refused else None
        self.new_log()
        status, answer = self.post(request)
        self.stats.record(request, status)
        failures: list[Failure] = []
        if status == 0:
            failures.append(Failure("no-answer", request, status, answer))
        elif status >= 500:
            failures.append(Failure("5xx", request, status, f"HTTP {status} {answer[:100]}"))
        if not self.barrier():
            failures.append(Failure("stuck", request, status, "listeners did not finish in 15 s"))
        for check, evidence in log_problems(self.new_log()):
            failures.append(Failure(check, request, status, evidence))
        if before is not None:
            after = self.snapshot()
            changed = [name for name in before if before[name] != after.get(name)]
            if changed:
                detail = ", ".join(f"{n} ({diff_rows(before[n], after[n])})" for n in changed)
                failures.append(Failure("row-changed", request, status, detail))
        self.stats.failures.extend(failures)
        return failures


def diff_rows(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> str:
    """How a table's rows changed, briefly."""
    old, new = {repr(r) for r in before}, {repr(r) for r in after}
    return f"+{len(new - old)} -{len(old - new)}"
