"""Outbox sweep throughput: a morning's check-ins sent by one and by three bot instances.

The scene: 100,000 active tasks, 10,000 of them with a check-in due in the same minute, and
Slack (the sandbox, in its own process) answering chat.postMessage after 20 ms through its
"slow" fault. Each instance is its own OS process running `bot.app.create_app(settings)`, so
its sender is the app's own (batch and concurrency as the app leaves them, after_sent
{CHECKIN: after_checkin_sent}: every send also queues the next check-in in the same
transaction). From a common start signal each instance calls sweep() back to back (or, with
--driver ticker, lets the app's Ticker call it) until the database shows every due row sent.

Printed for each instance count (PostgreSQL only):
- time from the start signal until all due rows are sent, and sends per second;
- peak RSS of each instance, measured in the instance (VmHWM; see `peak_rss_kb`);
- claim_due alone at that table size (p50/p95 of repeated claims, each rolled back), and the
  claims the instances made during the run;
- SQL statements per claimed batch (SQLAlchemy "before_cursor_execute"), with the pool
  checkouts (each a pre-ping round trip) and commits beside them;
- exactly-once: chat.postMessage calls per outbox id, as the sandbox recorded them.
Seeding (bulk COPY into a throwaway database, fresh for every run) is timed but not counted.
Prints figures; asserts nothing.

Run:  .venv/bin/python -m tests.bench.bench_sweep            (or `make bench-sweep`)
Smoke: .venv/bin/python -m tests.bench.bench_sweep --tasks 2000 --due 500 --old-sent 2000
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import io
import json
import logging
import math
import multiprocessing
import os
import pstats
import random
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any, cast
from zoneinfo import ZoneInfo

import psycopg
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

import scheduler.sender as sender_module
from bot.app import create_app
from bot.domain.clock import utc_now
from bot.domain.types import OutboxKind, OutboxState, Rhythm, TaskState
from bot.domain.workdays import WorkCalendar, working_days_left
from bot.services.checkins import checkin_key
from bot.settings import Settings
from bot.views.checkin import CheckinFacts, checkin_message
from sandbox.server import SandboxServer
from sandbox.workspace import User, Workspace
from scheduler.sender import LEASE, OutboxSender, Outcome
from storage.db import describe_url, make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Workspace as WorkspaceRow
from storage.outbox import ClaimedMessage, claim_due
from tests.helpers.pg import probe_postgres, throwaway_database

TEAM_ID = Workspace().team_id
ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/Berlin",
)
RHYTHMS = (Rhythm.WEEKLY,) * 12 + (Rhythm.TWICE_WEEKLY,) * 5 + (Rhythm.DAILY,) * 3
VERBS = ("Prepare", "Review", "Draft", "Negotiate", "Migrate", "Audit", "Plan", "Renew")
OBJECTS = (
    "the Q3 renewal deck for Acme",
    "onboarding notes for Globex",
    "the pricing proposal for Initech",
    "the SSO rollout checklist",
    "quarterly account health report",
    "the escalation runbook",
    "the partner contract amendments",
    "the customer survey follow-ups",
)
GOAL = (
    "Get this ready so the account team can walk into the meeting with a clear position, "
    "agreed numbers and the open questions answered; keep the customer's contacts informed."
)
CLAIM_PROBES = 200
CLAIM_WARMUP = 10
PROBE_VACUUM_EVERY = 10
POLL_SECONDS = 0.25
PLAN_LINES = 24
PROFILE_LINES = 30
QUIET_BUSY = 0.15
IDLE_SECONDS = 0.05
SEED_SEED = 20_240_601

log = logging.getLogger("bench_sweep")


# --- identities shared by the seed and the sandbox ------------------------------------------


def owner_slack_id(index: int) -> str:
    """Slack id of owner `index` (0-based), the same in the database and the sandbox."""
    return f"U0OWN{index:05d}"


def lead_slack_id(index: int) -> str:
    """Slack id of lead `index` (0-based)."""
    return f"U0LEAD{index:04d}"


def sandbox_workspace(owners: int, leads: int) -> Workspace:
    """The sandbox's default workspace plus one Slack user per seeded person."""
    base = Workspace()
    extra = [
        User(owner_slack_id(i), f"owner{i}", f"Owner {i}", person_zone(i + 1))
        for i in range(owners)
    ] + [
        User(lead_slack_id(i), f"lead{i}", f"Lead {i}", person_zone(owners + i + 1))
        for i in range(leads)
    ]
    return dataclasses.replace(base, users=(*base.users, *extra))


def person_zone(person_id: int) -> str:
    """Seeded people (ids from 1: owners, then leads) are spread over a few zones."""
    return ZONES[(person_id - 1) % len(ZONES)]


# --- the sandbox process --------------------------------------------------------------------


@dataclass(frozen=True)
class SlackSide:
    """What the instances need from the sandbox process."""

    api_url: str
    bot_token: str
    signing_secret: str
    pid: int


