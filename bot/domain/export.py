"""CSV exports: cell formatting, the spreadsheet formula guard, and the survey rows.

Pure, no I/O: callers write the returned text wherever it goes. Cells are formatted so a
spreadsheet reads them back unambiguously:
- None is empty; booleans are "true"/"false"; enums give their value;
- datetimes must be aware and come out in UTC as ISO 8601 with the offset; dates as ISO dates;
- durations as ISO 8601 durations ("P1DT2H3M4S", zero parts dropped, "PT0S" for none);
- floats with at most four decimals and no trailing zeros; lists and tuples joined by "; ".
Any text cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
so a spreadsheet shows it instead of running it as a formula. Numbers are not text, so a
negative number stays as it is.

The survey export goes through `feedback.released()` like every other view of the answers,
and carries no submission times (they could tell who answered).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum

from bot.domain.feedback import Answer, Round, released
from bot.domain.types import SurveyKind

LIST_SEPARATOR = "; "
# Leading characters a spreadsheet may take as the start of a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_FLOAT_PLACES = 4

SURVEY_COLUMNS: tuple[str, ...] = (
    "round",
    "closed_on",
    "kind",
    "respondent",
    "clarity",
    "skills_fit",
    "challenge",
    "rhythm_fit",
    "problems",
    "lead_better",
    "smoother",
    "other",
)
ANONYMOUS = "anonymous"


def iso_duration(value: dt.timedelta) -> str:
    """`value` as an ISO 8601 duration such as "P1DT2H3M4S" (zero parts dropped)."""
    if value < dt.timedelta(0):
        return "-" + iso_duration(-value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    second_text = str(seconds)
    if value.microseconds:
        second_text += f".{value.microseconds:06d}".rstrip("0")
    date_part = f"{value.days}D" if value.days else ""
    time_part = "".join(
        f"{amount}{unit}"
        for amount, unit in ((str(hours), "H"), (str(minutes), "M"), (second_text, "S"))
        if amount != "0"
    )
    if not date_part and not time_part:
        return "PT0S"
    return "P" + date_part + ("T" + time_part if time_part else "")


def _number(value: float | Decimal) -> str:
    """A float or decimal with at most four places, trailing zeros and "-0" dropped."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = f"{value:.{_FLOAT_PLACES}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _guard(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet could take it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _plain(value: object) -> tuple[str, bool]:
    """The cell text of `value` and whether it is text (so needs the formula guard)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float | Decimal):
        return _number(value), False
    if isinstance(value, str):
        return value, True
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be exported")
        return value.astimezone(dt.UTC).isoformat(), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, dt.timedelta):
        return iso_duration(value), True
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_plain(item)[0] for item in value), True
    raise TypeError(f"cannot export a {type(value).__name__} cell")


def format_cell(value: object) -> str:
    """One CSV cell's text for `value`, with the formula guard applied to text."""
    text, is_text = _plain(value)
    return _guard(text) if is_text else text


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A CSV with a header of `columns` and one line per row; keys not in `columns` ignored.

    Raises KeyError when a row lacks one of `columns`, ValueError for a naive datetime and
    TypeError for a value of a type this module does not know how to show.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_guard(column) for column in columns])
    for row in rows:
        missing = [column for column in columns if column not in row]
        if missing:
            raise KeyError(f"row lacks columns {missing}")
        writer.writerow([format_cell(row[column]) for column in columns])
    return buffer.getvalue()


def _survey_row(
    round_: Round, answer: Answer, kind: SurveyKind, respondent: str
) -> dict[str, object]:
    """One line of the survey export for `answer` in `round_`."""
    return {
        "round": round_.label,
        "closed_on": round_.closed_on,
        "kind": kind,
        "respondent": respondent,
        "clarity": answer.clarity,
        "skills_fit": answer.skills_fit,
        "challenge": answer.challenge,
        "rhythm_fit": answer.rhythm_fit,
        "problems": answer.problems,
        "lead_better": answer.lead_better,
        "smoother": answer.smoother,
        "other": answer.other,
    }


def survey_rows(rounds: Sequence[Round], threshold: int) -> list[dict[str, object]]:
    """The survey export's rows: per round, the lead's self-assessment then released answers."""
    rows: list[dict[str, object]] = []
    for round_ in rounds:
        if round_.self_answer is not None:
            lead = round_.self_answer
            rows.append(_survey_row(round_, lead, SurveyKind.LEAD_SELF, lead.respondent))
        for answer in released(round_, threshold):
            respondent = answer.respondent if answer.show_name else ANONYMOUS
            rows.append(_survey_row(round_, answer, SurveyKind.OWNER, respondent))
    return rows
