"""Hostile requests against the real HTTP app: no 5xx, no ERROR line, no row changed when refused.

`make test` runs a small, derandomized budget; `make fuzz` (FUZZ_EXAMPLES=2000) a longer,
random one, and prints the counts. Families still failing on main are listed in
KNOWN_FAILURES and marked xfail(strict=True): when a fix lands, its family passes, the
strict xfail turns that into a failure, and the entry must be deleted (the one place to
flip). `--runxfail` (which `make fuzz` passes) ignores the list altogether.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz import mutate
from tests.fuzz.conftest import FuzzWorld
from tests.fuzz.harness import Failure
from tests.fuzz.report import distinct, minimal, repro

pytestmark = pytest.mark.fuzz

# Families that fail on today's main, each with the issue 11 item that fixes it. Delete an
# entry once its fix has landed (the strict xfail reports XPASS as a failure until you do).
KNOWN_FAILURES: dict[str, str] = {}

Strategy = Callable[..., Any]
FAMILIES: dict[str, Strategy] = {
    "transport": mutate.transport,
    "malformed": mutate.malformed,
    "stranger": mutate.stranger,
    "other_team": mutate.other_team,
    "forged": mutate.forged,
    "replay": mutate.replay,
}
# The bounded budget of `make test`: a few seconds per family on a small machine.
CI_EXAMPLES = {
    "transport": 25,
    "malformed": 60,
    "stranger": 30,
    "other_team": 30,
    "forged": 30,
    "replay": 15,
}


def budget(family: str) -> int:
    """Examples for a family: FUZZ_EXAMPLES (a total, shared evenly) or the CI budget."""
    total = os.environ.get("FUZZ_EXAMPLES")
    if total:
        return max(1, int(total) // len(FAMILIES))
    return CI_EXAMPLES[family]


def _param(family: str) -> Any:
    if family in KNOWN_FAILURES:
        return pytest.param(
            family, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[family])
        )
    return family


def _explain(failures: list[Failure]) -> str:
    lines = [f"{len(failures)} failure(s), {len(distinct(failures))} distinct:"]
    for (_, cause), found in sorted(distinct(failures).items()):
        smallest = minimal(found)
        lines.append(f"- x{len(found)} {cause}\n    {smallest.request.listener}: {repro(smallest)}")
    return "\n".join(lines)


@pytest.mark.parametrize("family", [_param(f) for f in FAMILIES])
def test_fuzz(family: str, fuzz_world: FuzzWorld) -> None:
    bot, corpus = fuzz_world.bot, fuzz_world.corpus
    failures: list[Failure] = []
    randomized = bool(os.environ.get("FUZZ_EXAMPLES"))

    # Failures are collected, not raised: the bot is stateful, so shrinking could not replay
    # them, and one run should show every distinct failure rather than the first.
    @settings(
        max_examples=budget(family),
        derandomize=not randomized,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        drawn = data.draw(FAMILIES[family](corpus, bot))
        for request in drawn if isinstance(drawn, tuple) else (drawn,):
            failures.extend(bot.send(request))

    run()
    assert not failures, _explain(failures)


def test_every_discovered_target_has_a_seed(fuzz_world: FuzzWorld) -> None:
    corpus, surface = fuzz_world.corpus, fuzz_world.surface
    assert corpus.missing(surface) == []
    real = [t for t in surface.targets if any(s.origin != "synthetic" for s in corpus.seeds[t])]
    # Most targets are seeded by a genuine payload; the rest borrow a sibling's (see synthesize).
    assert len(real) * 2 >= len(surface.targets), sorted(set(surface.targets) - set(real))
    assert corpus.stranger and corpus.foreign_task_id and corpus.foreign_survey_id
