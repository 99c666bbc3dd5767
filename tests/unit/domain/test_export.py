"""CSV export: cell formats, the formula guard, and the survey rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.export import (
    SURVEY_COLUMNS,
    csv_text,
    format_cell,
    iso_duration,
    survey_rows,
)
from bot.domain.feedback import Answer, Round
from bot.domain.types import RhythmFit, SurveyKind, TaskState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def parse(text: str) -> list[list[str]]:
    """The rows of a CSV text, read back with the csv module."""
    return list(csv.reader(io.StringIO(text, newline="")))


def test_simple_values() -> None:
    """None, booleans, ints, text and enums."""
    assert format_cell(None) == ""
    assert format_cell(True) == "true"
    assert format_cell(False) == "false"
    assert format_cell(0) == "0"
    assert format_cell(42) == "42"
    assert format_cell("plain text") == "plain text"
    assert format_cell(TaskState.AWAITING_APPROVAL) == "awaiting_approval"
    assert format_cell(RhythmFit.TOO_RARE) == "too_rare"


def test_floats_are_short() -> None:
    """At most four decimals, no trailing zeros, no exponent, no negative zero."""
    assert format_cell(0.75) == "0.75"
    assert format_cell(3.5) == "3.5"
    assert format_cell(2.0) == "2"
    assert format_cell(1 / 3) == "0.3333"
    assert format_cell(2 / 3) == "0.6667"
    assert format_cell(1234567.0) == "1234567"
    assert format_cell(-0.00001) == "0"
    assert format_cell(Decimal("1.50")) == "1.5"


def test_negative_numbers_are_not_guarded() -> None:
    """Numbers are not text, so their minus sign stays bare."""
    assert format_cell(-5) == "-5"
    assert format_cell(-2.5) == "-2.5"


def test_datetimes_come_out_in_utc_with_offset() -> None:
    """Aware datetimes in any zone are shown as the same instant in UTC."""
    assert format_cell(T0) == "2026-03-02T09:00:00+00:00"
    paris = datetime(2026, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert format_cell(paris) == "2026-07-01T10:30:00+00:00"
    east = datetime(2026, 1, 1, 1, 0, 0, 500000, tzinfo=timezone(timedelta(hours=5)))
    assert format_cell(east) == "2025-12-31T20:00:00.500000+00:00"


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime has no instant to show, alone or inside a list or a row."""
    with pytest.raises(ValueError, match="naive"):
        format_cell(datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        format_cell([T0, datetime(2026, 3, 2, 9, 0)])
    with pytest.raises(ValueError, match="naive"):
        csv_text(["at"], [{"at": datetime(2026, 3, 2)}])


def test_dates() -> None:
    """Dates are ISO dates."""
    assert format_cell(date(2026, 3, 6)) == "2026-03-06"


def test_durations_are_iso_8601() -> None:
    """Zero parts are dropped; nothing at all is PT0S."""
    assert iso_duration(timedelta(0)) == "PT0S"
    assert iso_duration(timedelta(days=2)) == "P2D"
    assert iso_duration(timedelta(days=1, hours=2, minutes=3, seconds=4)) == "P1DT2H3M4S"
    assert iso_duration(timedelta(minutes=5)) == "PT5M"
    assert iso_duration(timedelta(days=3, seconds=7)) == "P3DT7S"
    assert iso_duration(timedelta(seconds=90, microseconds=500000)) == "PT1M30.5S"
    assert iso_duration(timedelta(hours=-1)) == "-PT1H"
    assert format_cell(timedelta(hours=26)) == "P1DT2H"
    assert format_cell(timedelta(hours=-1)) == "'-PT1H"


def test_lists_and_tuples_are_joined() -> None:
    """Items are formatted one by one and joined by a semicolon."""
    assert format_cell(["U1", "U2"]) == "U1; U2"
    assert format_cell((1, 2.5, None, True)) == "1; 2.5; ; true"
    assert format_cell([RhythmFit.ABOUT_RIGHT, date(2026, 1, 2)]) == "about_right; 2026-01-02"
    assert format_cell([]) == ""


def test_unknown_types_are_refused() -> None:
    """Anything this module does not know how to show is an error, not a repr."""
    with pytest.raises(TypeError, match="object"):
        format_cell(object())
    with pytest.raises(TypeError, match="dict"):
        format_cell({"a": 1})


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1:A9)", "+1", "-2+3", "@cmd", "\tx", "\r=1", '=HYPERLINK("http://x")'],
)
def test_formula_injection_is_guarded(text: str) -> None:
    """Text a spreadsheet could run gets a leading apostrophe, in cells and in the file."""
    assert format_cell(text) == "'" + text
    assert parse(csv_text(["note"], [{"note": text}]))[1] == ["'" + text]


def test_harmless_text_is_left_alone() -> None:
    """Formula characters further in, or a leading space, are not touched."""
    for text in ("a=b", "1+1", " =x", "x-y", "'quoted"):
        assert format_cell(text) == text


