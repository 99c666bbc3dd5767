"""App Home publish: SQL statements and server time for a lead with 200 active delegations.

The scene (issue 6, item 5): one lead (U0LEAD) has 200 ACTIVE delegations spread over 40
owners, each with three status updates, the check-ins they answered (SENT outbox rows) and
the next check-in queued (PENDING); a few more of their delegations wait on them (restatement
to approve, work to accept), 30 tasks are assigned to them by others (some waiting for their
confirmation or an answer to a check-in), two feedback surveys wait for their answer, and
older completed work plus other leads' delegations to the same owners fill the tables around
them. Everything is written with storage.repositories and the models, as the app writes it.

One publish, as the server does it, in one session:
- person lookup: `session.get(Person, id)`, what compose_home does before gathering;
- gather: `bot.services.home.gather(runtime, session, team_id, person)`;
- render: `bot.views.home.home_view(data)`.
Statements are counted with SQLAlchemy's "before_cursor_execute" (what the app itself sends;
the psycopg BEGIN/ROLLBACK and the pool's pre-ping round trip do not pass through it, so pool
checkouts are printed beside them). After 5 warm-up publishes, --runs publishes are timed
with time.perf_counter; printed: p50/p95/max of each part and of the whole, the statements,
and the size of the view (blocks and JSON bytes). compose_home, as the outbox sweep calls it
(inside session_scope, so with its commit), is timed the same way.

PostgreSQL: a throwaway database on the server (TEST_DATABASE_URL, or as tests/helpers/pg.py finds
one; --database-url names another server), fresh every run. SQLite: --database-url
sqlite:///path/file.sqlite3; every table in that file is dropped first. Both are migrated with
storage.migrate.upgrade_to_head. Seeding is timed but not counted. Prints figures; asserts
nothing.

Run:  .venv/bin/python -m tests.bench.bench_home            (or `make bench-home`)
      .venv/bin/python -m tests.bench.bench_home --database-url sqlite:////tmp/home.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    SurveyKind,
    TaskState,
    UpdateSource,
)
from bot.runtime import Runtime
from bot.services.checkins import checkin_key
from bot.services.home import compose_home, gather
from bot.settings import Settings
from bot.views.home import HomeData, home_view
from storage import repositories as repo
from storage.db import (
    describe_url,
    make_engine,
    make_session_factory,
    normalise_database_url,
    session_scope,
)
from storage.migrate import upgrade_to_head
from storage.models import Outbox, Person, StatusUpdate, Task
from storage.outbox import ClaimedMessage
from tests.bench.bench_sweep import GOAL, OBJECTS, VERBS
from tests.helpers.pg import probe_postgres, throwaway_database

TEAM_ID = "T0HOMEBENCH"
LEAD_ID = "U0LEAD"
# A fixed instant (a Monday morning) instead of the wall clock: every run sees the same Home.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WARMUP = 5
GOAL_STATEMENTS = 10
GOAL_SECONDS = 0.100
ANALYZE = {"postgresql": "VACUUM ANALYZE", "sqlite": "ANALYZE"}
SQL_SHOWN = 160
# What a publish costs besides the statements "before_cursor_execute" sees.
UNSEEN = {
    "postgresql": "and, unseen by the counter, its pre-ping (psycopg sends an empty query) and "
    "psycopg's own BEGIN and, at close, ROLLBACK: three more round trips",
    "sqlite": "no pre-ping; the BEGIN above is the app's own (sqlite_begin) and is counted, "
    "the ROLLBACK at close is sqlite3's and is not",
}  # characters of each statement printed by --sql

ZONES = ("Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata")
NOTES = (
    "",
    "waiting on legal for the last clause",
    "first draft shared with finance, numbers agreed",
    "blocked until the vendor sends the signed SOW",
)
# Health by task index: mostly on track, some at risk, a few blocked.
HEALTHS = (Health.ON_TRACK,) * 7 + (Health.AT_RISK,) * 2 + (Health.BLOCKED,)
UPDATE_DAYS = (21, 14, 7)  # status updates this many days before NOW, one per sent check-in


# --- seeding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How much there is around the lead's Home."""

    tasks: int  # the lead's ACTIVE delegations
    owners: int
    waiting: int  # the lead's delegations awaiting approval, and as many awaiting acceptance
    assigned: int  # open tasks where the lead is the owner
    completed: int  # the lead's completed delegations (history the queries must skip)
    others: int  # active delegations from other leads to the same owners
    surveys: int  # open surveys for the lead to answer


