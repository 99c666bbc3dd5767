from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.brief import (
    TEXT_MAX,
    BriefInput,
    ChannelFacts,
    CheckpointInput,
    OwnerFacts,
    parse_skills,
    validate_brief,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=LONDON)
MARCUS = OwnerFacts(display_name="Marcus Reed")


def _brief(**changes: object) -> BriefInput:
    base: dict[str, object] = {
        "owner_id": "U0SBMARC1",
        "title": "Acme renewal deck",
        "goal": "Renewal at flat price; they are weighing a competitor.",
        "due_date": date(2026, 12, 4),
    }
    return BriefInput(**(base | changes))  # type: ignore[arg-type]


def _errors(brief: BriefInput, **kwargs: object) -> dict[str, str]:
    options: dict[str, object] = {"now_local": NOW, "owner": MARCUS, "channel": None} | kwargs
    return validate_brief(brief, **options)  # type: ignore[arg-type]


def test_a_complete_brief_passes() -> None:
    brief = _brief(
        checkpoints=(CheckpointInput(1, "Outline shared", date(2026, 11, 27)),),
        due_time=time(17, 0),
    )
    assert _errors(brief, channel=ChannelFacts("key-accounts", bot_is_member=True)) == {}


@pytest.mark.parametrize(
    ("owner", "owner_id", "expected"),
    [
        (None, None, "Choose the one person"),
        (OwnerFacts("x", exists=False), "U1", "can't find"),
        (OwnerFacts("Delegate", is_bot=True), "U1", "is a bot"),
        (OwnerFacts("Dana", deactivated=True), "U1", "deactivated"),
        (OwnerFacts("Lena", is_the_lead=True), "U1", "You're the lead"),
    ],
)
def test_owner_problems(owner: OwnerFacts | None, owner_id: str | None, expected: str) -> None:
    errors = _errors(_brief(owner_id=owner_id), owner=owner)
    assert list(errors) == ["owner"]
    assert expected in errors["owner"]


def test_required_texts() -> None:
    errors = _errors(_brief(title="", goal=""))
    assert set(errors) == {"title", "goal"}


def test_due_date_in_the_past_for_the_lead() -> None:
    # "Today" is the lead's date in their own time zone (23 Nov in London).
    assert "due_date" in _errors(_brief(due_date=date(2026, 11, 22)))
    assert _errors(_brief(due_date=date(2026, 11, 23))) == {}


def test_due_date_more_than_a_year_ahead() -> None:
    assert "more than a year" in _errors(_brief(due_date=date(2027, 11, 25)))["due_date"]


def test_due_time_already_passed_today() -> None:
    errors = _errors(_brief(due_date=date(2026, 11, 23), due_time=time(14, 0)))
    assert list(errors) == ["due_time"]


def test_missing_due_date() -> None:
    assert _errors(_brief(due_date=None)) == {"due_date": "Choose a due date."}


@pytest.mark.parametrize(
    ("checkpoint", "block", "expected"),
    [
        (CheckpointInput(2, "Draft", None), "checkpoint_2_date", "Give this checkpoint a date"),
        (CheckpointInput(1, "", date(2026, 11, 30)), "checkpoint_1_text", "what should be ready"),
        (CheckpointInput(1, "Draft", date(2026, 11, 20)), "checkpoint_1_date", "passed"),
        (CheckpointInput(3, "Draft", date(2026, 12, 5)), "checkpoint_3_date", "before the due"),
    ],
)
def test_checkpoint_problems(checkpoint: CheckpointInput, block: str, expected: str) -> None:
    errors = _errors(_brief(checkpoints=(checkpoint,)))
    assert list(errors) == [block]
    assert expected in errors[block]


def test_text_beyond_the_limit() -> None:
    errors = _errors(_brief(risks="r" * (TEXT_MAX + 1)))
    assert list(errors) == ["risks"]
    assert str(TEXT_MAX) in errors["risks"]


def test_project_chosen_and_named_at_once() -> None:
    assert list(_errors(_brief(project_id=3, new_project="Acme"))) == ["new_project"]


def test_update_channel_without_the_bot_says_how_to_invite() -> None:
    errors = _errors(_brief(), channel=ChannelFacts("random", bot_is_member=False))
    assert "/invite @Delegate" in errors["update_channel"]
    assert "#random" in errors["update_channel"]


def test_every_message_fits_under_a_modal_field() -> None:
    brief = _brief(owner_id=None, title="", goal="", due_date=date(2020, 1, 1))
    for message in _errors(brief, owner=None).values():
        assert 0 < len(message) <= 150


def test_parse_skills() -> None:
    assert parse_skills(" negotiation, Excel;excel\n public  speaking ,") == (
        "negotiation",
        "Excel",
        "public speaking",
    )
