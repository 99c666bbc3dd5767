"""Figures for the sender: a storm of Slack failures, and sweepers killed in busy DMs.

    .venv/bin/python -m tests.bench.fault_storm [--rows 180] [--rounds 5] [--postgres]
    .venv/bin/python -m tests.bench.fault_storm --code /path/to/another/checkout

(a) `rows` briefs meet a shuffled storm of 429s, 500s, every transient ok:false code, slow
answers, and answers lost after Slack kept the message (a dropped connection, a client
timeout, a 500 or internal_error after the post). (b) `rounds` times, a sweeper process is
killed with SIGKILL after Slack took its batch and before it recorded it, 220 newer
messages arrive in every DM, and a survivor takes over. Both print what Slack holds per
row. `--code` runs another checkout's sender and storage (say, main's) against this
checkout's sandbox, for a before/after comparison. Takes a minute or two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from typing import Any

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TEAM = "T0SANDBOX"
LEAD = "U0SBLENA1"
OWNERS = ("U0SBMARC1", "U0SBPRIY1", "U0SBCHLO1", "U0SBANA01")
TRANSIENT = (
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
    "team_added_to_org",
)
TIMEOUT = 1.0  # the client's timeout in the storm, so a slow-enough answer is lost
KILL_TIMEOUT = 10.0  # the client's timeout around kills: no timeouts there, only deaths


def _load(code: str | None) -> SimpleNamespace:
    """The project's modules, from `code` (another checkout) when given."""
    importlib.import_module("sandbox.server")  # this checkout's sandbox, whatever the code
    if code:
        sys.path.insert(0, code)

    def get(module: str, name: str) -> Any:
        return getattr(importlib.import_module(module), name)

    return SimpleNamespace(
        sa=importlib.import_module("sqlalchemy"),
        WebClient=get("slack_sdk", "WebClient"),
        OutboxKind=get("bot.domain.types", "OutboxKind"),
        OutboxState=get("bot.domain.types", "OutboxState"),
        Runtime=get("bot.runtime", "Runtime"),
        tell_lead_of_failure=get("bot.services.delivery", "tell_lead_of_failure"),
        Settings=get("bot.settings", "Settings"),
        sender=importlib.import_module("scheduler.sender"),
        repositories=importlib.import_module("storage.repositories"),
        make_engine=get("storage.db", "make_engine"),
        make_session_factory=get("storage.db", "make_session_factory"),
        session_scope=get("storage.db", "session_scope"),
        upgrade_to_head=get("storage.migrate", "upgrade_to_head"),
        Outbox=get("storage.models", "Outbox"),
    )


class Clock:
    """The bot's clock and the sandbox's wall clock, moved by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def wall(self) -> float:
        """Seconds, for the sandbox's message timestamps."""
        return self.now.timestamp()


def _runtime(m: SimpleNamespace, url: str, clock: Any) -> Any:
    engine = m.make_engine(url)
    return m.Runtime(
        settings=m.Settings(_env_file=None),
        engine=engine,
        sessions=m.make_session_factory(engine, sqlite_begin="IMMEDIATE"),
        clock=clock,
        kick_sweep=lambda: None,
    )


def _sender(
    m: SimpleNamespace,
    runtime: Any,
    api_url: str,
    token: str,
    worker: str,
    timeout: float = TIMEOUT,
) -> Any:
    client = m.WebClient(base_url=api_url, token=token, timeout=timeout)
    return m.sender.OutboxSender(
        runtime,
        client,
        worker=worker,
        after_failed=functools.partial(m.tell_lead_of_failure, runtime),
    )


def _queue(m: SimpleNamespace, runtime: Any, count: int, start: int) -> list[int]:
    ids = []
    with m.session_scope(runtime.sessions) as session:
        people = {
            user: m.repositories.upsert_person(
                session=session,
                team_id=TEAM,
                slack_user_id=user,
                display_name=user.lower(),
                tz="Europe/Berlin",
                now=NOW,
            )
            for user in (LEAD, *OWNERS)
        }
        for number in range(start, start + count):
            owner = people[OWNERS[number % len(OWNERS)]]
            task = m.repositories.create_task(
                session=session,
                team_id=TEAM,
                lead_id=people[LEAD].id,
                owner_id=owner.id,
                title=f"task {number}",
                goal="Ship it",
                due_at=NOW + dt.timedelta(days=7),
                due_tz="Europe/Berlin",
                now=NOW,
            )
            row = m.repositories.enqueue_outbox(
                session=session,
                team_id=TEAM,
                kind=m.OutboxKind.BRIEF,
                payload={
                    "method": "chat.postMessage",
                    "args": {"channel": owner.slack_user_id, "text": f"brief {number}"},
                },
                due_at=runtime.clock(),
                now=NOW,
                task_id=task.id,
                recipient_id=owner.id,
            )
            ids.append(row.id)
    return ids


