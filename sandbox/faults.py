"""Injected failures, per method: rate limits, server errors, slowness and Slack error codes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    """How a faulted call misbehaves."""

    RATELIMITED = "ratelimited"
    SERVER_ERROR = "server_error"
    SLOW = "slow"
    ERROR = "error"
    DROP = "drop"  # the connection closes without an answer


DROPPED = 0  # the status recorded for a call whose connection was dropped


ANY_METHOD = "*"


@dataclass
class Fault:
    """One armed fault; `remaining` counts down to zero (None means it never runs out)."""

    method: str
    kind: FaultKind
    remaining: int | None = 1
    retry_after: int | None = 1
    delay: float = 1.0
    error: str | None = None
    status: int = 500
    # The call takes effect first, then the fault plays out: Slack kept the message but the
    # caller sees an error or a late answer (what a client that times out or dies sees).
    accepted: bool = False

    def matches(self, method: str) -> bool:
        """True when this fault applies to `method` and has uses left."""
        exhausted = self.remaining is not None and self.remaining <= 0
        return not exhausted and self.method in (method, ANY_METHOD)

    def response(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, headers and JSON body Slack would answer with (not used for SLOW)."""
        if self.kind is FaultKind.RATELIMITED:
            return (
                429,
                {"Retry-After": str(self.retry_after or 1)},
                {"ok": False, "error": "ratelimited"},
            )
        if self.kind is FaultKind.DROP:
            return DROPPED, {}, {"ok": False, "error": "connection_dropped"}
        if self.kind is FaultKind.SERVER_ERROR:
            return self.status, {}, {"ok": False, "error": "internal_error"}
        # Slack's ok:false answers come with HTTP 200; `ratelimited` may carry Retry-After.
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return 200, headers, {"ok": False, "error": self.error or "fatal_error"}


class Faults:
    """The armed faults of one server; safe to arm from the test thread while it serves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        method: str,
        kind: FaultKind | str,
        *,
        times: int | None = 1,
        retry_after: int | None = None,
        delay: float = 1.0,
        error: str | None = None,
        status: int = 500,
        accepted: bool = False,
    ) -> Fault:
        """Arm a fault for `method` ("*" for every method) for the next `times` calls.

        kinds: "ratelimited" (429 + Retry-After, default 1), "server_error" (`status`,
        default 500), "slow" (answer normally after `delay` seconds), "error" (HTTP 200, ok
        false with `error`, and Retry-After only when `retry_after` is given), "drop" (close
        the connection without an answer).
        `accepted`: the call takes effect before the fault plays out (Slack has the message,
        the caller sees the error, or the answer only after `delay`).
        """
        fault_kind = FaultKind(kind)
        if fault_kind is FaultKind.ERROR and not error:
            raise ValueError(
                "an 'error' fault needs the Slack error code, e.g. error='fatal_error'"
            )
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every call)")
        if fault_kind is FaultKind.RATELIMITED and retry_after is None:
            retry_after = 1
        fault = Fault(method, fault_kind, times, retry_after, delay, error, status, accepted)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str) -> list[Fault]:
        """Consume the faults that apply to this call: at most one slow one and one failing one."""
        taken: list[Fault] = []
        with self._lock:
            for slow in (True, False):
                for fault in self._faults:
                    if fault.matches(method) and (fault.kind is FaultKind.SLOW) is slow:
                        if fault.remaining is not None:
                            fault.remaining -= 1
                        taken.append(fault)
                        break
        return taken

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    @property
    def armed(self) -> list[Fault]:
        """Faults that still have uses left."""
        with self._lock:
            return [f for f in self._faults if f.remaining is None or f.remaining > 0]
