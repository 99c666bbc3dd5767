"""Counting the SQL statements an engine runs, to hold query counts fixed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def count_statements(engine: Engine) -> list[str]:
    """A list that collects every statement `engine` runs from now on (for len() checks)."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    return statements