@dataclass(frozen=True)
class SlackTally:
    """chat.postMessage as the sandbox saw it, for the outbox ids of one run's due rows."""

    calls: int
    ok: int
    errors: dict[str, int]
    distinct_ids: int
    duplicated_ids: int
    extra_calls: int
    missing_ids: int
    outside_range: int
    cpu_seconds: float
    peak_rss_kb: int


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kb() -> int:
    """This process's peak resident set, in KiB.

    Linux's ru_maxrss survives execve, so a spawned child reports its parent's peak (here the
    seeding parent's, hundreds of MB) until it outgrows it; VmHWM belongs to the process
    image alone. ru_maxrss is the fallback where /proc is missing.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _tally(sandbox: SandboxServer, first_id: int, last_id: int, cpu_at_start: float) -> SlackTally:
    calls = sandbox.calls_to("chat.postMessage")
    ids: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for call in calls:
        if not call.ok:
            errors[call.error or f"http_{call.status}"] += 1
            continue
        metadata = call.params.get("metadata") or {}
        outbox_id = (metadata.get("event_payload") or {}).get("outbox_id")
        if isinstance(outbox_id, int):
            ids[outbox_id] += 1
    inside = {key: count for key, count in ids.items() if first_id <= key <= last_id}
    return SlackTally(
        calls=len(calls),
        ok=sum(call.ok for call in calls),
        errors=dict(errors),
        distinct_ids=len(inside),
        duplicated_ids=sum(count > 1 for count in inside.values()),
        extra_calls=sum(count - 1 for count in inside.values()),
        missing_ids=(last_id - first_id + 1) - len(inside),
        outside_range=sum(ids.values()) - sum(inside.values()),
        cpu_seconds=_cpu_seconds() - cpu_at_start,
        peak_rss_kb=peak_rss_kb(),
    )


def _serve_slack(owners: int, leads: int, latency: float, control: Connection) -> None:
    """Sandbox process: serve until told to stop; answer tally requests on `control`."""
    workspace = sandbox_workspace(owners, leads)
    with SandboxServer(workspace, validate=False) as sandbox:
        if latency > 0:
            sandbox.faults.add("chat.postMessage", "slow", times=None, delay=latency)
        control.send(
            SlackSide(
                api_url=sandbox.api_url,
                bot_token=workspace.bot_token,
                signing_secret=workspace.signing_secret,
                pid=os.getpid(),
            )
        )
        cpu_at_start = _cpu_seconds()
        while True:
            command, first_id, last_id = control.recv()
            if command == "tally":
                control.send(_tally(sandbox, first_id, last_id, cpu_at_start))
            else:
                return


@contextmanager
def slack_sandbox(
    owners: int, leads: int, latency: float
) -> Iterator[tuple[SlackSide, Connection]]:
    """A sandbox in its own process, and the pipe to ask it for its tally."""
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    process = context.Process(
        target=_serve_slack, args=(owners, leads, latency, theirs), daemon=True
    )
    process.start()
    try:
        if not mine.poll(60):
            raise RuntimeError("the sandbox process did not start within 60 s")
        yield cast(SlackSide, mine.recv()), mine
    finally:
        mine.send(("stop", 0, 0))
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)


# --- the instance processes -----------------------------------------------------------------


@dataclass(frozen=True)
class InstanceSpec:
    """How to build one instance; None keeps what create_app gives the sender."""

    database_url: str
    slack: SlackSide
    driver: str  # "loop": sweep() back to back; "ticker": the app's own Ticker
    batch: int | None = None
    concurrency: int | None = None
    profile: bool = False


@dataclass
class InstanceReport:
    """What one instance did, measured inside it."""

    pid: int
    worker: str = ""
    batch: int = 0
    concurrency: int = 0
    rows: int = 0
    batches: int = 0
    empty_sweeps: int = 0
    statements: int = 0
    verbs: dict[str, int] = field(default_factory=dict)
    checkouts: int = 0
    commits: int = 0
    claim_seconds: list[float] = field(default_factory=list)
    sweep_seconds: list[float] = field(default_factory=list)
    send_seconds: list[float] = field(default_factory=list)
    settle_seconds: list[float] = field(default_factory=list)
    rss_ready_kb: int = 0
    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0
    error: str | None = None
    profile: str = ""


class Tally:
    """Statements, pool checkouts (each a pre-ping round trip) and commits of one engine."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.checkouts = 0
        self.commits = 0
        self.verbs: Counter[str] = Counter()
        sa.event.listen(engine, "before_cursor_execute", self._on_execute)
        sa.event.listen(engine, "commit", self._on_commit)
        sa.event.listen(engine.pool, "checkout", self._on_checkout)

    def _on_execute(
        self,
        conn: sa.Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        self.statements += 1
        self.verbs[statement.lstrip().split(None, 1)[0].upper()] += 1

    def _on_commit(self, conn: sa.Connection) -> None:
        self.commits += 1

    def _on_checkout(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        self.checkouts += 1

    def snapshot(self) -> tuple[int, int, int, Counter[str]]:
        """Statements, checkouts, commits and statements by first keyword, so far."""
        return self.statements, self.checkouts, self.commits, Counter(self.verbs)


def _time_claims(report: InstanceReport) -> None:
    """Make the sender's claim_due note how long each claim takes (in this process only)."""
    original = claim_due

    def claim_timed(
        *, session: Session, now: dt.datetime, worker: str, lease: dt.timedelta, limit: int
    ) -> list[ClaimedMessage]:
        started = time.perf_counter()
        try:
            return original(session=session, now=now, worker=worker, lease=lease, limit=limit)
        finally:
            report.claim_seconds.append(time.perf_counter() - started)

    # The sender calls the name it imported, so that is the name to replace.
    vars(sender_module)["claim_due"] = claim_timed


def _instrument(sender: OutboxSender, report: InstanceReport, tally: Tally) -> None:
    """Time each send and settle, and count what each sweep cost, on this sender only."""
    send, settle, sweep = sender._send, sender._settle, sender.sweep

    def timed_send(message: ClaimedMessage) -> Outcome:
        started = time.perf_counter()
        try:
            return send(message)
        finally:
            report.send_seconds.append(time.perf_counter() - started)

    def timed_settle(outcome: Outcome) -> None:
        started = time.perf_counter()
        try:
            settle(outcome)
        finally:
            report.settle_seconds.append(time.perf_counter() - started)

    def counted_sweep() -> int:
        statements, checkouts, commits, verbs = tally.snapshot()
        started = time.perf_counter()
        claimed = sweep()
        if not claimed:
            report.empty_sweeps += 1
            return claimed
        report.sweep_seconds.append(time.perf_counter() - started)
        report.batches += 1
        report.rows += claimed
        after = tally.snapshot()
        report.statements += after[0] - statements
        report.checkouts += after[1] - checkouts
        report.commits += after[2] - commits
        report.verbs = dict(Counter(report.verbs) + (after[3] - verbs))
        return claimed

    # Instance attributes win over the class's: the pool, the loop below and the app's
    # ticker closure all go through these.
    sender._send = timed_send  # type: ignore[method-assign]
    sender._settle = timed_settle  # type: ignore[method-assign]
    sender.sweep = counted_sweep  # type: ignore[method-assign]


def _run_instance(
    spec: InstanceSpec,
    ready: Queue[InstanceReport],
    start: Event,
    done: Event,
    results: Queue[InstanceReport],
) -> None:
    """One bot instance: the app as create_app wires it; sweep from the start signal on."""
    logging.basicConfig(level=logging.WARNING, format="instance %(process)d %(name)s: %(message)s")
    report = InstanceReport(pid=os.getpid())
    try:
        settings = Settings(
            database_url=spec.database_url,
            slack_api_url=spec.slack.api_url,
            slack_bot_token=SecretStr(spec.slack.bot_token),
            slack_signing_secret=SecretStr(spec.slack.signing_secret),
            log_level="WARNING",
        )
        # The whole app, not only the sender: its memory is what an instance really holds.
        # Bolt calls auth.test here, which also warms the HTTP path to the sandbox.
        app = create_app(settings)
        sender = app.sender
        if spec.batch is not None:
            sender._batch = spec.batch
        if spec.concurrency is not None:
            sender._pool.shutdown()
            sender._pool = ThreadPoolExecutor(spec.concurrency, thread_name_prefix="outbox")
        report.worker = sender.worker
        report.batch = sender._batch
        report.concurrency = sender._pool._max_workers
        tally = Tally(app.runtime.engine)
        _time_claims(report)
        _instrument(sender, report, tally)
        with app.runtime.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        report.rss_ready_kb = peak_rss_kb()
    except BaseException as error:
        report.error = f"setup: {type(error).__name__}: {error}"
        ready.put(report)
        raise
    ready.put(report)
    start.wait()
    cpu_at_start = _cpu_seconds()
    try:
        if spec.driver == "ticker":
            app.start_background_work()
            done.wait()
        else:
            profiler = cProfile.Profile() if spec.profile else None
            if profiler is not None:
                profiler.enable()
            while not done.is_set():
                if sender.sweep() == 0:
                    done.wait(IDLE_SECONDS)
            if profiler is not None:
                profiler.disable()
                text = io.StringIO()
                # Cumulative time in the project's own functions: where a sweep goes.
                stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
                stats.print_stats(r"/(bot|storage|scheduler)/", PROFILE_LINES)
                report.profile = text.getvalue().strip()
    except Exception as error:
        report.error = f"{type(error).__name__}: {error}"
        log.exception("instance failed")
    finally:
        report.cpu_seconds = _cpu_seconds() - cpu_at_start
        report.peak_rss_kb = peak_rss_kb()
        app.stop()
        results.put(report)


# --- seeding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How big the scene is."""

    tasks: int
    due: int
    old_sent: int
    owners: int
    leads: int


@dataclass(frozen=True)
class Seeded:
    """Where the due rows are, and what seeding took."""

    scheduled: dt.datetime
    first_due_id: int
    last_due_id: int
    outbox_rows: int
    seconds: float


def _conninfo(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


Row = dict[str, Any]


def _copy(connection: psycopg.Connection[Any], table: str, rows: Sequence[Row]) -> None:
    """COPY rows (dicts with the same keys, in the same order) into `table`."""
    if not rows:
        return
    columns = list(rows[0])
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _due_end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """A date-only due date, stored as the end of that day in the task's zone."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), zone).astimezone(dt.UTC)


def _old_payload_template() -> str:
    """A real check-in message as JSON, with markers to put each old row's details in."""
    facts = CheckinFacts(
        task_id=987654321,
        owner_id="U0MARKEROWNER",
        title="MARKER-TITLE",
        due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        due_has_time=False,
        days_left=9,
    )
    return json.dumps({"method": "chat.postMessage", "args": checkin_message(facts)})


@dataclass
class Plan:
    """Who owns and leads each task, when it is due and what it is called (index = task id)."""

    owner_of: list[int]
    lead_of: list[int]
    due_day: list[dt.date]
    title: list[str]

    def owner_slack(self, task_id: int) -> str:
        """The owner's Slack id (the check-in's channel)."""
        return owner_slack_id(self.owner_of[task_id] - 1)

    def zone(self, task_id: int) -> str:
        """The owner's time zone, which the task's dates are in."""
        return person_zone(self.owner_of[task_id])


def _people(scale: Scale, now: dt.datetime) -> list[Row]:
    ids = [owner_slack_id(i) for i in range(scale.owners)]
    ids += [lead_slack_id(i) for i in range(scale.leads)]
    return [
        {
            "id": person_id,
            "team_id": TEAM_ID,
            "slack_user_id": slack_id,
            "display_name": f"Person {person_id}",
            "real_name": f"Person {person_id}",
            "tz": person_zone(person_id),
            "skills": "[]",
            "created_at": now,
            "updated_at": now,
        }
        for person_id, slack_id in enumerate(ids, start=1)
    ]


def _plan(scale: Scale, rng: random.Random, today: dt.date) -> Plan:
    owners = range(1, scale.owners + 1)
    leads = range(scale.owners + 1, scale.owners + scale.leads + 1)
    numbers = range(1, scale.tasks + 1)
    return Plan(
        owner_of=[0] + [rng.choice(owners) for _ in numbers],
        lead_of=[0] + [rng.choice(leads) for _ in numbers],
        due_day=[today] + [today + dt.timedelta(days=rng.randint(14, 90)) for _ in numbers],
        title=[""]
        + [
            f"{VERBS[n % len(VERBS)]} {OBJECTS[n // len(VERBS) % len(OBJECTS)]} (#{n})"
            for n in numbers
        ],
    )


def _history(
    scale: Scale, plan: Plan, scheduled: dt.datetime
) -> tuple[list[Row], dict[int, dt.datetime]]:
    """Messages sent over the past weeks (most of them check-ins), and each task's last one."""
    template = _old_payload_template()
    rows: list[Row] = []
    last_checkin: dict[int, dt.datetime] = {}
    for number in range(scale.old_sent):
        task_id = number % scale.tasks + 1
        # Round-robin over tasks; a task's later rounds go further back, so keys stay unique.
        due_at = scheduled - dt.timedelta(days=1 + number % 60 + 60 * (number // scale.tasks))
        sent_at = due_at + dt.timedelta(seconds=1 + number % 50)
        owner = plan.owner_slack(task_id)
        checkin = number % 5 != 4
        if checkin:
            payload = (
                template.replace("987654321", str(task_id))
                .replace("U0MARKEROWNER", owner)
                .replace("MARKER-TITLE", plan.title[task_id])
            )
            last_checkin[task_id] = max(sent_at, last_checkin.get(task_id, sent_at))
        else:
            text = f"Heads-up: *{plan.title[task_id]}* has a new comment from its lead."
            payload = json.dumps(
                {"method": "chat.postMessage", "args": {"channel": owner, "text": text}}
            )
        rows.append(
            {
                "id": number + 1,
                "team_id": TEAM_ID,
                "kind": (OutboxKind.CHECKIN if checkin else OutboxKind.NOTICE).value,
                "payload": payload,
                "due_at": due_at,
                "state": OutboxState.SENT.value,
                "claimed_by": "old-host:1:00000000",
                "attempts": 1,
                "channel": "D" + owner[1:],
                "ts": f"{sent_at.timestamp():.6f}",
                "unique_key": checkin_key(task_id, due_at) if checkin else None,
                "task_id": task_id,
                "recipient_id": plan.owner_of[task_id],
                "created_at": due_at - dt.timedelta(days=1),
                "sent_at": sent_at,
            }
        )
    return rows, last_checkin


def _tasks(
    scale: Scale,
    plan: Plan,
    rng: random.Random,
    now: dt.datetime,
    last_checkin: dict[int, dt.datetime],
) -> list[Row]:
    """Active tasks; 70% of owners answered their last check-in, some already missed one."""
    rows: list[Row] = []
    for task_id in range(1, scale.tasks + 1):
        previous = last_checkin.get(task_id)
        answered = previous + dt.timedelta(hours=2) if previous and rng.random() < 0.7 else None
        created = now - dt.timedelta(days=rng.randint(7, 90))
        zone = plan.zone(task_id)
        rows.append(
            {
                "id": task_id,
                "team_id": TEAM_ID,
                "lead_id": plan.lead_of[task_id],
                "owner_id": plan.owner_of[task_id],
                "title": plan.title[task_id],
                "goal": GOAL,
                "expectations": "A short summary in the account channel when done.",
                "non_negotiables": "Numbers agreed with finance before the customer sees them.",
                "freedoms": "How you structure it and who you pull in.",
                "risks": "The customer's procurement timeline may slip.",
                "skills": "[]",
                "due_at": _due_end_of_day(plan.due_day[task_id], ZoneInfo(zone)),
                "due_has_time": False,
                "due_tz": zone,
                "rhythm": RHYTHMS[task_id % len(RHYTHMS)].value,
                "state": TaskState.ACTIVE.value,
                "health": "on_track",
                "missed_checkins": int(rng.random() < 0.1),
                "last_checkin_at": answered,
                "created_at": created,
                "updated_at": created,
                "activated_at": created,
                "version": 1,
            }
        )
    return rows


def _due_checkins(
    scale: Scale, plan: Plan, rng: random.Random, scheduled: dt.datetime, first_id: int
) -> list[Row]:
    """This morning's check-ins, built as the app builds them, all due at `scheduled`."""
    rows: list[Row] = []
    due_tasks = sorted(rng.sample(range(1, scale.tasks + 1), scale.due))
    for row_id, task_id in enumerate(due_tasks, start=first_id):
        zone = ZoneInfo(plan.zone(task_id))
        facts = CheckinFacts(
            task_id=task_id,
            owner_id=plan.owner_slack(task_id),
            title=plan.title[task_id],
            due_at=_due_end_of_day(plan.due_day[task_id], zone),
            due_has_time=False,
            days_left=working_days_left(WorkCalendar(tz=zone), scheduled, plan.due_day[task_id]),
        )
        rows.append(
            {
                "id": row_id,
                "team_id": TEAM_ID,
                "kind": OutboxKind.CHECKIN.value,
                "payload": json.dumps(
                    {"method": "chat.postMessage", "args": checkin_message(facts)}
                ),
                "due_at": scheduled,
                "state": OutboxState.PENDING.value,
                "claimed_by": None,
                "attempts": 0,
                "channel": None,
                "ts": None,
                "unique_key": checkin_key(task_id, scheduled),
                "task_id": task_id,
                "recipient_id": plan.owner_of[task_id],
                "created_at": scheduled - dt.timedelta(days=1),
                "sent_at": None,
            }
        )
    return rows


def seed(database_url: str, scale: Scale) -> Seeded:
    """Migrate, then bulk-load people, active tasks, sent history and the due check-ins."""
    started = time.perf_counter()
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    rng = random.Random(SEED_SEED)
    now = utc_now()
    scheduled = now.replace(second=0, microsecond=0)
    workspace = Workspace()
    with Session(engine) as session, session.begin():
        session.add(
            WorkspaceRow(
                team_id=TEAM_ID,
                name=workspace.team_name,
                bot_user_id=workspace.bot_user_id,
                installed_at=now,
                updated_at=now,
            )
        )
    plan = _plan(scale, rng, now.date())
    history, last_checkin = _history(scale, plan, scheduled)
    first_due_id = scale.old_sent + 1
    with psycopg.connect(_conninfo(database_url)) as connection:
        _copy(connection, "people", _people(scale, now))
        _copy(connection, "tasks", _tasks(scale, plan, rng, now, last_checkin))
        _copy(connection, "outbox", history)
        _copy(connection, "outbox", _due_checkins(scale, plan, rng, scheduled, first_due_id))
        for table in ("people", "tasks", "outbox"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        connection.commit()
    vacuum(engine)
    engine.dispose()
    return Seeded(
        scheduled=scheduled,
        first_due_id=first_due_id,
        last_due_id=first_due_id + scale.due - 1,
        outbox_rows=scale.old_sent + scale.due,
        seconds=time.perf_counter() - started,
    )


def vacuum(engine: Engine, table: str = "") -> None:
    """VACUUM ANALYZE (one table or all), so plans and visibility are a settled database's."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM ANALYZE {table}".strip())


# --- claim_due alone ------------------------------------------------------------------------


def probe_claims(database_url: str, batch: int, probes: int) -> tuple[list[float], list[str]]:
    """Time claim_due `probes` times, each rolled back so the table stays as seeded.

    A rolled-back claim still leaves dead index entries under state 'claimed', which the
    next claims would wade through, so the outbox is vacuumed every few probes (untimed).
    """
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    captured: list[tuple[str, Any]] = []

    def capture(
        conn: sa.Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if "SKIP LOCKED" in statement and not captured:
            captured.append((statement, parameters))

    def claim_once() -> float:
        session = sessions()
        try:
            started = time.perf_counter()
            claimed = claim_due(
                session=session, now=utc_now(), worker="bench-probe", lease=LEASE, limit=batch
            )
            elapsed = time.perf_counter() - started
        finally:
            session.rollback()
            session.close()
        if not claimed:
            raise RuntimeError("a probe claimed nothing: no due rows to time")
        return elapsed

    sa.event.listen(engine, "before_cursor_execute", capture)
    claim_once()
    sa.event.remove(engine, "before_cursor_execute", capture)
    vacuum(engine, "outbox")
    statement, parameters = captured[0]
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
        ).all()
        connection.rollback()
    plan = [str(row[0]) for row in rows]
    seconds: list[float] = []
    for number in range(CLAIM_WARMUP + probes):
        if number % PROBE_VACUUM_EVERY == 0:
            vacuum(engine, "outbox")
        elapsed = claim_once()
        if number >= CLAIM_WARMUP:
            seconds.append(elapsed)
    vacuum(engine)
    engine.dispose()
    return seconds, plan


# --- one run --------------------------------------------------------------------------------


@dataclass
class RunResult:
    """Everything one run measured."""

    label: str
    instances: int
    driver: str
    seeded: Seeded
    probe_seconds: list[float]
    plan: list[str]
    reports: list[InstanceReport]
    observed_seconds: float | None
    last_sent_seconds: float | None
    states: dict[str, int]
    queued: list[tuple[str, str, int, dt.datetime]]
    slack: SlackTally
    cpu: CpuSplit
    busy_before: float

    @property
    def all_sent(self) -> bool:
        """Whether every due row ended up sent."""
        return self.states.get(OutboxState.SENT.value, 0) == self.seeded.last_due_id - (
            self.seeded.first_due_id - 1
        )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_ticks(pid: int) -> int:
    """User plus system CPU ticks a process has used (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _backend_pids(database: str) -> list[int]:
    """PostgreSQL backends serving `database` (by their process titles)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read()
        except OSError:
            continue
        if title.startswith(b"postgres") and f" {database} ".encode() in title:
            found.append(int(entry))
    return found


@dataclass(frozen=True)
class CpuSplit:
    """CPU seconds used during the run, by whom (Linux /proc)."""

    instances: float
    backends: float
    sandbox: float
    harness: float
    machine: float
    wall: float

    @property
    def others(self) -> float:
        """Busy time no process of this run accounts for: other work on the host."""
        return max(0.0, self.machine - self.instances - self.backends - self.sandbox - self.harness)


class CpuMeter:
    """Snapshots of the run's processes' CPU, and of the whole machine's."""

    def __init__(self, instances: Sequence[int], sandbox: int, database: str) -> None:
        self._groups: dict[str, Callable[[], list[int]]] = {
            "instances": lambda: list(instances),
            "backends": lambda: _backend_pids(database),
            "sandbox": lambda: [sandbox],
            "harness": lambda: [os.getpid()],
        }
        self._start = self._snapshot()

    def _snapshot(self) -> tuple[float, dict[str, dict[int, int]], tuple[int, int]]:
        groups = {
            name: {pid: _process_ticks(pid) for pid in pids()}
            for name, pids in self._groups.items()
        }
        return time.perf_counter(), groups, _cpu_stat()

    def split(self) -> CpuSplit:
        """CPU used since this meter was made."""
        started, before, machine_before = self._start
        now, after, machine_after = self._snapshot()
        used = {
            name: sum(ticks - before[name].get(pid, 0) for pid, ticks in after[name].items())
            / CLOCK_TICKS
            for name in after
        }
        return CpuSplit(
            instances=used["instances"],
            backends=used["backends"],
            sandbox=used["sandbox"],
            harness=used["harness"],
            machine=(machine_after[0] - machine_before[0]) / CLOCK_TICKS,
            wall=now - started,
        )


def _cpu_stat() -> tuple[int, int]:
    """Busy and total jiffies of the whole machine so far (Linux /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def machine_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over the next `seconds`."""
    before = _cpu_stat()
    time.sleep(seconds)
    after = _cpu_stat()
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def wait_for_quiet(limit: float, threshold: float = QUIET_BUSY) -> float:
    """Wait (up to `limit` seconds) for the machine to idle; returns the last busy share."""
    deadline = time.monotonic() + limit
    busy = machine_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = machine_busy()
    return busy


@dataclass(frozen=True)
class RunOptions:
    """What every run shares."""

    latency: float
    driver: str
    probes: int
    timeout: float
    quiet_wait: float
    profile: bool


def run_once(
    server_url: str,
    scale: Scale,
    instances: int,
    options: RunOptions,
    *,
    label: str,
    batch: int | None = None,
    concurrency: int | None = None,
) -> RunResult:
    """Fresh database and sandbox; `instances` processes sweep until every due row is sent."""
    with throwaway_database(server_url) as url:
        seeded = seed(url, scale)
        with slack_sandbox(scale.owners, scale.leads, options.latency) as (slack, control):
            spec = InstanceSpec(
                url, slack, options.driver, batch, concurrency, profile=options.profile
            )
            context = multiprocessing.get_context("spawn")
            ready: Queue[InstanceReport] = context.Queue()
            results: Queue[InstanceReport] = context.Queue()
            start, done = context.Event(), context.Event()
            processes = [
                context.Process(
                    target=_run_instance, args=(spec, ready, start, done, results), daemon=True
                )
                for _ in range(instances)
            ]
            for process in processes:
                process.start()
            try:
                readied = [ready.get(timeout=120) for _ in processes]
                failed = [report.error for report in readied if report.error]
                if failed:
                    raise RuntimeError(f"an instance failed to start: {failed[0]}")
                # Measured while the instances idle, with the batch size they will claim.
                probe_seconds, plan = probe_claims(url, readied[0].batch, options.probes)
                poll = make_engine(url)
                due_range = {"first": seeded.first_due_id, "last": seeded.last_due_id}
                # The host may be shared: start on an idle machine if one comes soon enough.
                idle_before = wait_for_quiet(options.quiet_wait)
                meter = CpuMeter(
                    [process.pid or 0 for process in processes],
                    slack.pid,
                    str(make_url(url).database),
                )
                started_wall = time.time()
                started = time.perf_counter()
                start.set()
                observed: float | None = None
                while time.perf_counter() - started < options.timeout:
                    time.sleep(POLL_SECONDS)
                    with poll.connect() as connection:
                        remaining = connection.execute(
                            sa.text(
                                "SELECT count(*) FROM outbox WHERE id BETWEEN :first AND :last "
                                "AND state IN ('pending', 'claimed')"
                            ),
                            due_range,
                        ).scalar_one()
                    if remaining == 0:
                        observed = time.perf_counter() - started
                        break
                    if not any(process.is_alive() for process in processes):
                        break
                cpu = meter.split()
                done.set()
                reports = [results.get(timeout=120) for _ in processes]
            finally:
                start.set()
                done.set()
                for process in processes:
                    process.join(timeout=30)
                    if process.is_alive():
                        process.terminate()
            control.send(("tally", seeded.first_due_id, seeded.last_due_id))
            tally = cast(SlackTally, control.recv())
        with poll.connect() as connection:
            states = {
                str(state): int(count)
                for state, count in connection.execute(
                    sa.text(
                        "SELECT state, count(*) FROM outbox WHERE id BETWEEN :first AND :last "
                        "GROUP BY state"
                    ),
                    due_range,
                ).all()
            }
            last_sent = connection.execute(
                sa.text("SELECT max(sent_at) FROM outbox WHERE id BETWEEN :first AND :last"),
                due_range,
            ).scalar_one()
            queued = [
                (str(kind), str(state), int(count), first_due)
                for kind, state, count, first_due in connection.execute(
                    sa.text(
                        "SELECT kind, state, count(*), min(due_at) FROM outbox WHERE id > :last "
                        "GROUP BY kind, state ORDER BY kind, state"
                    ),
                    due_range,
                ).all()
            ]
        poll.dispose()
    return RunResult(
        label=label,
        instances=instances,
        driver=options.driver,
        seeded=seeded,
        probe_seconds=probe_seconds,
        plan=plan,
        reports=sorted(reports, key=lambda report: report.pid),
        observed_seconds=observed,
        last_sent_seconds=last_sent.timestamp() - started_wall if last_sent else None,
        states=states,
        queued=queued,
        slack=tally,
        cpu=cpu,
        busy_before=idle_before,
    )


# --- printing -------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def _ms(values: Sequence[float], fraction: float) -> str:
    return f"{percentile(values, fraction) * 1000:.1f} ms"


def _mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def print_run(result: RunResult, scale: Scale) -> None:
    """The figures of one run."""
    reports = result.reports
    batch = reports[0].batch if reports else 0
    concurrency = reports[0].concurrency if reports else 0
    plural = "instance" if result.instances == 1 else "instances"
    print()
    print(
        f"--- {result.label}: {result.instances} {plural} on PostgreSQL, batch {batch}, "
        f"concurrency {concurrency}, driver {result.driver} ---"
    )
    seeded = result.seeded
    print(
        f"seeded in {seeded.seconds:.1f} s (not measured): {scale.owners + scale.leads:,} people, "
        f"{scale.tasks:,} active tasks, {seeded.outbox_rows:,} outbox rows, {scale.due:,} "
        f"check-ins due at {seeded.scheduled:%H:%M} UTC"
    )
    probes = result.probe_seconds
    print(
        f"claim_due alone at this size ({len(probes)} claims of {batch}, each rolled back): "
        f"p50 {_ms(probes, 0.5)}, p95 {_ms(probes, 0.95)}, max {_ms(probes, 1.0)}"
    )
    for line in result.plan[:PLAN_LINES]:
        print(f"    plan | {line}")
    due = scale.due
    if result.all_sent and result.last_sent_seconds is not None:
        seconds = result.last_sent_seconds
        seen = f"{result.observed_seconds:.2f} s" if result.observed_seconds else "-"
        print(
            f"all {due:,} sent in {seconds:.2f} s (start signal to last sent_at; the "
            f"{POLL_SECONDS} s poll saw it at {seen}): {due / seconds:,.0f} sends/s"
        )
    else:
        print(f"NOT all sent: {result.states} (timeout or an instance died)")
    for report in reports:
        sweep_total = sum(report.sweep_seconds) or 1.0
        send_mean = statistics.fmean(report.send_seconds) if report.send_seconds else 0.0
        cap = report.concurrency / send_mean if send_mean else 0.0
        print(
            f"  instance {report.pid}: {report.rows:,} rows in {report.batches:,} batches "
            f"({report.empty_sweeps} empty sweeps), peak RSS {_mb(report.peak_rss_kb)} "
            f"({_mb(report.rss_ready_kb)} when ready), CPU {report.cpu_seconds:.1f} s"
            + (f", ERROR {report.error}" if report.error else "")
        )
        print(
            f"    sweep p50 {_ms(report.sweep_seconds, 0.5)}; chat.postMessage round trip "
            f"p50 {_ms(report.send_seconds, 0.5)} p95 {_ms(report.send_seconds, 0.95)} "
            f"(x{report.concurrency} threads caps sends at {cap:,.0f}/s); settle (serial, in "
            f"the sweep thread) p50 {_ms(report.settle_seconds, 0.5)} "
            f"p95 {_ms(report.settle_seconds, 0.95)} = "
            f"{sum(report.settle_seconds) / sweep_total:.0%} of sweep time"
        )
        print(
            f"    claim_due during the run: p50 {_ms(report.claim_seconds, 0.5)}, "
            f"p95 {_ms(report.claim_seconds, 0.95)}, max {_ms(report.claim_seconds, 1.0)} "
            f"= {sum(report.claim_seconds) / sweep_total:.0%} of sweep time"
        )
    batches = sum(report.batches for report in reports) or 1
    verbs: Counter[str] = Counter()
    for report in reports:
        verbs.update(report.verbs)
    by_verb = ", ".join(f"{verb} {count / batches:.1f}" for verb, count in verbs.most_common())
    rows = sum(report.rows for report in reports) or 1
    statements = sum(report.statements for report in reports)
    checkouts = sum(report.checkouts for report in reports)
    commits = sum(report.commits for report in reports)
    print(
        f"SQL statements per claimed batch: {statements / batches:.1f} ({by_verb}) over "
        f"{rows / batches:.1f} rows a batch; besides them {checkouts / batches:.1f} pool "
        f"checkouts (a pre-ping round trip each) and {commits / batches:.1f} commits"
    )
    print(
        f"  per row sent: {statements / rows:.2f} statements, {checkouts / rows:.2f} "
        f"checkouts, {commits / rows:.2f} transactions (psycopg sends BEGIN and COMMIT each)"
    )
    slack = result.slack
    print(
        f"exactly once (sandbox record): {slack.distinct_ids:,} of {due:,} due rows posted, "
        f"{slack.duplicated_ids} duplicated ids ({slack.extra_calls} extra calls), "
        f"{slack.missing_ids} missing; {slack.calls:,} chat.postMessage calls in all, "
        f"{slack.outside_range} for rows the hooks queued, errors {slack.errors or 'none'}"
    )
    print(f"due rows by state: {result.states}")
    for kind, state, count, first_due in result.queued:
        print(
            f"  queued by the run: {count:,} {kind} ({state}), "
            f"earliest due {first_due:%Y-%m-%d %H:%M}"
        )
    cpu = result.cpu
    cores = os.cpu_count() or 1
    print(
        f"CPU: machine {result.busy_before:.0%} busy in the second before the start, "
        f"{cpu.machine / cpu.wall / cores:.0%} of {cores} cores over the "
        f"{cpu.wall:.1f} s run = {cpu.machine:.1f} CPU-s: instances {cpu.instances:.1f}, "
        f"their PostgreSQL backends {cpu.backends:.1f}, sandbox {cpu.sandbox:.1f}, "
        f"this harness {cpu.harness:.1f}, anything else on the host {cpu.others:.1f}"
    )
    print(
        f"  per row: instance {cpu.instances / due * 1000:.2f} ms CPU, PostgreSQL "
        f"{cpu.backends / due * 1000:.2f} ms CPU; sandbox peak RSS {_mb(slack.peak_rss_kb)}"
    )
    for report in reports[:1]:
        if report.profile:
            print(f"  profile of instance {report.pid} (its sweep thread, under cProfile):")
            for line in report.profile.splitlines():
                print(f"    | {line}")


def print_goals(real: list[RunResult], scale: Scale) -> None:
    """Each goal, met or not, from the runs with the app's own settings."""
    print()
    driver = real[0].driver if real else "-"
    print(
        f"goals (runs with the app's own batch and concurrency, driver {driver}, at this "
        f"scale: {scale.tasks:,} tasks, {scale.due:,} due; the goals are set for 100,000/10,000):"
    )
    times = {
        result.instances: result.last_sent_seconds
        for result in real
        if result.all_sent and result.last_sent_seconds is not None
    }
    one, three = times.get(1), times.get(3)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    if one is not None:
        print(f"  all sent within 60 s on one instance: {one:.1f} s -> {verdict(one <= 60)}")
    if one is not None and three is not None:
        speedup = one / three
        print(f"  3 instances at least 2.5x faster: {speedup:.2f}x -> {verdict(speedup >= 2.5)}")
    rss = max((r.peak_rss_kb for result in real for r in result.reports), default=0)
    print(f"  peak RSS under 200 MB: highest {_mb(rss)} -> {verdict(rss < 200 * 1024)}")
    p95 = max((percentile(result.probe_seconds, 0.95) for result in real), default=0.0)
    in_run = max(
        (percentile(r.claim_seconds, 0.95) for result in real for r in result.reports),
        default=0.0,
    )
    print(
        f"  claim p95 under 20 ms: {p95 * 1000:.1f} ms alone at this size -> "
        f"{verdict(p95 < 0.020)} (during the runs: up to {in_run * 1000:.1f} ms)"
    )


# --- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Seed, sweep with each instance count, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000, help="active tasks")
    parser.add_argument("--due", type=int, default=10_000, help="check-ins due in the minute")
    parser.add_argument("--old-sent", type=int, default=100_000, help="older sent outbox rows")
    parser.add_argument("--owners", type=int, default=1_000)
    parser.add_argument("--leads", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="chat.postMessage delay")
    parser.add_argument("--instances", default="1,3", help="comma-separated instance counts")
    parser.add_argument(
        "--database-url",
        default=None,
        help=(
            "PostgreSQL server to make throwaway databases on"
            " (default: as tests/helpers/pg.py finds)"
        ),
    )
    parser.add_argument(
        "--driver",
        choices=("loop", "ticker"),
        default="loop",
        help="loop: sweep() back to back; ticker: the app's Ticker at SWEEP_INTERVAL_SECONDS",
    )
    parser.add_argument("--claim-probes", type=int, default=CLAIM_PROBES)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="seconds to wait before each run for other load on the host to stop",
    )
    parser.add_argument(
        "--experiment-concurrency",
        type=int,
        default=0,
        help="also run every instance count with this many send threads (an experiment)",
    )
    parser.add_argument(
        "--experiment-batch", type=int, default=0, help="batch size for the experiment runs"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each instance's sweep loop under cProfile and print the first one's top",
    )
    args = parser.parse_args(argv)
    if args.due > args.tasks:
        parser.error("--due cannot exceed --tasks")
    counts = [int(part) for part in args.instances.split(",") if part.strip()]
    scale = Scale(args.tasks, args.due, args.old_sent, args.owners, args.leads)
    server_url = args.database_url
    if server_url is None:
        server_url, reason = probe_postgres()
        if server_url is None:
            print(f"no PostgreSQL server answered: {reason}")
            return 1
    with make_engine(server_url).connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar_one()
    print(
        f"outbox sweep: {scale.tasks:,} active tasks, {scale.due:,} check-ins due in one "
        f"minute, {scale.old_sent:,} older sent rows; chat.postMessage answers after "
        f"{args.latency_ms:g} ms; PostgreSQL {version} at {describe_url(server_url)}; "
        f"{os.cpu_count()} CPUs here"
    )
    print(
        "each instance is create_app(settings) in its own process (its sender as the app "
        "builds it: after_sent={CHECKIN: after_checkin_sent}); batch and concurrency below "
        "are read back from that sender"
    )
    options = RunOptions(
        latency=args.latency_ms / 1000,
        driver=args.driver,
        probes=args.claim_probes,
        timeout=args.timeout,
        quiet_wait=args.quiet_wait,
        profile=args.profile,
    )
    real: list[RunResult] = []
    for count in counts:
        result = run_once(server_url, scale, count, options, label="the app's own settings")
        print_run(result, scale)
        real.append(result)
    print_goals(real, scale)
    if args.experiment_concurrency or args.experiment_batch:
        experiments: list[RunResult] = []
        for count in counts:
            result = run_once(
                server_url,
                scale,
                count,
                options,
                label="EXPERIMENT, not the app's settings",
                batch=args.experiment_batch or None,
                concurrency=args.experiment_concurrency or None,
            )
            print_run(result, scale)
            experiments.append(result)
        times = [r.last_sent_seconds for r in experiments if r.all_sent and r.last_sent_seconds]
        if len(times) == len(experiments) and len(times) >= 2 and times[-1]:
            print(f"EXPERIMENT speed-up {counts[-1]} vs {counts[0]}: {times[0] / times[-1]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