def _sweep_until_quiet(
    m: SimpleNamespace, sender: Any, clock: Clock, sandbox: Any, rounds: int = 40
) -> None:
    for _ in range(rounds):
        busy = 0
        try:
            while claimed := sender.sweep():
                busy += claimed
        except Exception as error:  # a sender that raises leaves its rows to the lease
            print(f"  sweep raised {type(error).__name__}: {error}")
        if busy:
            # The clock jumps minutes ahead, but a post whose answer was lost to a timeout
            # may still be in the sandbox's hands: let it finish, as real time would.
            _wait_until_idle(sandbox)
        clock.now += dt.timedelta(minutes=16)


def _tally(m: SimpleNamespace, sandbox: Any, runtime: Any, ids: list[int]) -> Counter[str]:
    held: Counter[int] = Counter()
    for user in OWNERS:
        for message in sandbox.messages(user):
            outbox_id = ((message.get("metadata") or {}).get("event_payload") or {}).get(
                "outbox_id"
            )
            if outbox_id is not None:
                held[outbox_id] += 1
    with m.session_scope(runtime.sessions) as session:
        states = {
            row.id: row.state
            for row in session.execute(
                m.sa.select(m.Outbox.id, m.Outbox.state).where(m.Outbox.id.in_(ids))
            )
        }
    told = len(sandbox.messages(LEAD))
    tally: Counter[str] = Counter()
    for row_id in ids:
        copies, state = held[row_id], m.OutboxState(states[row_id])
        if copies == 1:
            tally["delivered exactly once"] += 1
            if state is m.OutboxState.FAILED:
                tally["  ...but recorded failed and the lead told"] += 1
        elif copies > 1:
            tally["duplicated"] += 1
        elif state is m.OutboxState.FAILED:
            tally["not delivered, failed visibly"] += 1
        else:
            tally["lost (not delivered, nobody told)"] += 1
    tally["(notes to the lead)"] = told
    return tally


