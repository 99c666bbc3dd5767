"""Every view passes Slack's type schema and slack_sdk's length limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.domain.brief import CheckpointInput
from bot.domain.suggest import Suggestion
from bot.domain.types import Rhythm
from bot.views.delegation import (
    BriefPrefill,
    ModalMetadata,
    OwnerHelp,
    brief_not_enabled_modal,
    new_delegation_modal,
    read_brief,
)
from bot.views.help import unknown_subcommand_text, usage_text
from bot.views.home import HomeData, home_view
from bot.views.text import escape_mrkdwn
from sandbox.oracle import validate_call, validate_view

VIEWS: dict[str, dict[str, Any]] = {
    "empty brief": new_delegation_modal(BriefPrefill()),
    "prefilled brief": new_delegation_modal(
        BriefPrefill(
            owner_id="U0SBMARC1",
            title="Acme renewal deck",
            goal="x" * 3000,
            source_permalink="https://sandbox.slack.com/archives/C1/p1",
        )
    ),
    "not enabled": brief_not_enabled_modal(),
    "home": home_view(HomeData(user_id="U0SBLENA1", now=datetime(2026, 3, 2, tzinfo=UTC))),
    "brief with suggestions": new_delegation_modal(
        BriefPrefill(),
        owner_help=OwnerHelp(
            skill_options=("Negotiation", "Pricing <b>"),
            suggestions=tuple(
                Suggestion(f"U{n}", f"Person {n} & co", ("Negotiation",), n, 5, None)
                for n in range(5)
            ),
            asked=True,
        ),
        owner_picks=2,
    ),
    "brief, nobody suggested": new_delegation_modal(
        BriefPrefill(), owner_help=OwnerHelp(skill_options=("Negotiation",), asked=True)
    ),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_passes_the_oracle(oracle_path: Path, name: str) -> None:
    assert validate_view(VIEWS[name]) == []


def test_views_open_call_passes_the_oracle(oracle_path: Path) -> None:
    args = {"trigger_id": "1.2.abc", "view": VIEWS["empty brief"]}
    assert validate_call("views.open", args) == []


def test_a_broken_view_is_caught(oracle_path: Path) -> None:
    broken = dict(VIEWS["empty brief"], title={"type": "plain_text", "text": "t" * 30})
    assert validate_view(broken) != []


def test_brief_modal_keeps_the_source_link_and_prefill() -> None:
    view = VIEWS["prefilled brief"]
    assert json.loads(view["private_metadata"]) == {
        "source_permalink": "https://sandbox.slack.com/archives/C1/p1",
        "checkpoint_rows": 1,
        "owner_picks": 0,
    }
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["owner"]["element"]["initial_user"] == "U0SBMARC1"
    assert blocks["title"]["element"]["initial_value"] == "Acme renewal deck"


def test_cached_modal_is_a_fresh_copy_each_time() -> None:
    first = new_delegation_modal(BriefPrefill())
    first["blocks"].clear()
    assert new_delegation_modal(BriefPrefill())["blocks"]


def test_user_text_cannot_ping_or_link() -> None:
    assert escape_mrkdwn("<!channel> & <https://evil|x>") == (
        "&lt;!channel&gt; &amp; &lt;https://evil|x&gt;"
    )
    assert "<!here>" not in unknown_subcommand_text("<!here>")


def test_usage_lists_every_form() -> None:
    text = usage_text()
    assert "/delegate help" in text and "@someone" in text


def _submitted(**blocks: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {block_id: {"value": value} for block_id, value in blocks.items()}


def test_read_brief_from_submitted_values() -> None:
    values = _submitted(
        owner={"type": "users_select", "selected_user": "U0SBMARC1"},
        title={"type": "plain_text_input", "value": "  Acme deck "},
        goal={"type": "plain_text_input", "value": "Renewal"},
        skills={"type": "plain_text_input", "value": "Excel, negotiation"},
        due_date={"type": "datepicker", "selected_date": "2026-12-04"},
        due_time={"type": "timepicker", "selected_time": "17:30"},
        checkpoint_1_text={"type": "plain_text_input", "value": "Outline"},
        checkpoint_1_date={"type": "datepicker", "selected_date": "2026-11-27"},
        checkpoint_2_text={"type": "plain_text_input", "value": None},
        rhythm={"type": "static_select", "selected_option": {"value": "weekly"}},
        update_channel={"type": "conversations_select", "selected_conversation": "C0SBTEAM1"},
    )
    brief = read_brief(values)
    assert brief.owner_id == "U0SBMARC1"
    assert brief.title == "Acme deck"
    assert brief.skills == ("Excel", "negotiation")
    assert brief.due_date == date(2026, 12, 4)
    assert brief.due_time == time(17, 30)
    assert brief.checkpoints == (CheckpointInput(1, "Outline", date(2026, 11, 27)),)
    assert brief.rhythm is Rhythm.WEEKLY
    assert brief.update_channel_id == "C0SBTEAM1"
    assert brief.project_id is None


def test_read_brief_tolerates_missing_and_odd_values() -> None:
    brief = read_brief(
        _submitted(
            due_date={"type": "datepicker", "selected_date": "not-a-date"},
            rhythm={"type": "static_select", "selected_option": {"value": "hourly"}},
        )
    )
    assert brief.owner_id is None and brief.title == "" and brief.due_date is None
    assert brief.rhythm is Rhythm.TWICE_WEEKLY


@pytest.mark.parametrize("rows", [1, 3, 5])
def test_checkpoint_rows_and_add_button(oracle_path: Path, rows: int) -> None:
    view = new_delegation_modal(BriefPrefill(), checkpoint_rows=rows)
    assert validate_view(view) == []
    block_ids = [block.get("block_id") for block in view["blocks"]]
    assert f"checkpoint_{rows}_date" in block_ids
    assert f"checkpoint_{rows + 1}_text" not in block_ids
    assert ("checkpoint_actions" in block_ids) == (rows < 5)
    assert ModalMetadata.loads(view["private_metadata"]).checkpoint_rows == rows


def test_projects_offer_a_select(oracle_path: Path) -> None:
    view = new_delegation_modal(BriefPrefill(), projects=((7, "Acme renewal"),))
    assert validate_view(view) == []
    project = next(b for b in view["blocks"] if b.get("block_id") == "project")
    assert project["element"]["options"][0]["value"] == "7"


def test_metadata_survives_tampering() -> None:
    assert ModalMetadata.loads("not json") == ModalMetadata()
    assert ModalMetadata.loads('{"checkpoint_rows": 99}').checkpoint_rows == 5


def test_suggestions_are_chosen_with_one_click_and_a_fresh_owner_block() -> None:
    view = VIEWS["brief with suggestions"]
    buttons = [
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == "brief_suggest_pick"
    ]
    assert [b["value"] for b in buttons] == [f"U{n}" for n in range(5)]
    assert "Person 0 &amp; co" in json.dumps(view["blocks"])
    owner = [b for b in view["blocks"] if b.get("block_id", "").startswith("owner")]
    assert [b["block_id"] for b in owner if b["type"] == "input"] == ["owner_2"]
    assert ModalMetadata.loads(view["private_metadata"]).owner_block == "owner_2"
    pick = next(b for b in view["blocks"] if b.get("block_id") == "skill_pick")
    assert pick["dispatch_action"] is True
    values: dict[str, Any] = {
        "owner_2": {"value": {"type": "users_select", "selected_user": "U3"}},
        "skill_pick": {
            "skill_pick": {"selected_options": [{"value": "Negotiation"}, {"value": "Pricing"}]}
        },
        "skills": {"value": {"value": "pricing, Excel"}},
    }
    brief = read_brief(values)
    assert brief.owner_id == "U3"
    assert brief.skills == ("Negotiation", "Pricing", "Excel")
    nobody = json.dumps(VIEWS["brief, nobody suggested"]["blocks"])
    assert "Nobody free lists these skills" in nobody
