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


ANY_METHOD = "*"


@dataclass
class Fault:
    """One armed fault; `remaining` counts down to zero (None means it never runs out)."""

    method: str
    kind: FaultKind
    remaining: int | None = 1
    retry_after: int = 1
    delay: float = 1.0
    error: str | None = None
    status: int = 500

    def matches(self, method: str) -> bool:
        """True when this fault applies to `method` and has uses left."""
        exhausted = self.remaining is not None and self.remaining <= 0
        return not exhausted and self.method in (method, ANY_METHOD)

    def response(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, headers and JSON body Slack would answer with (not used for SLOW)."""
        if self.kind is FaultKind.RATELIMITED:
            return (
                429,
                {"Retry-After": str(self.retry_after)},
                {"ok": False, "error": "ratelimited"},
            )
        if self.kind is FaultKind.SERVER_ERROR:
            return self.status, {}, {"ok": False, "error": "internal_error"}
        return 200, {}, {"ok": False, "error": self.error or "fatal_error"}


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
        retry_after: int = 1,
        delay: float = 1.0,
        error: str | None = None,
        status: int = 500,
    ) -> Fault:
        """Arm a fault for `method` ("*" for every method) for the next `times` calls.

        kinds: "ratelimited" (429 + Retry-After), "server_error" (`status`, default 500),
        "slow" (answer normally after `delay` seconds), "error" (ok false with `error`).
        """
        fault_kind = FaultKind(kind)
        if fault_kind is FaultKind.ERROR and not error:
            raise ValueError(
                "an 'error' fault needs the Slack error code, e.g. error='fatal_error'"
            )
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every call)")
        fault = Fault(method, fault_kind, times, retry_after, delay, error, status)
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
