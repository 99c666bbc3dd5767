"""Profile modals pass Slack's schema, escape what people typed, and read back what they entered."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.views.profile import (
    CAPACITY_BLOCK,
    EXPERIENCE_BLOCK,
    EXPERIENCE_MAX,
    OTHER_SKILLS_BLOCK,
    PROFILE_CALLBACK,
    SKILLS_BLOCK,
    TEAM_PROFILES_CALLBACK,
    ProfileInput,
    ProfileView,
    profile_modal,
    read_profile,
    team_profiles_modal,
)
from sandbox.oracle import validate_view

MARC = ProfileView(
    user_id="U0SBMARC1",
    name="Marc <!channel>",
    skills=("Excel", "pricing", "Board <decks>"),
    experience="Ran the 2025 <!here> budget\nand the Acme & Globex pitch",
    capacity=None,
    default_capacity=4,
    tz="Europe/London",
    working_days="Mon-Fri",
    check_in="10:00",
    away=(date(2026, 3, 9), date(2026, 3, 11)),
    open_count=3,
)
BARE = ProfileView(
    user_id="U0SBPRIY1",
    name="Priya",
    skills=(),
    experience="",
    capacity=5,
    default_capacity=4,
    tz=None,
    working_days="Mon-Thu",
    check_in="09:30",
    away=None,
)
OPTIONS = ["Excel", "Pricing", "Python", "Public speaking"]
HUGE = ProfileView(
    user_id="U0SBHUGE1",
    name="N" * 500,
    skills=tuple(f"Skill {i} " + "x" * 40 for i in range(30)),
    experience="<&>\n" * 250,
    capacity=50,
    default_capacity=4,
    tz="America/Argentina/ComodRivadavia",
    working_days="Mon, Tue, Wed, Thu, Fri, Sat, Sun",
    check_in="23:45",
    away=(date(2026, 1, 1), date(2026, 12, 31)),
    open_count=50,
)
CROWD = [
    dataclasses.replace(MARC if i % 2 else HUGE, user_id=f"U{i:08d}", name=f"Person {i} <@U1>")
    for i in range(200)
]
VIEWS: dict[str, dict[str, Any]] = {
    "profile, typical": profile_modal(profile=MARC, skill_options=OPTIONS),
    "profile, empty": profile_modal(profile=BARE, skill_options=[]),
    "profile, empty with options": profile_modal(profile=BARE, skill_options=OPTIONS),
    "profile, 200 long options": profile_modal(
        profile=HUGE, skill_options=[f"Option {i} " + "y" * 100 for i in range(200)]
    ),
    "profile, huge skills": profile_modal(profile=HUGE, skill_options=list(HUGE.skills)),
    "team, empty": team_profiles_modal(profiles=[]),
    "team, typical": team_profiles_modal(profiles=[MARC, BARE]),
    "team, 200 people": team_profiles_modal(profiles=CROWD),
}


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The block with this id."""
    found = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert len(found) == 1, block_id
    chosen: dict[str, Any] = found[0]
    return chosen


def texts(view: dict[str, Any]) -> str:
    """Every block of the view as one string, for looking for escaped text."""
    return str(view["blocks"])


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_passes_the_oracle(oracle_path: Path, name: str) -> None:
    assert validate_view(VIEWS[name]) == []


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_stays_within_slack_limits(name: str) -> None:
    view = VIEWS[name]
    assert len(view["blocks"]) <= 100
    for b in view["blocks"]:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "input":
            element = b["element"]
            assert len(element.get("options", [])) <= 100
            assert all(len(o["text"]["text"]) <= 75 for o in element.get("options", []))
            assert len(b["label"]["text"]) <= 2000


def test_profile_modal_prefills_what_the_person_gave() -> None:
    view = VIEWS["profile, typical"]
    assert (view["callback_id"], view["title"]["text"]) == (PROFILE_CALLBACK, "Your profile")
    assert (view["submit"]["text"], view["close"]["text"]) == ("Save", "Cancel")
    select = block(view, SKILLS_BLOCK)["element"]
    assert select["type"] == "multi_static_select"
    assert select["action_id"] == SKILLS_BLOCK
    assert [o["value"] for o in select["options"]] == OPTIONS
    assert [o["value"] for o in select["initial_options"]] == ["Excel", "Pricing"]
    other = block(view, OTHER_SKILLS_BLOCK)["element"]
    assert other["initial_value"] == "Board <decks>"
    assert other["max_length"] == 300
    experience = block(view, EXPERIENCE_BLOCK)["element"]
    assert experience["multiline"] is True
    assert experience["initial_value"] == MARC.experience
    capacity = block(view, CAPACITY_BLOCK)
    assert capacity["element"]["type"] == "number_input"
    assert capacity["element"]["is_decimal_allowed"] is False
    assert "initial_value" not in capacity["element"]
    assert "Empty uses the team default of 4" in capacity["hint"]["text"]
    assert all(b.get("optional") for b in view["blocks"] if b["type"] == "input")


