"""Double taps and concurrent clicks through the real HTTP app: one effect, never a 500."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.types import OutboxKind, OutboxState
from sandbox.deliver import Deliverer, Delivery
from sandbox.records import Call
from sandbox.server import SandboxServer
from storage.db import make_engine
from storage.models import AuditEvent, Outbox, StatusUpdate, Task
from tests.helpers.flows import (
    GENUINE,
    LEAD,
    OWNER,
    click,
    make_due,
    open_modal,
    pending_checkins,
    restate,
    send_brief,
    stale_click,
    values,
    wait_for_review,
    wait_until,
)
from tests.helpers.messages import posts, wait_for_post
from tests.helpers.pg import postgres_url, throwaway_database, throwaway_schema
from tests.helpers.process import BotFactory, BotProcess

pytestmark = pytest.mark.e2e

TIMES = 5


def at_once(deliver: Callable[[], Delivery], times: int = TIMES) -> list[Delivery]:
    """Deliver from `times` threads released together; every delivery's outcome."""
    barrier = threading.Barrier(times)
    results: list[Delivery | BaseException | None] = [None] * times

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = deliver()
        except BaseException as error:  # reported below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    delivered = [r for r in results if isinstance(r, Delivery)]
    assert len(delivered) == times, results
    return delivered


def count(engine: sa.Engine, model: Any, *where: Any) -> int:
    with engine.connect() as db:
        return int(db.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def alerts(engine: sa.Engine) -> int:
    return count(engine, Outbox, Outbox.kind == OutboxKind.ESCALATION)


def _first_checkin(sandbox: SandboxServer, slack: Deliverer, database: sa.Engine) -> Call:
    """A brief restated, approved, and its first check-in delivered to the owner."""
    brief = send_brief(sandbox, slack)
    restate(sandbox, slack, brief, GENUINE, opened=2)
    click(slack, LEAD, "review_approve", wait_for_review(sandbox))
    sandbox.wait_for_call("chat.postMessage", count=4, timeout=10)
    [first] = pending_checkins(database)
    make_due(database, first)
    return wait_for_post(sandbox, OutboxKind.CHECKIN)


def _posts(sandbox: SandboxServer) -> list[Call]:
    return list(sandbox.calls_to("chat.postMessage"))


def _lead_alerts(sandbox: SandboxServer) -> list[Call]:
    return posts(sandbox, OutboxKind.ESCALATION, LEAD)


def _no_errors(bot: BotProcess) -> None:
    log = bot.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


def test_a_double_tap_on_at_risk_records_one_answer_and_one_alert(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine, http_bot: BotProcess
) -> None:
    checkin = _first_checkin(slack_sandbox, http_slack, database)
    first = click(http_slack, OWNER, "checkin_at_risk", checkin)
    # The same click delivered again (from the message as it was, before the edit).
    again = stale_click(http_slack, OWNER, "checkin_at_risk", checkin)
    assert (first.status, again.status) == (200, 200)
    # Each click is handled before its response: what is stored now is final.
    assert count(database, StatusUpdate) == 1
    assert alerts(database) == 1
    wait_until(lambda: len(_lead_alerts(slack_sandbox)) == 1)
    # Another answer to the answered check-in is refused, privately.
    stale_click(http_slack, OWNER, "checkin_blocked", checkin)
    [told] = slack_sandbox.wait_for_call("chat.postEphemeral", timeout=10)
    assert "already answered" in told.params["text"] and told.params["user"] == OWNER
    assert count(database, StatusUpdate) == 1 and alerts(database) == 1
    _no_errors(http_bot)


def test_the_brief_submitted_five_times_at_once_creates_one_task_and_one_dm(
    slack_sandbox: SandboxServer, http_slack: Deliverer, database: sa.Engine, http_bot: BotProcess
) -> None:
    view_id = open_modal(slack_sandbox, http_slack)
    shown = copy.deepcopy(slack_sandbox.view(view_id))
    assert shown is not None
    delivered = at_once(lambda: http_slack.view_submission(LEAD, shown, values()))
    assert [d.status for d in delivered] == [200] * TIMES
    # Every submit closes the modal, as a late single submit would: no errors shown.
    assert all(d.ack in (None, {}) for d in delivered), [d.ack for d in delivered]
    wait_until(
        lambda: (
            count(
                database, Outbox, Outbox.kind == OutboxKind.BRIEF, Outbox.state == OutboxState.SENT
            )
            == 1
        )
    )
    assert count(database, Task) == 1
    assert count(database, Outbox, Outbox.kind == OutboxKind.BRIEF) == 1
    assert count(database, Outbox, Outbox.kind == OutboxKind.RECEIPT) == 1
    to_owner = [c for c in _posts(slack_sandbox) if c.params["channel"] == OWNER]
    assert len(to_owner) == 1
    _no_errors(http_bot)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL schema (skipped without a server, except in CI)."""
    with throwaway_database(postgres_url()) as database, throwaway_schema(database) as url:
        yield url


@pytest.mark.postgres
def test_concurrent_approve_restatement_and_answers_on_postgres_never_fail(
    slack_sandbox: SandboxServer, start_bot: BotFactory, pg_url: str, tmp_path: Path
) -> None:
    code, output = BotProcess(
        {"DATABASE_URL": pg_url}, log_path=tmp_path / "migrate.log", args=("migrate",)
    ).run_to_exit()
    assert code == 0, output
    bot = start_bot(DATABASE_URL=pg_url)
    slack = Deliverer(slack_sandbox, bot.base_url + "/slack/events")
    database = make_engine(pg_url)
    try:
        brief = send_brief(slack_sandbox, slack)
        # The restatement modal submitted five times at once.
        click(slack, OWNER, "brief_confirm", brief)
        modal = slack_sandbox.wait_for_call("views.open", count=2, timeout=10)[-1]
        shown = copy.deepcopy(slack_sandbox.view(modal.response["view"]["id"]))
        assert shown is not None
        restated = at_once(
            lambda: slack.view_submission(
                OWNER, shown, {block: {"value": value} for block, value in GENUINE.items()}
            )
        )
        assert [d.status for d in restated] == [200] * TIMES
        review = wait_for_review(slack_sandbox)
        assert count(database, AuditEvent, AuditEvent.action == "restated") == 1

        # Approve clicked five times at once: one approval, the others told privately.
        approved = at_once(lambda: click(slack, LEAD, "review_approve", review))
        assert [d.status for d in approved] == [200] * TIMES
        told = slack_sandbox.wait_for_call("chat.postEphemeral", count=TIMES - 1, timeout=10)
        assert all("already approved" in c.params["text"] for c in told)
        assert count(database, AuditEvent, AuditEvent.action == "approved") == 1

        # The first check-in, answered At risk five times at once.
        [first] = pending_checkins(database)
        make_due(database, first)
        checkin = wait_for_post(slack_sandbox, OutboxKind.CHECKIN)
        answered = at_once(lambda: click(slack, OWNER, "checkin_at_risk", checkin))
        assert [d.status for d in answered] == [200] * TIMES
        wait_until(lambda: alerts(database) >= 1)
        assert count(database, StatusUpdate) == 1 and alerts(database) == 1
        _no_errors(bot)
    finally:
        database.dispose()