def storm(m: SimpleNamespace, url: str, rows: int) -> Counter[str]:
    """(a) `rows` briefs through a shuffled storm of failures."""
    from sandbox.server import SandboxServer

    clock = Clock()
    runtime = _runtime(m, url, clock)
    kinds: list[tuple[str, dict[str, Any]]] = []
    kinds += [("ratelimited", {"retry_after": 3})] * 40
    kinds += [("server_error", {})] * 30
    kinds += [("error", {"error": code}) for code in TRANSIENT] * 10
    kinds += [("error", {"error": "ratelimited", "retry_after": 2})] * 5
    # Slack kept the message, the caller saw a failure.
    kinds += [("error", {"error": "internal_error", "accepted": True})] * 10
    kinds += [("server_error", {"accepted": True})] * 10
    kinds += [("drop", {"accepted": True})] * 10
    kinds += [("slow", {"accepted": True, "delay": TIMEOUT + 0.3})] * 5
    random.Random(11).shuffle(kinds)
    with SandboxServer(validate=False, wall_clock=clock.wall) as sandbox:
        for kind, options in kinds:
            sandbox.faults.add("chat.postMessage", kind, **options)
        sandbox.faults.add("chat.postMessage", "slow", times=rows // 3, delay=0.05)
        ids = _queue(m, runtime, rows, 0)
        sender = _sender(m, runtime, sandbox.api_url, sandbox.workspace.bot_token, "storm")
        try:
            _sweep_until_quiet(m, sender, clock, sandbox)
        finally:
            sender.close()
        faulted = sum(1 for call in sandbox.calls_to("chat.postMessage") if call.fault)
        tally = _tally(m, sandbox, runtime, ids)
    tally["(faulted answers)"] = faulted
    runtime.engine.dispose()
    return tally


def _doomed(code: str | None, url: str, api_url: str, token: str, now: float) -> None:
    """Child process: one sweep, killed (SIGKILL) when it starts recording what Slack took."""
    m = _load(code)

    def die(*_args: Any, **_kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)

    m.sender.mark_sent = die
    clock = Clock()
    clock.now = dt.datetime.fromtimestamp(now, dt.UTC)
    runtime = _runtime(m, url, clock)
    _sender(m, runtime, api_url, token, f"doomed-{os.getpid()}", KILL_TIMEOUT).sweep()
    os._exit(0)


def _chatter(sandbox: Any, count: int) -> None:
    for user in OWNERS:
        channel = sandbox.workspace.dm_id(user)
        for number in range(count):
            ts = sandbox.state.next_ts()
            said = {"type": "message", "user": user, "text": f"chatter {number}", "ts": ts}
            sandbox.state.store_message(channel, said)


def _wait_until_idle(sandbox: Any, quiet: float = 0.5, limit: float = 10.0) -> None:
    """Wait (at most `limit` seconds) until the sandbox records no call for `quiet` seconds."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline and len(sandbox.calls) != seen:
        seen = len(sandbox.calls)
        time.sleep(quiet)


def kills(m: SimpleNamespace, code: str | None, url: str, rounds: int) -> Counter[str]:
    """(b) `rounds` sweepers killed mid-batch, 220 newer messages per DM each time."""
    from sandbox.server import SandboxServer

    clock = Clock()
    runtime = _runtime(m, url, clock)
    ids: list[int] = []
    if code:
        # A spawned child imports this script first: from this checkout, not `code`.
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    with SandboxServer(validate=False, wall_clock=clock.wall) as sandbox:
        for number in range(rounds):
            batch = _queue(m, runtime, 40, 10_000 + 40 * number)
            ids += batch
            child = multiprocessing.get_context("spawn").Process(
                target=_doomed,
                args=(code, url, sandbox.api_url, sandbox.workspace.bot_token, clock.wall()),
            )
            child.start()
            child.join(120)
            # Real time: a post the dead process had already sent may still be in the
            # sandbox's hands. A real takeover comes a lease (a minute) later, when Slack
            # has long finished with it; wait until the sandbox is idle instead.
            _wait_until_idle(sandbox)
            clock.now += dt.timedelta(seconds=20)
            _chatter(sandbox, 220)
            clock.now += dt.timedelta(minutes=3)  # past the dead sweeper's lease
            sender = _sender(
                m, runtime, sandbox.api_url, sandbox.workspace.bot_token, "survivor", KILL_TIMEOUT
            )
            try:
                _sweep_until_quiet(m, sender, clock, sandbox, rounds=3)
            finally:
                sender.close()
            print(f"  round {number + 1}: sweeper exit code {child.exitcode}")
        tally = _tally(m, sandbox, runtime, ids)
        tally["(messages per DM at the end)"] = len(sandbox.messages(OWNERS[0]))
    runtime.engine.dispose()
    return tally


def main() -> None:
    """Run both figures and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=180)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--code", help="another checkout whose sender and storage to run")
    options = parser.parse_args()
    code = str(Path(options.code).resolve()) if options.code else None
    m = _load(code)
    print(f"sender: {m.sender.__file__}")
    figures: tuple[tuple[str, Callable[[str], Counter[str]]], ...] = (
        ("(a) fault storm", lambda url: storm(m, url, options.rows)),
        ("(b) kill -9 in busy DMs", lambda url: kills(m, code, url, options.rounds)),
    )
    with ExitStack() as stack:
        for name, run in figures:
            if options.postgres:
                from tests.helpers.pg import postgres_url, throwaway_database

                url = stack.enter_context(throwaway_database(postgres_url()))
            else:
                folder = stack.enter_context(tempfile.TemporaryDirectory())
                url = f"sqlite:///{folder}/storm.sqlite3"
            m.upgrade_to_head(m.make_engine(url))
            print(f"{name} on {url.split(':')[0]}:")
            for label, count in run(url).items():
                print(f"  {label}: {count}")


if __name__ == "__main__":
    main()
