"""The sweep: claims due outbox rows, sends them to Slack, and settles each one.

No thread ever sleeps here: a rate-limited or failing row is simply given a later due
time, and a later tick picks it up.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState
from bot.runtime import Runtime
from storage.db import session_scope
from storage.outbox import (
    ClaimedMessage,
    claim_due,
    coordinates_of,
    mark_cancelled,
    mark_failed,
    mark_sent,
    retry_later,
)

# Errors that no retry can fix: the row fails and (from the check-in issue on) the lead hears.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "user_disabled",
        "invalid_blocks",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "cannot_dm_bot",
        "message_not_found",
        "cant_update_message",
        "invalid_auth",
        "not_authed",
        "missing_scope",
    }
)
MAX_ATTEMPTS = 6
SETTLE_CHUNK = 10  # outcomes recorded per transaction
SETTLERS = 2  # chunks settled at once
BASE_BACKOFF = timedelta(seconds=5)
LEASE = timedelta(seconds=60)
WAIT_FOR_ORIGINAL = timedelta(seconds=2)
RECENT_MESSAGES = 50  # how far back a re-claimed row looks for itself in the conversation
METADATA_EVENT_PREFIX = "delegate_bot_"

logger = logging.getLogger(__name__)


def _refers_to(message: ClaimedMessage) -> set[int]:
    return {
        target
        for target in (message.payload.get("update_of"), message.payload.get("thread_of"))
        if isinstance(target, int)
    }


def worker_name() -> str:
    """Who claims rows: host, process and a random suffix, unique per process start."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one send attempt."""

    message: ClaimedMessage
    channel: str | None = None
    ts: str | None = None
    retry_after: timedelta | None = None
    error: str | None = None
    permanent: bool = False
    skipped: bool = False  # composed at send time, and there was nothing to say


# Runs in the transaction that records a message as sent, e.g. to queue recurring work.
AfterSent = Callable[[Session, ClaimedMessage], None]
# Runs in the transaction that gives up on a message, with Slack's error code.
AfterFailed = Callable[[Session, ClaimedMessage, str], None]
# Builds a message's arguments at send time (a digest says what is true then); None: skip it.
Compose = Callable[[Session, ClaimedMessage], dict[str, Any] | None]