def test_guard_applies_to_joined_lists() -> None:
    """A list whose first item looks like a formula is guarded as a whole."""
    assert format_cell(["=1+1", "ok"]) == "'=1+1; ok"
    assert format_cell(["ok", "=1+1"]) == "ok; =1+1"


def test_tasks_like_export() -> None:
    """A realistic task export reads back cell for cell, with CRLF line ends."""
    columns = ["title", "owner", "state", "created_at", "due_on", "done_at", "late", "waited"]
    rows = [
        {
            "title": 'Ship, "v2"',
            "owner": "U1",
            "state": TaskState.COMPLETED,
            "created_at": datetime(2026, 3, 2, 10, 15, tzinfo=ZoneInfo("Europe/London")),
            "due_on": date(2026, 3, 9),
            "done_at": datetime(2026, 3, 10, 8, 0, tzinfo=ZoneInfo("America/New_York")),
            "late": True,
            "waited": timedelta(hours=3, minutes=30),
            "ignored": "extra keys are dropped",
        },
        {
            "title": "-1 bugs\nleft",
            "owner": "U2",
            "state": TaskState.ACTIVE,
            "created_at": T0,
            "due_on": date(2026, 3, 20),
            "done_at": None,
            "late": False,
            "waited": timedelta(0),
        },
    ]
    text = csv_text(columns, rows)
    assert text.startswith("title,owner,state,created_at,due_on,done_at,late,waited\r\n")
    assert text.endswith("\r\n")
    assert "ignored" not in text
    assert parse(text) == [
        columns,
        [
            'Ship, "v2"',
            "U1",
            "completed",
            "2026-03-02T10:15:00+00:00",
            "2026-03-09",
            "2026-03-10T12:00:00+00:00",
            "true",
            "PT3H30M",
        ],
        [
            "'-1 bugs\nleft",
            "U2",
            "active",
            "2026-03-02T09:00:00+00:00",
            "2026-03-20",
            "",
            "false",
            "PT0S",
        ],
    ]


def test_a_row_missing_a_column_is_an_error() -> None:
    """A misspelt column shows up as an error rather than an empty column."""
    with pytest.raises(KeyError, match="due_on"):
        csv_text(["title", "due_on"], [{"title": "x"}])


def test_no_rows_gives_the_header_only() -> None:
    """An empty export still names its columns."""
    assert csv_text(["a", "b"], []) == "a,b\r\n"


def _answer(
    respondent: str,
    clarity: int,
    *,
    named: bool = False,
    kind: SurveyKind = SurveyKind.OWNER,
    problems: str = "",
) -> Answer:
    """A survey answer with the fields the export tests care about."""
    return Answer(
        respondent=respondent,
        kind=kind,
        clarity=clarity,
        skills_fit=4,
        challenge=None if kind is SurveyKind.LEAD_SELF else 3,
        rhythm_fit=None if kind is SurveyKind.LEAD_SELF else RhythmFit.ABOUT_RIGHT,
        submitted_at=T0,
        problems=problems,
        show_name=named,
    )


def test_survey_rows_follow_the_released_answers() -> None:
    """Self-assessment first, then named, then anonymous by content; held-back ones absent."""
    released_round = Round(
        label="Launch",
        closed_on=date(2026, 3, 6),
        asked=5,
        answers=(
            _answer("U7", 5),
            _answer("U2", 2, named=True, problems="=cmd"),
            _answer("U8", 1),
            _answer("U9", 3),
        ),
        self_answer=_answer("W0", 4, kind=SurveyKind.LEAD_SELF),
    )
    held_round = Round(
        label="Beta",
        closed_on=date(2026, 4, 1),
        asked=4,
        answers=(_answer("U3", 1, named=True), _answer("U4", 5), _answer("U5", 5)),
    )
    rows = survey_rows([released_round, held_round], 3)
    assert all(tuple(row) == SURVEY_COLUMNS for row in rows)
    assert "submitted_at" not in SURVEY_COLUMNS
    assert [(r["round"], r["kind"], r["respondent"], r["clarity"]) for r in rows] == [
        ("Launch", "lead_self", "W0", 4),
        ("Launch", "owner", "U2", 2),
        ("Launch", "owner", "anonymous", 1),
        ("Launch", "owner", "anonymous", 3),
        ("Launch", "owner", "anonymous", 5),
        ("Beta", "owner", "U3", 1),
    ]
    lines = parse(csv_text(SURVEY_COLUMNS, rows))
    assert lines[0] == list(SURVEY_COLUMNS)
    assert lines[1] == ["Launch", "2026-03-06", "lead_self", "W0", "4", "4", "", ""] + [""] * 4
    assert lines[2][SURVEY_COLUMNS.index("problems")] == "'=cmd"
    assert lines[3][SURVEY_COLUMNS.index("rhythm_fit")] == "about_right"
    text = csv_text(SURVEY_COLUMNS, rows)
    for hidden in ("U4", "U5", "U7", "U8", "U9"):
        assert hidden not in text