@dataclass
class Seeded:
    """What the seed wrote, and how long it took."""

    lead_pk: int = 0
    seconds: float = 0.0
    people: int = 0
    tasks: Counter[TaskState] = field(default_factory=Counter)
    updates: int = 0
    outbox: int = 0
    surveys: int = 0


class Seeder:
    """Writes the scene through storage.repositories, in one unit of work."""

    def __init__(self, session: Session, seeded: Seeded) -> None:
        self.session = session
        self.seeded = seeded
        self.count = 0

    def person(self, slack_user_id: str, name: str, zone: str) -> Person:
        person = repo.upsert_person(
            session=self.session,
            team_id=TEAM_ID,
            slack_user_id=slack_user_id,
            now=NOW - dt.timedelta(days=90),
            display_name=name,
            real_name=name,
            tz=zone,
        )
        self.seeded.people += 1
        return person

    def task(
        self,
        lead: Person,
        owner: Person,
        state: TaskState,
        *,
        answered: bool = True,
    ) -> Task:
        """A task in `state`; active and finished ones have their check-in history.

        answered=False leaves the latest sent check-in without an answer, so an ACTIVE task
        shows under the owner's "Needs you".
        """
        index = self.count
        self.count += 1
        created = NOW - dt.timedelta(days=28, hours=index % 24)
        # Mostly due in the coming weeks; every 20th is overdue.
        due = (
            NOW - dt.timedelta(days=2)
            if index % 20 == 7
            else NOW + dt.timedelta(days=3 + index % 45, hours=index % 7)
        )
        task = repo.create_task(
            session=self.session,
            team_id=TEAM_ID,
            lead_id=lead.id,
            owner_id=owner.id,
            title=f"{VERBS[index % len(VERBS)]} {OBJECTS[index // len(VERBS) % len(OBJECTS)]}",
            goal=GOAL,
            due_at=due,
            due_tz=owner.tz or "UTC",
            now=created,
            due_has_time=index % 5 == 0,
        )
        task.state = state
        task.updated_at = created + dt.timedelta(days=1)
        self.seeded.tasks[state] += 1
        if state in (TaskState.AWAITING_CONFIRMATION, TaskState.AWAITING_APPROVAL):
            task.updated_at = NOW - dt.timedelta(hours=2 + index % 30)
            return task
        task.activated_at = created + dt.timedelta(days=1)
        health = HEALTHS[index % len(HEALTHS)]
        self._history(task, owner, health, answered=answered)
        task.health = health
        if state is TaskState.AWAITING_ACCEPTANCE:
            task.done_at = NOW - dt.timedelta(hours=5 + index % 40)
            task.updated_at = task.done_at
        elif state is TaskState.COMPLETED:
            task.done_at = NOW - dt.timedelta(days=3)
            task.completed_at = NOW - dt.timedelta(days=2)
            task.updated_at = task.completed_at
        else:
            self._checkin(task, owner, NOW + dt.timedelta(days=1 + index % 7), sent=False)
        return task

    def _history(self, task: Task, owner: Person, health: Health, *, answered: bool) -> None:
        """Three answered check-ins (the last answer gives the health), maybe one unanswered."""
        for position, days in enumerate(UPDATE_DAYS):
            asked = NOW - dt.timedelta(days=days)
            last = position == len(UPDATE_DAYS) - 1
            answer = CheckinAnswer(health.value) if last else CheckinAnswer.ON_TRACK
            row = self._checkin(task, owner, asked, sent=True)
            self.session.add(
                StatusUpdate(
                    team_id=TEAM_ID,
                    task_id=task.id,
                    person_id=owner.id,
                    answer=answer,
                    note=NOTES[(task.id + position) % len(NOTES)],
                    source=UpdateSource.CHECKIN,
                    outbox_id=row.id,
                    created_at=asked + dt.timedelta(hours=1, minutes=task.id % 50),
                )
            )
            self.seeded.updates += 1
        task.last_checkin_at = NOW - dt.timedelta(days=UPDATE_DAYS[-1])
        if not answered:
            self._checkin(task, owner, NOW - dt.timedelta(hours=20), sent=True)
            task.last_checkin_at = NOW - dt.timedelta(hours=20)

    def _checkin(self, task: Task, owner: Person, at: dt.datetime, *, sent: bool) -> Outbox:
        row = repo.enqueue_outbox(
            session=self.session,
            team_id=TEAM_ID,
            kind=OutboxKind.CHECKIN,
            payload={
                "method": "chat.postMessage",
                "args": {"channel": owner.slack_user_id, "text": f"How is {task.title} going?"},
            },
            due_at=at,
            now=at - dt.timedelta(days=3),
            unique_key=checkin_key(task.id, at),
            task_id=task.id,
            recipient_id=owner.id,
        )
        if row is None:
            raise RuntimeError(f"check-in for task {task.id} at {at} was already queued")
        if sent:
            row.state = OutboxState.SENT
            row.attempts = 1
            row.sent_at = at + dt.timedelta(seconds=2)
            row.channel = f"D{owner.slack_user_id[1:]}"
            row.ts = f"{int(row.sent_at.timestamp())}.{row.id:06d}"
        self.seeded.outbox += 1
        return row