class OutboxSender:
    """Sends what the outbox holds, a batch per sweep, with bounded concurrency."""

    def __init__(
        self,
        runtime: Runtime,
        client: WebClient,
        *,
        worker: str | None = None,
        batch: int = 50,
        concurrency: int = 8,
        after_sent: Mapping[OutboxKind, AfterSent] | None = None,
        after_failed: AfterFailed | None = None,
        compose: Mapping[OutboxKind, Compose] | None = None,
    ) -> None:
        self._runtime = runtime
        self._compose = dict(compose or {})
        self._client = client
        self._after_sent = dict(after_sent or {})
        self._after_failed = after_failed
        self.worker = worker or worker_name()
        self._batch = batch
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="outbox")
        self._settlers = ThreadPoolExecutor(max_workers=SETTLERS, thread_name_prefix="settle")

    def sweep(self) -> int:
        """Claim, send and settle one batch; returns how many rows were claimed."""
        with session_scope(self._runtime.sessions) as session:
            claimed = claim_due(
                session=session,
                now=self._runtime.clock(),
                worker=self.worker,
                lease=LEASE,
                limit=self._batch,
            )
        # Edits and thread replies go after the batch's other messages: the message they
        # refer to may be in the same batch, and they need its ts.
        ids = {message.id for message in claimed}
        later = [message for message in claimed if _refers_to(message) & ids]
        first = [message for message in claimed if message not in later]
        for phase in (first, later):
            # Results are settled in chunks while later sends are still in flight: one
            # transaction per chunk instead of one per row, two chunks at a time so one
            # waits on the database while the other works.
            chunk: list[Outcome] = []
            settling: list[Future[None]] = []
            for outcome in self._pool.map(self._send, phase):
                chunk.append(outcome)
                if len(chunk) >= SETTLE_CHUNK:
                    settling.append(self._settlers.submit(self._settle_chunk, chunk))
                    chunk = []
            if chunk:
                settling.append(self._settlers.submit(self._settle_chunk, chunk))
            for done in settling:
                done.result()  # the next phase needs this one's messages recorded
        return len(claimed)

    def _settle_chunk(self, outcomes: list[Outcome]) -> None:
        """Settle outcomes together; if that fails, one by one, so one bad row spoils none."""
        try:
            with session_scope(self._runtime.sessions) as session:
                lost = [o for o in outcomes if not self._settle_in(session, o)]
        except Exception:
            logger.exception("Settling %d rows together failed; settling one by one", len(outcomes))
            for outcome in outcomes:
                self._settle(outcome)
            return
        for outcome in lost:
            logger.warning(
                "Outbox %s: claim lost before settling; left as it is", outcome.message.id
            )

    @property
    def batch_size(self) -> int:
        """How many rows one sweep claims at most."""
        return self._batch

    def close(self) -> None:
        """Finish sends in progress and release the threads."""
        self._pool.shutdown(wait=True)
        self._settlers.shutdown(wait=True)

    def _send(self, message: ClaimedMessage) -> Outcome:
        method = str(message.payload.get("method", ""))
        args: dict[str, Any] = dict(message.payload.get("args", {}))
        composer = self._compose.get(message.kind)
        if composer is not None:
            with session_scope(self._runtime.sessions) as session:
                composed = composer(session, message)
            if composed is None:
                return Outcome(message, skipped=True)
            args.update(composed)
        # An edit of an earlier message ("update_of") or a reply in its thread ("thread_of")
        # needs that message's channel and ts, which exist only once it has been sent.
        for key, ts_arg in (("update_of", "ts"), ("thread_of", "thread_ts")):
            target = message.payload.get(key)
            if not isinstance(target, int):
                continue
            with session_scope(self._runtime.sessions) as session:
                where = coordinates_of(session=session, team_id=message.team_id, message_id=target)
            if where is None or where.state in (OutboxState.FAILED, OutboxState.CANCELLED):
                return Outcome(message, error="original_not_sent", permanent=True)
            if where.ts is None or where.channel is None:
                return Outcome(message, error="original_pending", retry_after=WAIT_FOR_ORIGINAL)
            args.update({"channel": where.channel, ts_arg: where.ts})
        if method in ("chat.postMessage", "chat.postEphemeral"):
            # Lets a later sweep recognise a message Slack already has (see DESIGN.md).
            args.setdefault(
                "metadata",
                {
                    "event_type": METADATA_EVENT_PREFIX + message.kind.value,
                    "event_payload": {"outbox_id": message.id},
                },
            )
        try:
            if message.reclaimed and method == "chat.postMessage":
                found = self._already_delivered(message, str(args.get("channel", "")))
                if found is not None:
                    return Outcome(message, channel=found[0], ts=found[1])
            response = self._client.api_call(method, json=args)
        except SlackApiError as error:
            return self._failure(message, error)
        except (URLError, TimeoutError, ConnectionError) as error:
            return Outcome(message, error=f"network: {error}", retry_after=self._backoff(message))
        data = response.data if isinstance(response.data, dict) else {}
        return Outcome(message, channel=str(data.get("channel", "")), ts=str(data.get("ts", "")))

    def _already_delivered(self, message: ClaimedMessage, channel: str) -> tuple[str, str] | None:
        """Channel and ts of this row's message if Slack already has it (by its metadata)."""
        if channel[:1] in ("U", "W"):
            channel = self._client.conversations_open(users=channel)["channel"]["id"]
        history = self._client.conversations_history(
            channel=channel, limit=RECENT_MESSAGES, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        for posted in messages:
            payload = (posted.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_id") == message.id:
                logger.info("Outbox %s was already delivered; recorded, not resent", message.id)
                return channel, str(posted["ts"])
        return None

    def _failure(self, message: ClaimedMessage, error: SlackApiError) -> Outcome:
        status = error.response.status_code
        code = str(error.response.get("error", "")) or f"http_{status}"
        if status == 429 or code == "ratelimited":
            seconds = int(error.response.headers.get("Retry-After", "1") or 1)
            return Outcome(message, error=code, retry_after=timedelta(seconds=max(1, seconds)))
        if status >= 500:
            return Outcome(message, error=code, retry_after=self._backoff(message))
        return Outcome(message, error=code, permanent=True)

    def _backoff(self, message: ClaimedMessage) -> timedelta:
        return BASE_BACKOFF * (1 << max(0, message.attempts - 1))

    def _settle(self, outcome: Outcome) -> None:
        """Settle one outcome in its own transaction."""
        try:
            with session_scope(self._runtime.sessions) as session:
                kept = self._settle_in(session, outcome)
        except Exception:
            logger.exception(
                "Outbox %s: settling failed; the lease will expire", outcome.message.id
            )
            return
        if not kept:
            logger.warning(
                "Outbox %s: claim lost before settling; left as it is", outcome.message.id
            )

    def _settle_in(self, session: Session, outcome: Outcome) -> bool:
        """Record one outcome and run its hook; False if the claim was lost meanwhile."""
        message, now = outcome.message, self._runtime.clock()
        if outcome.skipped:
            return mark_cancelled(
                session=session, message_id=message.id, worker=self.worker, reason="nothing new"
            )
        if outcome.error is None:
            kept = mark_sent(
                session=session,
                message_id=message.id,
                worker=self.worker,
                channel=outcome.channel or "",
                ts=outcome.ts or "",
                now=now,
            )
            hook = self._after_sent.get(message.kind)
            if kept and hook is not None:
                hook(session, message)
            return kept
        if outcome.permanent or message.attempts >= MAX_ATTEMPTS:
            logger.warning("Outbox %s failed for good: %s", message.id, outcome.error)
            kept = mark_failed(
                session=session, message_id=message.id, worker=self.worker, error=outcome.error
            )
            if kept and self._after_failed is not None:
                self._after_failed(session, message, outcome.error)
            return kept
        assert outcome.retry_after is not None
        return retry_later(
            session=session,
            message_id=message.id,
            worker=self.worker,
            due_at=now + outcome.retry_after,
            error=outcome.error,
        )
