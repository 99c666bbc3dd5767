"""The sweep: claims due outbox rows, sends them to Slack, and settles each one.

No thread ever sleeps here: a rate-limited or failing row is simply given a later due
time, and a later tick picks it up.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import http.client
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.domain.types import OutboxKind, OutboxState
from bot.runtime import Runtime
from scheduler.slack_errors import ErrorClass, classify, may_have_landed
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

MAX_ATTEMPTS = 10  # failed attempts at most for a transient error (about 40 minutes of them)
UNKNOWN_ATTEMPTS = 3  # an undocumented error fails the row from this attempt on
SETTLE_CHUNK = 10  # outcomes recorded per transaction
SETTLERS = 2  # chunks settled at once
BASE_BACKOFF = timedelta(seconds=5)
MAX_BACKOFF = timedelta(minutes=15)
LEASE = timedelta(seconds=60)
WAIT_FOR_ORIGINAL = timedelta(seconds=2)
# Looking for a message an earlier attempt may have delivered: from that attempt's claim
# (less a margin for clock skew between us and Slack, and for a changed LEASE) to now,
# newest first, a page at a time.
LOOKUP_MARGIN = timedelta(minutes=1)
HISTORY_PAGE = 200
HISTORY_PAGES = 25  # 5,000 messages since the claim; past that, send rather than lose it
METADATA_EVENT_PREFIX = "delegate_bot_"

# No answer from Slack at all (URLError and TimeoutError are OSErrors too).
NETWORK_ERRORS = (OSError, http.client.HTTPException)

logger = logging.getLogger(__name__)


def _refers_to(message: ClaimedMessage) -> set[int]:
    return {
        target
        for target in (message.payload.get("update_of"), message.payload.get("thread_of"))
        if isinstance(target, int)
    }


def _phases(claimed: list[ClaimedMessage]) -> list[list[ClaimedMessage]]:
    """The batch in rounds that are safe to send in parallel, oldest rows first.

    An edit or thread reply waits for a later round when the message it refers to is still
    unsent in this batch (it needs that message's ts), and two edits of one message never
    share a round: sent in parallel, whichever landed last would win, not the newest.
    """
    phases: list[list[ClaimedMessage]] = []
    remaining = sorted(claimed, key=lambda message: message.id)
    while remaining:
        unsent = {message.id for message in remaining}
        phase: list[ClaimedMessage] = []
        deferred: list[ClaimedMessage] = []
        edited: set[int] = set()
        for message in remaining:
            target = message.payload.get("update_of")
            if _refers_to(message) & unsent or (isinstance(target, int) and target in edited):
                deferred.append(message)
                continue
            phase.append(message)
            if isinstance(target, int):
                edited.add(target)
        phases.append(phase)
        remaining = deferred
    return phases


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
    error_class: ErrorClass = ErrorClass.TRANSIENT
    maybe_delivered: bool = False  # Slack may hold the message: look before posting again
    waiting: bool = False  # not the message's failure (a rate limit): the attempt is not counted
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
        # The outbox retries on its own terms, looking for the message first when an answer
        # was lost; a client that resends a post on a dropped connection would double it.
        self._client = copy.copy(client)
        self._client.retry_handlers = []
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
        for phase in _phases(claimed):
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
                return Outcome(message, error="original_not_sent", error_class=ErrorClass.PERMANENT)
            if where.ts is None or where.channel is None:
                return Outcome(
                    message,
                    error="original_pending",
                    retry_after=WAIT_FOR_ORIGINAL,
                    waiting=True,
                )
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
        if message.reclaimed and method == "chat.postMessage":
            try:
                found = self._already_delivered(message, args)
            except SlackApiError as error:
                failed = self._failure(message, error)
                if failed.error_class is ErrorClass.TRANSIENT:
                    # Still unknown whether Slack has it: the next attempt looks again.
                    return dataclasses.replace(failed, maybe_delivered=True)
                # A lookup Slack refuses for good (say, a missing history scope) cannot
                # settle it; posting risks a duplicate, not posting would lose the message.
                logger.warning(
                    "Outbox %s: could not look for an earlier delivery (%s); sending",
                    message.id,
                    failed.error,
                )
                found = None
            except NETWORK_ERRORS as error:
                return self._network_failure(message, error)
            if found is not None:
                return Outcome(message, channel=found[0], ts=found[1])
        try:
            response = self._client.api_call(method, json=args)
        except SlackApiError as error:
            return self._failure(message, error)
        except NETWORK_ERRORS as error:
            return self._network_failure(message, error)
        data = response.data if isinstance(response.data, dict) else {}
        return Outcome(message, channel=str(data.get("channel", "")), ts=str(data.get("ts", "")))

    def _already_delivered(
        self, message: ClaimedMessage, args: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        """Channel and ts of this row's message if Slack already has it (by its metadata).

        Reads the conversation from the earlier attempt's claim to now, every page of it:
        any number of messages may have arrived since. A thread reply is not in the
        conversation's history (only top-level messages are), so for one the thread is read.
        """
        channel = str(args.get("channel", ""))
        if channel[:1] in ("U", "W"):
            channel = self._client.conversations_open(users=channel)["channel"]["id"]
        thread_ts = str(args.get("thread_ts") or "")
        read: Callable[..., Any] = self._client.conversations_history
        where = channel
        if thread_ts:
            read = functools.partial(self._client.conversations_replies, ts=thread_ts)
            where = f"thread {thread_ts} of {channel}"
        assert message.previous_claim_at is not None
        oldest = f"{(message.previous_claim_at - LOOKUP_MARGIN).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = read(
                channel=channel,
                oldest=oldest,
                limit=HISTORY_PAGE,
                cursor=cursor,
                include_all_metadata=True,
            )
            posted: dict[str, Any]
            for posted in page.get("messages", []):
                payload: dict[str, Any] = (posted.get("metadata") or {}).get("event_payload") or {}
                if payload.get("outbox_id") == message.id:
                    logger.info("Outbox %s was already delivered; recorded, not resent", message.id)
                    return channel, str(posted["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        logger.warning(
            "Outbox %s: %d pages of %s since the earlier claim did not hold it; sending",
            message.id,
            HISTORY_PAGES,
            where,
        )
        return None

    def _failure(self, message: ClaimedMessage, error: SlackApiError) -> Outcome:
        status = error.response.status_code
        code = str(error.response.get("error", "")) or f"http_{status}"
        kind = classify(status, code)
        if kind is ErrorClass.PERMANENT:
            return Outcome(message, error=code, error_class=kind)
        if status == 429 or code in ("ratelimited", "rate_limited"):
            wait = _retry_after(error.response.headers) or self._backoff(message)
            return Outcome(message, error=code, retry_after=wait, waiting=True)
        return Outcome(
            message,
            error=code,
            error_class=kind,
            retry_after=self._backoff(message),
            maybe_delivered=may_have_landed(status, code),
        )

    def _network_failure(self, message: ClaimedMessage, error: Exception) -> Outcome:
        # No answer: Slack may have taken the message before the connection broke.
        return Outcome(
            message,
            error=f"network: {error}",
            retry_after=self._backoff(message),
            maybe_delivered=True,
        )

    def _backoff(self, message: ClaimedMessage) -> timedelta:
        return min(MAX_BACKOFF, BASE_BACKOFF * (1 << min(20, max(0, message.attempts - 1))))

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
        if _gives_up(outcome):
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
            maybe_delivered=outcome.maybe_delivered,
            count_attempt=not outcome.waiting,
        )


def _gives_up(outcome: Outcome) -> bool:
    """True when a failed attempt ends the row's retries."""
    attempts = outcome.message.attempts
    if outcome.error_class is ErrorClass.PERMANENT:
        return True
    if outcome.waiting:
        return False  # Slack asked us to wait, or the original is still on its way
    if outcome.error_class is ErrorClass.UNKNOWN:
        return attempts >= UNKNOWN_ATTEMPTS
    return attempts >= MAX_ATTEMPTS


def _retry_after(headers: Mapping[str, Any]) -> timedelta | None:
    """Slack's Retry-After header in seconds, if there is a usable one."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return timedelta(seconds=max(1, int(str(raw).strip())))
            except ValueError:
                return None
    return None