def test_profile_modal_shows_working_hours_and_where_to_change_them() -> None:
    hours = VIEWS["profile, typical"]["blocks"][-1]
    assert hours["type"] == "context"
    text = hours["elements"][0]["text"]
    for part in ("Europe/London", "Mon-Fri", "10:00", "2026-03-09 to 2026-03-11"):
        assert part in text
    assert "/delegate settings" in text


def test_profile_modal_without_options_or_values() -> None:
    view = VIEWS["profile, empty"]
    ids = [b.get("block_id") for b in view["blocks"]]
    assert SKILLS_BLOCK not in ids
    assert "initial_value" not in block(view, OTHER_SKILLS_BLOCK)["element"]
    assert "initial_value" not in block(view, EXPERIENCE_BLOCK)["element"]
    assert "not set" in view["blocks"][-1]["elements"][0]["text"]
    select = block(VIEWS["profile, empty with options"], SKILLS_BLOCK)["element"]
    assert "initial_options" not in select


def test_profile_modal_prefills_a_set_capacity() -> None:
    view = VIEWS["profile, empty with options"]
    assert block(view, CAPACITY_BLOCK)["element"]["initial_value"] == "5"


def test_profile_modal_caps_and_clips_options() -> None:
    select = block(VIEWS["profile, 200 long options"], SKILLS_BLOCK)["element"]
    assert len(select["options"]) == 100
    assert select["options"][0]["text"]["text"].startswith("Option 0 ")
    assert len(select["options"][0]["text"]["text"]) == 75


def test_profile_modal_matches_options_however_they_are_spelled() -> None:
    view = profile_modal(
        profile=dataclasses.replace(MARC, skills=("  EXCEL", "public   SPEAKING", "Chess")),
        skill_options=["Excel", "Public speaking", "excel"],
    )
    select = block(view, SKILLS_BLOCK)["element"]
    assert [o["value"] for o in select["options"]] == ["Excel", "Public speaking"]
    assert [o["value"] for o in select["initial_options"]] == ["Excel", "Public speaking"]
    assert block(view, OTHER_SKILLS_BLOCK)["element"]["initial_value"] == "Chess"


def test_team_view_is_read_only_and_escapes_what_people_typed() -> None:
    view = VIEWS["team, typical"]
    assert view["callback_id"] == TEAM_PROFILES_CALLBACK
    assert view["title"]["text"] == "Team profiles"
    assert view["close"]["text"] == "Close"
    assert "submit" not in view
    shown = texts(view)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "<!here>" not in shown and "&lt;!here&gt;" in shown
    assert "Board &lt;decks&gt;" in shown
    marc = view["blocks"][1]["text"]["text"]
    assert "3 open of 4" in marc
    assert ">and the Acme &amp; Globex pitch" in marc
    assert "Europe/London" in marc and "Mon-Fri" in marc
    assert "2026-03-09 to 2026-03-11" in marc
    priya = view["blocks"][2]["text"]["text"]
    assert "0 open of 5" in priya and "Mon-Thu" in priya
    assert "Away" not in priya


def test_team_view_shows_ninety_and_counts_the_rest() -> None:
    view = VIEWS["team, 200 people"]
    sections = [b for b in view["blocks"] if b["type"] == "section"]
    assert len(sections) == 90
    assert view["blocks"][-1]["elements"][0]["text"] == "and 110 more"
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert "<@U1>" not in texts(view)


def test_team_view_when_nobody_is_there_yet() -> None:
    view = VIEWS["team, empty"]
    assert len(view["blocks"]) == 1
    assert "Nobody has delegated work with you yet" in view["blocks"][0]["text"]["text"]


def test_profile_modal_escapes_the_working_hours() -> None:
    view = profile_modal(
        profile=dataclasses.replace(MARC, working_days="<!channel> days", tz="<!here>"),
        skill_options=[],
    )
    hours = view["blocks"][-1]["elements"][0]["text"]
    assert "&lt;!channel&gt; days" in hours and "&lt;!here&gt;" in hours
    assert "<!" not in hours


# Reading the submitted state


