"""Use cases racing a concurrent copy of themselves: the loser runs again and sees the winner."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def once_more_on_conflict(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run a use case a second time when a concurrent one won a race to the same rows.

    Row locks make concurrent clicks take turns, so this is the backstop: a unique key
    taken meanwhile (IntegrityError) or a task row changed under us (StaleDataError). The
    second run starts a new transaction, sees what the winner committed, and answers as a
    late click would: a no-op or a refusal, never an error page.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return use_case(*args, **kwargs)
        except (IntegrityError, StaleDataError) as lost:
            log.info(
                "%s lost a race (%s); running it again", use_case.__name__, type(lost).__name__
            )
            return use_case(*args, **kwargs)

    return run