def seed(runtime: Runtime, scale: Scale) -> Seeded:
    """The lead's world, written as the app writes it."""
    seeded = Seeded()
    started = time.perf_counter()
    with session_scope(runtime.sessions) as session:
        repo.upsert_workspace(session=session, team_id=TEAM_ID, now=NOW, name="Home bench")
        seeder = Seeder(session, seeded)
        lead = seeder.person(LEAD_ID, "Lead", "Europe/London")
        lead.home_seen_at = NOW - dt.timedelta(days=1)
        owners = [
            seeder.person(f"U0OWN{i:04d}", f"Owner {i}", ZONES[i % len(ZONES)])
            for i in range(scale.owners)
        ]
        for i, owner in enumerate(owners):
            if i % 5 == 0:
                owner.capacity = 8
            if i % 13 == 3:  # a few away this week
                owner.ooo_start = NOW.date()
                owner.ooo_end = NOW.date() + dt.timedelta(days=4)
        bosses = [seeder.person(f"U0BOSS{i:02d}", f"Boss {i}", "Europe/Berlin") for i in range(3)]
        session.flush()
        for i in range(scale.tasks):
            seeder.task(lead, owners[i % len(owners)], TaskState.ACTIVE)
        for i in range(scale.waiting):
            seeder.task(lead, owners[(3 * i) % len(owners)], TaskState.AWAITING_APPROVAL)
            seeder.task(lead, owners[(3 * i + 1) % len(owners)], TaskState.AWAITING_ACCEPTANCE)
        for i in range(scale.assigned):
            boss = bosses[i % len(bosses)]
            if i % 10 == 8:
                seeder.task(boss, lead, TaskState.AWAITING_CONFIRMATION)
            elif i % 10 == 9:
                seeder.task(boss, lead, TaskState.AWAITING_ACCEPTANCE)
            else:
                seeder.task(boss, lead, TaskState.ACTIVE, answered=i % 3 != 0)
        for i in range(scale.completed):
            seeder.task(lead, owners[i % len(owners)], TaskState.COMPLETED)
        for i in range(scale.others):
            seeder.task(bosses[i % len(bosses)], owners[i % len(owners)], TaskState.ACTIVE)
        for i in range(scale.surveys):
            boss = bosses[i % len(bosses)]
            done = seeder.task(boss, lead, TaskState.COMPLETED)
            repo.create_survey(
                session=session,
                team_id=TEAM_ID,
                kind=SurveyKind.OWNER,
                lead_id=boss.id,
                respondent_id=lead.id,
                sent_at=NOW - dt.timedelta(days=1, hours=i),
                closes_at=NOW + dt.timedelta(days=6),
                anonymity_offered=False,
                task_id=done.id,
            )
            seeded.surveys += 1
        session.flush()
        seeded.lead_pk = lead.id
    seeded.seconds = time.perf_counter() - started
    return seeded


# --- counting -------------------------------------------------------------------------------


