"""The owner's brief DM and the lead's receipt: valid for Slack, and safe with user text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain.types import Rhythm
from bot.views.brief_message import (
    SECTION_LIMIT,
    BriefView,
    brief_message,
    labelled_sections,
    receipt_message,
    slack_date,
)
from sandbox.oracle import validate_call

EVIL = "<!channel> <https://evil.example|click> & <@U0SBTOM01>"


def _brief(**changes: object) -> BriefView:
    base: dict[str, object] = {
        "task_id": 7,
        "lead_id": "U0SBLENA1",
        "owner_id": "U0SBMARC1",
        "title": "Acme renewal deck",
        "goal": "Keep Acme at flat price.",
        "due_at": datetime(2026, 12, 4, 23, 59, tzinfo=UTC),
        "due_has_time": False,
    }
    return BriefView(**(base | changes))  # type: ignore[arg-type]


FULL = _brief(
    expectations="Signed off by finance",
    non_negotiables="No discount above 5%",
    freedoms="Slide design",
    risks="Competitor undercuts us",
    skills=("negotiation", "Excel"),
    checkpoints=((date(2026, 11, 27), "Outline"), (date(2026, 12, 1), "Draft")),
    rhythm=Rhythm.WEEKLY,
    project="Acme",
    update_channel_id="C0SBTEAM1",
    source_permalink="https://sandbox.slack.com/archives/C1/p1",
)


@pytest.mark.parametrize("brief", [_brief(), FULL, _brief(goal="g" * 2000, risks="<" * 2000)])
def test_brief_message_is_valid_for_slack(oracle_path: Path, brief: BriefView) -> None:
    assert validate_call("chat.postMessage", brief_message(brief)) == []


def test_receipt_is_valid_and_names_the_load(oracle_path: Path) -> None:
    args = receipt_message(
        lead_id="U0SBLENA1", owner_id="U0SBMARC1", title=EVIL, open_count=6, soft_limit=5
    )
    assert validate_call("chat.postMessage", args) == []
    assert "<!channel>" not in str(args)
    assert "now has 6 open delegations" in str(args)


def test_every_free_text_is_escaped() -> None:
    brief = _brief(
        goal=EVIL,
        expectations=EVIL,
        non_negotiables=EVIL,
        freedoms=EVIL,
        risks=EVIL,
        skills=(EVIL,),
        project=EVIL,
        checkpoints=((date(2026, 11, 27), EVIL),),
        title=EVIL,
    )
    message = brief_message(brief)
    mrkdwn = [
        block["text"]["text"]
        for block in message["blocks"]
        if block.get("text", {}).get("type") == "mrkdwn"
    ]
    for text in [*mrkdwn, message["text"]]:
        assert "<!channel>" not in text and "<https://evil" not in text
        assert "<@U0SBTOM01>" not in text
    # Five brief fields, the details line (skills, project) and the checkpoints.
    assert sum("&lt;!channel&gt;" in text for text in mrkdwn) == 7


def test_long_text_is_split_under_the_section_limit() -> None:
    sections = labelled_sections("Risks", "<" * 2000)  # escapes to 8,000 characters
    texts = [section.to_dict()["text"]["text"] for section in sections]
    assert len(texts) == 3
    assert all(len(text) <= SECTION_LIMIT for text in texts)
    assert "".join(texts).count("&lt;") == 2000


def test_buttons_carry_only_the_task_id() -> None:
    actions = next(b for b in brief_message(FULL)["blocks"] if b["type"] == "actions")
    assert {element["value"] for element in actions["elements"]} == {"7"}


def test_dates_render_in_each_readers_zone() -> None:
    instant = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert slack_date(instant, with_time=True) == (
        f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} at {{time}}|2026-12-04 17:00 UTC>"
    )
