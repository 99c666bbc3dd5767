"""Composition root: settings in, a wired Bolt app with storage and ticker out."""

from __future__ import annotations

import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy import Engine

import handlers
from bot.domain.clock import Clock, utc_now
from bot.domain.types import OutboxKind
from bot.runtime import Runtime
from bot.services.checkins import after_checkin_sent, after_overdue_sent, compose_digest
from bot.services.delegations import after_brief_sent
from bot.services.delivery import tell_lead_of_failure
from bot.services.feedback import compose_results
from bot.services.home import compose_home
from bot.services.housekeeping import prune_processed_events
from bot.services.people import refresh_time_zones
from bot.settings import Settings
from handlers.people import fetch_user
from handlers.tenancy import learn_home
from scheduler.sender import OutboxSender
from scheduler.ticker import Ticker
from storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)
TZ_CHECK_EVERY = timedelta(hours=1)


@dataclass
class BotApp:
    """A running bot's parts, so the entry point can start and stop them in order."""

    bolt: App
    runtime: Runtime
    ticker: Ticker
    sender: OutboxSender
    listeners: ThreadPoolExecutor

    def start_background_work(self) -> None:
        """Start the ticker that drives the outbox sweep."""
        self.ticker.start()

    def stop(self) -> None:
        """Let running listeners finish, stop the ticker, close the database pool."""
        self.listeners.shutdown(wait=True)
        self.ticker.shutdown()
        self.sender.close()
        self.runtime.engine.dispose()
        logger.info("Stopped cleanly")


def make_web_client(settings: Settings) -> WebClient:
    """A Web API client pointed at SLACK_API_URL, retrying dropped connections once."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def make_sender(runtime: Runtime, client: WebClient, **options: Any) -> OutboxSender:
    """The outbox sender with the follow-up hooks every process needs."""
    return OutboxSender(
        runtime,
        client,
        after_sent={
            OutboxKind.BRIEF: functools.partial(after_brief_sent, runtime),
            OutboxKind.CHECKIN: functools.partial(after_checkin_sent, runtime),
            OutboxKind.OVERDUE: functools.partial(after_overdue_sent, runtime),
        },
        after_failed=functools.partial(tell_lead_of_failure, runtime),
        compose={
            OutboxKind.DIGEST: functools.partial(compose_digest, runtime),
            OutboxKind.FEEDBACK: functools.partial(compose_results, runtime),
            OutboxKind.HOME: functools.partial(compose_home, runtime),
        },
        **options,
    )


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    engine: Engine | None = None,
) -> BotApp:
    """Wire Bolt, storage, ticker and Slack client from settings."""
    engine = engine or make_engine(settings.database_url)
    client = make_web_client(settings)

    refreshed_at: list[datetime] = []

    def sweep() -> None:
        if sender.sweep() >= sender.batch_size:
            ticker.kick()  # a full batch: more may be due, so go round again at once
        # Time zones change when people travel: check owners' zones about once an hour
        # (each person at most daily), after the sends that are due.
        now = runtime.clock()
        if not refreshed_at or now - refreshed_at[0] >= TZ_CHECK_EVERY:
            refreshed_at[:] = [now]
            refresh_time_zones(runtime, functools.partial(fetch_user, client))
            prune_processed_events(runtime)  # retried-event ids Slack can no longer send

    ticker = Ticker(sweep, interval_seconds=settings.sweep_interval_seconds)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        # On SQLite, take the write lock at BEGIN: a transaction that reads and then writes
        # would otherwise fail outright when another connection committed in between.
        sessions=make_session_factory(engine, sqlite_begin="IMMEDIATE"),
        clock=clock,
        kick_sweep=ticker.kick,
    )
    sender = make_sender(runtime, client)
    listeners = ThreadPoolExecutor(
        max_workers=settings.worker_threads, thread_name_prefix="listener"
    )
    secret = settings.slack_signing_secret
    try:
        home = learn_home(client)
    except (SlackApiError, ValueError) as error:
        # The CLI reports a BoltError as "Slack refused the credentials".
        detail = error.response.get("error") if isinstance(error, SlackApiError) else error
        raise BoltError(f"auth.test failed: {detail}") from error
    bolt_logger = logging.getLogger("bot.bolt")
    # Bolt also reads SLACK_BOT_TOKEN itself and warns that our client wins; it should.
    bolt_logger.addFilter(lambda record: "will be unused" not in record.getMessage())
    bolt = App(
        client=client,
        # Ack functions answer Slack as soon as they return; slower work runs as Bolt
        # lazy listeners on `listeners`, so Slack's 3-second limit never waits on it.
        process_before_response=True,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode frames are authenticated by the connection, not by a signature.
        request_verification_enabled=not settings.socket_mode,
        listener_executor=listeners,
        logger=bolt_logger,
        # Requests no listener matches reach the one error handler (one log line each).
        raise_error_for_unhandled_request=True,
    )
    handlers.register_all(bolt, runtime, home)
    return BotApp(bolt=bolt, runtime=runtime, ticker=ticker, sender=sender, listeners=listeners)