class Statements:
    """Every statement the engine sends through its cursor, and the pool's checkouts."""

    def __init__(self, engine: Engine) -> None:
        self.sql: list[str] = []
        self.checkouts = 0
        sa.event.listen(engine, "before_cursor_execute", self._on_execute)
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
        self.sql.append(statement)

    def _on_checkout(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        self.checkouts += 1

    def reset(self) -> None:
        self.sql.clear()
        self.checkouts = 0

    def mark(self) -> int:
        return len(self.sql)


@contextmanager
def collections() -> Iterator[Counter[int]]:
    """Garbage collections by generation while the block runs (pauses land in the times)."""
    counted: Counter[int] = Counter()

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counted[info["generation"]] += 1

    gc.callbacks.append(on_gc)
    try:
        yield counted
    finally:
        gc.callbacks.remove(on_gc)


def verb(statement: str) -> str:
    """The statement's first keyword (SELECT, BEGIN, ...)."""
    words = statement.lstrip().split(None, 1)
    return words[0].upper() if words else "?"


def by_verb(statements: Sequence[str]) -> str:
    counts = Counter(verb(statement) for statement in statements)
    return ", ".join(f"{name} {count}" for name, count in counts.most_common()) or "none"


# --- one publish ----------------------------------------------------------------------------


@dataclass
class Publish:
    """Times (seconds) and statements of one publish."""

    lookup: float
    gather: float
    render: float
    total: float
    cpu: float  # this process's CPU time over the total (the rest is waiting, mostly on SQL)
    serialise: float
    lookup_sql: list[str]
    gather_sql: list[str]
    render_sql: list[str]
    checkouts: int
    data: HomeData
    view: dict[str, Any]


def publish_once(runtime: Runtime, counter: Statements, lead_pk: int) -> Publish:
    """Person lookup, gather and render in one fresh session, as a publish does them."""
    counter.reset()
    cpu_started = time.process_time()
    started = time.perf_counter()
    with runtime.sessions() as session:
        person = session.get(Person, lead_pk)
        if person is None:
            raise LookupError(f"person {lead_pk} is gone")
        looked_up, lookup_mark = time.perf_counter(), counter.mark()
        data = gather(runtime, session, TEAM_ID, person)
        gathered, gather_mark = time.perf_counter(), counter.mark()
        view = home_view(data)
        rendered, render_mark = time.perf_counter(), counter.mark()
    closed = time.perf_counter()
    cpu = time.process_time() - cpu_started
    # What the Slack client then sends (outside the publish's server work as the goal has it).
    json.dumps(view)
    serialised = time.perf_counter()
    sql = list(counter.sql)
    return Publish(
        lookup=looked_up - started,
        gather=gathered - looked_up,
        render=rendered - gathered,
        total=closed - started,
        cpu=cpu,
        serialise=serialised - closed,
        lookup_sql=sql[:lookup_mark],
        gather_sql=sql[lookup_mark:gather_mark],
        render_sql=sql[gather_mark:render_mark],
        checkouts=counter.checkouts,
        data=data,
        view=view,
    )


@dataclass
class Composed:
    """Time and statements of one compose_home, as the sweep runs it."""

    seconds: float
    sql: list[str]
    checkouts: int


def compose_once(runtime: Runtime, counter: Statements, lead_pk: int) -> Composed:
    """compose_home inside session_scope, which is how the outbox sender calls a composer."""
    message = ClaimedMessage(
        id=0,
        team_id=TEAM_ID,
        kind=OutboxKind.HOME,
        payload={"method": "views.publish", "args": {"user_id": LEAD_ID}},
        attempts=1,
        task_id=None,
        recipient_id=lead_pk,
    )
    counter.reset()
    started = time.perf_counter()
    with session_scope(runtime.sessions) as session:
        composed = compose_home(runtime, session, message)
    seconds = time.perf_counter() - started
    if composed is None:
        raise LookupError(f"compose_home found no person {lead_pk}")
    return Composed(seconds=seconds, sql=list(counter.sql), checkouts=counter.checkouts)


# --- printing -------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def spread(values: Sequence[float]) -> str:
    """p50, p95 and max in milliseconds."""
    return (
        f"p50 {percentile(values, 0.5) * 1000:6.2f} ms  p95 {percentile(values, 0.95) * 1000:6.2f}"
        f" ms  max {max(values, default=0.0) * 1000:6.2f} ms"
    )


def counts(values: Sequence[int]) -> str:
    """One number when every run agreed, else the range."""
    low, high = min(values, default=0), max(values, default=0)
    return f"{low}" if low == high else f"{low}-{high} (varied between runs)"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def print_sql(title: str, statements: Sequence[str]) -> None:
    print(f"  {title}:")
    for number, statement in enumerate(statements, start=1):
        flat = " ".join(statement.split())
        shown = flat if len(flat) <= SQL_SHOWN else flat[: SQL_SHOWN - 3] + "..."
        print(f"    {number}. {shown}")


# --- databases ------------------------------------------------------------------------------


@contextmanager
def prepared_database(url: str) -> Iterator[tuple[str, str]]:
    """A migrated, empty database: (its URL, what to call it in the header)."""
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        with make_engine(url).connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar_one()
        with throwaway_database(url) as fresh:
            yield fresh, f"PostgreSQL {version} at {describe_url(fresh)} (throwaway database)"
        return
    engine = make_engine(url)
    try:
        # Drop everything the file holds (alembic_version too), then migrate from nothing.
        existing = sa.MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()
    yield url, f"SQLite {sqlite3.sqlite_version} at {describe_url(url)} (tables dropped first)"


def settle(engine: Engine) -> None:
    """VACUUM ANALYZE (ANALYZE on SQLite): plans from a settled database's statistics."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(ANALYZE[engine.dialect.name])


def bench_runtime(engine: Engine, clock: Callable[[], dt.datetime]) -> Runtime:
    """A Runtime like the app's (its session factory included), on a fixed clock."""
    return Runtime(
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        engine=engine,
        sessions=make_session_factory(engine, sqlite_begin="IMMEDIATE"),
        clock=clock,
        kick_sweep=lambda: None,
    )


def fixed_clock() -> dt.datetime:
    return NOW


# --- entry point ----------------------------------------------------------------------------


def run(url: str, label: str, scale: Scale, runs: int, show_sql: bool, analyze: bool) -> None:
    """Seed, publish WARMUP + runs times, then compose as the sweep does; print the figures."""
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        dialect = engine.dialect.name
        runtime = bench_runtime(engine, fixed_clock)
        print(
            f"App Home publish for a lead ({LEAD_ID}) with {scale.tasks} active delegations over "
            f"{scale.owners} owners; {WARMUP} warm-up publishes, then {runs} measured"
        )
        print(
            f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
            f"{platform.python_version()}, SQLAlchemy {sa.__version__}"
        )
        print(f"database: {label}")
        print(
            f"goal: <= {GOAL_STATEMENTS} statements, < {GOAL_SECONDS * 1000:.0f} ms "
            "(server time: person lookup + gather + render)"
        )
        seeded = seed(runtime, scale)
        if analyze:
            settle(engine)
        states = ", ".join(f"{count} {state.value}" for state, count in seeded.tasks.items())
        print(
            f"seeded in {seeded.seconds:.1f} s (not measured): {seeded.people} people, "
            f"{sum(seeded.tasks.values())} tasks ({states}), {seeded.updates} status updates, "
            f"{seeded.outbox} check-in outbox rows, {seeded.surveys} open surveys; "
            + (f"then {ANALYZE[engine.dialect.name]}" if analyze else "NOT analyzed (--no-analyze)")
        )
        counter = Statements(engine)
        for _ in range(WARMUP):
            publish_once(runtime, counter, seeded.lead_pk)
        with collections() as collected:
            publishes = [publish_once(runtime, counter, seeded.lead_pk) for _ in range(runs)]
        last = publishes[-1]
        data, view = last.data, last.view
        size = len(json.dumps(view).encode())
        print(
            f"Home: {len(data.needs_you)} needs you, {len(data.delegated)} delegated, "
            f"{len(data.assigned)} assigned, {len(data.team_load)} team load lines -> view of "
            f"{len(view['blocks'])} blocks, {size:,} bytes of JSON"
        )
        per_publish = [len(p.lookup_sql) + len(p.gather_sql) + len(p.render_sql) for p in publishes]
        print(
            f"SQL statements per publish: {counts(per_publish)} = person lookup "
            f"{counts([len(p.lookup_sql) for p in publishes])} ({by_verb(last.lookup_sql)}) + "
            f"gather {counts([len(p.gather_sql) for p in publishes])} "
            f"({by_verb(last.gather_sql)}) + render "
            f"{counts([len(p.render_sql) for p in publishes])}"
        )
        print(
            f"  besides them: {counts([p.checkouts for p in publishes])} pool checkout, "
            + UNSEEN[dialect]
        )
        if show_sql:
            print_sql("person lookup", last.lookup_sql)
            print_sql("gather", last.gather_sql)
            print_sql("render", last.render_sql)
        print(f"time per publish ({runs} runs):")
        print(f"  person lookup  {spread([p.lookup for p in publishes])}")
        print(f"  gather         {spread([p.gather for p in publishes])}")
        print(f"  render         {spread([p.render for p in publishes])}")
        print(f"  total          {spread([p.total for p in publishes])}  (session open to close)")
        print(
            f"    CPU in total {spread([p.cpu for p in publishes])}  (this process; the rest waits)"
        )
        print(f"  (json.dumps    {spread([p.serialise for p in publishes])}  not in the total)")
        print(
            f"  garbage collections during those {runs} publishes: "
            + ", ".join(f"gen{gen} {collected[gen]}" for gen in range(3))
        )
        for _ in range(WARMUP):
            compose_once(runtime, counter, seeded.lead_pk)
        composes = [compose_once(runtime, counter, seeded.lead_pk) for _ in range(runs)]
        print(
            f"compose_home as the sweep calls it (session_scope: get + gather + home_view + "
            f"commit), {runs} runs:"
        )
        print(
            f"  statements {counts([len(c.sql) for c in composes])} "
            f"({by_verb(composes[-1].sql)}; COMMIT is not counted), checkouts "
            f"{counts([c.checkouts for c in composes])}; "
            f"{spread([c.seconds for c in composes])}"
        )
        statements = max(per_publish, default=0)
        p95 = percentile([p.total for p in publishes], 0.95)
        worst = max((p.total for p in publishes), default=0.0)
        print("goals:")
        print(
            f"  at most {GOAL_STATEMENTS} statements: {statements} -> "
            f"{verdict(statements <= GOAL_STATEMENTS)}"
        )
        print(
            f"  under {GOAL_SECONDS * 1000:.0f} ms: p95 {p95 * 1000:.1f} ms, max "
            f"{worst * 1000:.1f} ms -> {verdict(p95 < GOAL_SECONDS)} at p95, "
            f"{verdict(worst < GOAL_SECONDS)} at max"
        )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, prepare the database and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server to make a throwaway database on (default: TEST_DATABASE_URL "
        "or as tests/helpers/pg.py finds one), or sqlite:///path (its tables are dropped first)",
    )
    parser.add_argument("--tasks", type=int, default=200, help="the lead's active delegations")
    parser.add_argument("--runs", type=int, default=50, help="measured publishes")
    parser.add_argument("--owners", type=int, default=40)
    parser.add_argument(
        "--waiting", type=int, default=4, help="delegations awaiting approval (and acceptance)"
    )
    parser.add_argument("--assigned", type=int, default=30, help="tasks the lead owns")
    parser.add_argument("--completed", type=int, default=100, help="the lead's completed tasks")
    parser.add_argument("--others", type=int, default=200, help="other leads' active tasks")
    parser.add_argument("--surveys", type=int, default=2, help="open surveys for the lead")
    parser.add_argument("--sql", action="store_true", help="print the statements of a publish")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip VACUUM ANALYZE (ANALYZE on SQLite) after seeding: plans without statistics",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.owners < 1 or args.tasks < 0:
        parser.error("--runs and --owners must be at least 1, --tasks not negative")
    url = args.database_url
    if url is None:
        url, reason = probe_postgres()
        if url is None:
            print(f"no PostgreSQL server answered: {reason}")
            return 1
    try:
        url = normalise_database_url(url)
    except ValueError as exc:
        parser.error(str(exc))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        parser.error("SQLite needs a file: --database-url sqlite:///path/to/file.sqlite3")
    scale = Scale(
        tasks=args.tasks,
        owners=args.owners,
        waiting=args.waiting,
        assigned=args.assigned,
        completed=args.completed,
        others=args.others,
        surveys=args.surveys,
    )
    with prepared_database(url) as (fresh, label):
        run(fresh, label, scale, args.runs, args.sql, not args.no_analyze)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
