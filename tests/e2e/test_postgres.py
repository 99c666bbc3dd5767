"""The bot process on a real PostgreSQL: migrate, refuse a stale schema, serve, dedupe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox.deliver import Deliverer
from sandbox.server import SandboxServer
from storage.db import make_engine
from tests.helpers.pg import postgres_url, throwaway_database, throwaway_schema
from tests.helpers.process import BotFactory, BotProcess

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL schema (skipped without a server, except in CI)."""
    with throwaway_database(postgres_url()) as database, throwaway_schema(database) as url:
        yield url


def _cli(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    return BotProcess(
        {"DATABASE_URL": url}, log_path=tmp_path / f"{'-'.join(args)}.log", args=args
    ).run_to_exit()


def test_run_refuses_an_unmigrated_database_then_migrate_fixes_it(
    slack_sandbox: SandboxServer, start_bot: BotFactory, pg_url: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": pg_url,
        "SLACK_API_URL": slack_sandbox.api_url,
        "SLACK_BOT_TOKEN": slack_sandbox.workspace.bot_token,
        "SLACK_SIGNING_SECRET": slack_sandbox.workspace.signing_secret,
    }
    code, output = BotProcess(env, log_path=tmp_path / "refused.log").run_to_exit()
    assert code == 2
    assert "run `delegate-bot migrate` first" in output

    assert _cli(tmp_path, pg_url, "migrate")[0] == 0
    assert _cli(tmp_path, pg_url, "migrate", "--check")[0] == 0

    bot = start_bot(DATABASE_URL=pg_url)
    slack = Deliverer(slack_sandbox, bot.base_url + "/slack/events")
    lead = slack_sandbox.workspace.lead.id
    first = slack.app_home_opened(lead)
    slack.app_home_opened(lead, event_id=first.event_id, retry_num=1, retry_reason="http_timeout")
    slack.slash_command(lead, "")
    slack_sandbox.wait_for_call("views.open", timeout=10)
    assert len(slack_sandbox.wait_for_call("views.publish", timeout=10)) == 1
    assert f"Skipping event {first.event_id}" in bot.log()


def test_the_brief_modal_opens_while_the_database_is_stuck(
    slack_sandbox: SandboxServer, start_bot: BotFactory, pg_url: str, tmp_path: Path
) -> None:
    assert _cli(tmp_path, pg_url, "migrate")[0] == 0
    bot = start_bot(DATABASE_URL=pg_url)
    slack = Deliverer(slack_sandbox, bot.base_url + "/slack/events")
    engine = make_engine(pg_url)
    try:
        with engine.connect() as blocker:
            # Any read of projects now waits until this transaction ends.
            blocker.execute(sa.text("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE"))
            delivery = slack.slash_command(slack_sandbox.workspace.lead.id, "")
            assert delivery.status == 200
            [opened] = slack_sandbox.wait_for_call("views.open", timeout=10)
            # The sandbox refuses triggers older than 3 seconds: ok means it opened in time.
            assert opened.ok, opened.response
            blocker.rollback()
    finally:
        engine.dispose()