def state(
    *,
    picked: list[str] | None = None,
    other: str | None = None,
    experience: str | None = None,
    capacity: str | None = None,
) -> dict[str, Any]:
    """view.state.values as Slack sends them for the profile modal."""
    return {
        SKILLS_BLOCK: {
            SKILLS_BLOCK: {
                "type": "multi_static_select",
                "selected_options": [
                    {"text": {"type": "plain_text", "text": p}, "value": p} for p in picked or []
                ],
            }
        },
        OTHER_SKILLS_BLOCK: {OTHER_SKILLS_BLOCK: {"type": "plain_text_input", "value": other}},
        EXPERIENCE_BLOCK: {EXPERIENCE_BLOCK: {"type": "plain_text_input", "value": experience}},
        CAPACITY_BLOCK: {CAPACITY_BLOCK: {"type": "number_input", "value": capacity}},
    }


def test_read_profile_merges_and_deduplicates_skills() -> None:
    read = read_profile(
        state(
            picked=["Excel", "Pricing"],
            other=" excel , Board decks,, PRICING,board  DECKS , Chess ",
            experience="  Ran the budget \n",
            capacity="3",
        )
    )
    assert read == ProfileInput(
        skills=("Excel", "Pricing", "Board decks", "Chess"),
        experience="Ran the budget",
        capacity=3,
    )


def test_read_profile_with_nothing_entered() -> None:
    assert read_profile(state()) == ProfileInput(skills=(), experience="", capacity=None)
    assert read_profile({}) == ProfileInput(skills=(), experience="", capacity=None)


def test_read_profile_without_the_select_block() -> None:
    values = state(other="Chess", capacity="0")
    del values[SKILLS_BLOCK]
    assert read_profile(values) == ProfileInput(skills=("Chess",), experience="", capacity=0)


@pytest.mark.parametrize("capacity", ["0", "50", " 7 "])
def test_read_profile_accepts_capacity_in_range(capacity: str) -> None:
    read = read_profile(state(capacity=capacity))
    assert isinstance(read, ProfileInput)
    assert read.capacity == int(capacity)


@pytest.mark.parametrize("capacity", ["-1", "51", "2.5", "three", "1e3"])
def test_read_profile_refuses_other_capacities(capacity: str) -> None:
    assert read_profile(state(capacity=capacity)) == {
        CAPACITY_BLOCK: "Enter a whole number from 0 to 50."
    }


def test_read_profile_refuses_a_long_skill() -> None:
    long_skill = "Advanced financial modelling for subscription businesses in EMEA"
    assert len(long_skill) == 64
    errors = read_profile(state(other=f"Excel, {long_skill}"))
    assert isinstance(errors, dict)
    assert list(errors) == [OTHER_SKILLS_BLOCK]
    assert errors[OTHER_SKILLS_BLOCK].startswith("Keep each skill under 50 characters: '")
    assert errors[OTHER_SKILLS_BLOCK].endswith("' is 64.")


def test_read_profile_accepts_a_skill_of_exactly_fifty() -> None:
    read = read_profile(state(other="s" * 50))
    assert isinstance(read, ProfileInput)
    assert read.skills == ("s" * 50,)


def test_read_profile_refuses_more_than_thirty_skills() -> None:
    many = ", ".join(f"Skill {i}" for i in range(31))
    errors = read_profile(state(other=many))
    assert isinstance(errors, dict)
    assert "31" in errors[OTHER_SKILLS_BLOCK]
    assert isinstance(
        read_profile(state(other=", ".join(f"Skill {i}" for i in range(30)))), ProfileInput
    )
    picked_only = read_profile(state(picked=[f"Skill {i}" for i in range(31)]))
    assert isinstance(picked_only, dict) and SKILLS_BLOCK in picked_only


def test_read_profile_refuses_long_experience_and_counts_it() -> None:
    errors = read_profile(state(experience="x" * (EXPERIENCE_MAX + 5), capacity="x"))
    assert isinstance(errors, dict)
    assert "1005" in errors[EXPERIENCE_BLOCK]
    assert errors[CAPACITY_BLOCK] == "Enter a whole number from 0 to 50."
    assert isinstance(read_profile(state(experience="x" * EXPERIENCE_MAX)), ProfileInput)


def test_a_read_profile_round_trips_through_the_modal() -> None:
    view = profile_modal(profile=MARC, skill_options=OPTIONS)
    select = block(view, SKILLS_BLOCK)["element"]
    values = state(
        picked=[o["value"] for o in select["initial_options"]],
        other=block(view, OTHER_SKILLS_BLOCK)["element"]["initial_value"],
        experience=block(view, EXPERIENCE_BLOCK)["element"]["initial_value"],
    )
    read = read_profile(values)
    assert isinstance(read, ProfileInput)
    assert read.skills == ("Excel", "Pricing", "Board <decks>")
    assert read.experience == MARC.experience
    assert read.capacity is None
