"""Every view passes Slack's type schema and slack_sdk's length limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.views.delegation import BriefPrefill, brief_not_enabled_modal, new_delegation_modal
from bot.views.help import unknown_subcommand_text, usage_text
from bot.views.home import home_view
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
    "home": home_view(user_id="U0SBLENA1"),
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
        "source_permalink": "https://sandbox.slack.com/archives/C1/p1"
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
