"""Working-week vocabulary: parsing and describing which weekdays someone works."""

from __future__ import annotations

DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX: dict[str, int] = {name.lower(): index for index, name in enumerate(DAY_NAMES)}


def _day(token: str) -> int:
    key = token.strip().lower()[:3]
    if key not in _DAY_INDEX:
        raise ValueError(
            f"{token.strip()!r} is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
        )
    return _DAY_INDEX[key]


def parse_working_days(text: str) -> frozenset[int]:
    """Parse "Mon-Fri", "Sun-Thu" or "Mon,Wed,Fri" into weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        if "-" in part:
            first_text, last_text = part.split("-", 1)
            first, last = _day(first_text), _day(last_text)
            span = (last - first) % 7
            days.update((first + offset) % 7 for offset in range(span + 1))
        else:
            days.add(_day(part))
    if not days:
        raise ValueError("name at least one working day, for example Mon-Fri")
    return frozenset(days)


def describe_working_days(days: frozenset[int]) -> str:
    """Render weekday numbers back as compact text ("Mon-Fri", "Mon,Wed,Fri")."""
    ordered = sorted(days)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        for run in runs
    ]
    return ",".join(parts)
