"""What the sandbox saw: every call the app made and every call real Slack would have refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request the app made to the sandbox (Web API method, response_url post or upload)."""

    method: str
    params: dict[str, Any]
    response: Any
    status: int
    time: float
    fault: str | None = None
    violations: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when Slack would have said ok."""
        return (
            self.status == 200
            and isinstance(self.response, dict)
            and self.response.get("ok") is True
        )

    @property
    def error(self) -> str | None:
        """The Slack error code of a refused call, if any."""
        if isinstance(self.response, dict):
            error = self.response.get("error")
            return error if isinstance(error, str) else None
        return None


@dataclass(frozen=True)
class Violation:
    """A call real Slack would have refused, with the reasons."""

    method: str
    problems: tuple[str, ...]
    params: dict[str, Any] = field(repr=False)
    time: float

    def __str__(self) -> str:
        reasons = "; ".join(self.problems)
        return f"{self.method}: {reasons}"


class CallLog:
    """Thread-safe, append-only record of calls and violations."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._violations: list[Violation] = []

    def add(self, call: Call) -> None:
        """Record a call, and a violation when it carries problems."""
        with self._lock:
            self._calls.append(call)
            if call.violations:
                self._violations.append(
                    Violation(call.method, call.violations, call.params, call.time)
                )
            self._lock.notify_all()

    def add_violation(self, violation: Violation) -> None:
        """Record a violation that did not come from a Web API call (an ack, say)."""
        with self._lock:
            self._violations.append(violation)

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    @property
    def violations(self) -> list[Violation]:
        """A snapshot of every violation so far, oldest first."""
        with self._lock:
            return list(self._violations)

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one method, oldest first."""
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` are recorded; TimeoutError otherwise.

        Apps ack first and call Slack afterwards, so a test waits for the call, not a time.
        """
        with self._lock:
            arrived = self._lock.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            if not arrived:
                seen = sum(c.method == method for c in self._calls)
                raise TimeoutError(f"{seen} of {count} call(s) to {method} within {timeout}s")
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._calls.clear()
            self._violations.clear()

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)
