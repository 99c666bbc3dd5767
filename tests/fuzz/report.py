"""What `make fuzz` prints: counts, and each distinct failure once with its smallest payload."""

from __future__ import annotations

import json
from collections import defaultdict

from tests.fuzz.harness import Failure, Stats


def distinct(failures: list[Failure]) -> dict[tuple[str, str], list[Failure]]:
    """Failures grouped by (family, cause): a request's traceback names its cause when it has
    one (its 5xx and ERROR line are symptoms of it), else its first broken rule does."""
    by_request: dict[int, list[Failure]] = defaultdict(list)
    for failure in failures:
        by_request[id(failure.request)].append(failure)
    groups: dict[tuple[str, str], list[Failure]] = defaultdict(list)
    for found in by_request.values():
        traced = [f for f in found if f.check in ("traceback", "row-changed")]
        main = traced[0] if traced else found[0]
        groups[(main.request.family, main.cause())].append(main)
    return groups


def minimal(failures: list[Failure]) -> Failure:
    """The failure whose request is smallest: the easiest one to reproduce by hand."""
    return min(failures, key=lambda f: len(f.request.body))


def repro(failure: Failure, limit: int = 400) -> str:
    """The request of a failure, shortened for reading."""
    request = failure.request
    shown = (
        json.dumps(request.payload)
        if request.payload is not None
        else request.body.decode("utf-8", "replace")
    )
    if len(shown) > limit:
        shown = shown[:limit] + f"... ({len(shown)} chars)"
    return f"{request.mutation} | HTTP {failure.status} | {shown}"


def summary(stats: Stats) -> str:
    """Counts by family, listener kind and status, then the distinct failures."""
    lines = [
        f"requests sent: {sum(stats.sent.values())}",
        "  by family: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.sent.items())),
        "  by listener kind: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.by_kind.items())),
        "  outcomes (HTTP status): "
        + ", ".join(f"{k}={v}" for k, v in sorted(stats.statuses.items())),
        "  refused (must change no row): "
        + ", ".join(f"{k}={v}" for k, v in sorted(stats.refused.items())),
        f"failures: {len(stats.failures)}",
    ]
    by_family: dict[str, int] = defaultdict(int)
    for failure in stats.failures:
        by_family[f"{failure.request.family}/{failure.check}"] += 1
    if by_family:
        lines.append(
            "  by family/check: " + ", ".join(f"{k}={v}" for k, v in sorted(by_family.items()))
        )
    groups = distinct(stats.failures)
    lines.append(f"distinct failures (listener, cause): {len(groups)}")
    for (family, cause), found in sorted(groups.items()):
        listeners = sorted({f.request.listener for f in found})
        lines.append(f"- [{family}] x{len(found)} {cause}")
        lines.append(
            f"    listeners: {', '.join(listeners[:8])}{' ...' if len(listeners) > 8 else ''}"
        )
        smallest = minimal(found)
        lines.append(f"    smallest: {smallest.request.listener} {repro(smallest)}")
    return "\n".join(lines)
