"""The restatement modal, the lead's review and the note modals: valid and escaped."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain.types import Rhythm
from bot.views.notes import (
    QUESTION_CALLBACK,
    new_owner_of,
    note_modal,
    note_of,
    reassign_modal,
)
from bot.views.restatement import read_restatement, restatement_modal, task_id_of
from bot.views.review import ReviewView, clarify_modal, notice_modal, review_message
from sandbox.oracle import validate_call, validate_view

EVIL = "<!channel> <https://evil.example|x> & <@U0SBTOM01>"


def _review(**changes: object) -> ReviewView:
    base: dict[str, object] = {
        "task_id": 3,
        "owner_id": "U0SBMARC1",
        "title": "Acme deck",
        "round_number": 1,
        "brief_goal": "Keep Acme",
        "brief_expectations": "Finance signs off",
        "owner_what": "A deck",
        "owner_how": "Draft with Tom",
        "owner_why": "Biggest logo",
        "owner_risks": "",
        "owner_ideas": "",
        "fit_sentence": "4 working days estimated, 10 left: fits with 60% slack.",
        "fit_flagged": False,
    }
    return ReviewView(**(base | changes))  # type: ignore[arg-type]


def _mrkdwn(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        for item in [block.get("text"), *(block.get("fields") or [])]:
            if isinstance(item, dict) and item.get("type") == "mrkdwn":
                found.append(item["text"])
    return found


VIEWS = {
    "restatement": restatement_modal(task_id=3, title=EVIL, lead_id="U1", rhythm=Rhythm.WEEKLY),
    "restatement round 2": restatement_modal(
        task_id=3, title="t", lead_id="U1", rhythm=Rhythm.DAILY, round_number=2, lead_note=EVIL
    ),
    "clarify": clarify_modal(task_id=3, owner_id="U2", title=EVIL),
    "notice": notice_modal("A title longer than twenty-four", "Nothing changed."),
    "note": note_modal(
        callback_id=QUESTION_CALLBACK,
        task_id=3,
        title="Ask a question",
        intro="Ask",
        label="Question",
        placeholder="?",
        submit="Ask",
    ),
    "reassign": reassign_modal(task_id=3, title=EVIL, owner_id="U2"),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_pass_the_oracle_and_escape(oracle_path: Path, name: str) -> None:
    view = VIEWS[name]
    assert validate_view(view) == []
    for text in _mrkdwn(view["blocks"]):
        assert "<!channel>" not in text and "<https://evil" not in text


@pytest.mark.parametrize(
    "review",
    [
        _review(),
        _review(
            owner_what=EVIL * 60,
            owner_risks=EVIL,
            owner_ideas=EVIL,
            fit_flagged=True,
            proposed_due=date(2026, 12, 9),
            proposed_rhythm=Rhythm.DAILY,
            round_number=3,
        ),
    ],
)
def test_review_message_is_valid_and_escaped(oracle_path: Path, review: ReviewView) -> None:
    args = review_message(review, lead_id="U0SBLENA1")
    assert validate_call("chat.postMessage", args) == []
    for text in _mrkdwn(args["blocks"]):
        assert "<!channel>" not in text and "<@U0SBTOM01>" not in text


def test_review_flags_a_tight_plan_and_shows_proposals() -> None:
    args = review_message(
        _review(fit_flagged=True, proposed_due=date(2026, 12, 9), proposed_rhythm=Rhythm.DAILY),
        lead_id="U0SBLENA1",
    )
    shown = "\n".join(_mrkdwn(args["blocks"]))
    assert ":warning: 4 working days" in shown
    assert "2026-12-09" in shown
    assert "They'd like check-ins:* Daily" in shown


def test_review_buttons_and_cancel_confirmation() -> None:
    actions = next(
        b for b in review_message(_review(), lead_id="U1")["blocks"] if b["type"] == "actions"
    )
    assert [e["action_id"] for e in actions["elements"]] == [
        "review_approve",
        "review_clarify",
        "review_reassign",
        "review_cancel",
    ]
    assert actions["elements"][3]["confirm"]["confirm"]["text"] == "Cancel it"


def _values(**blocks: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {block: {"value": value} for block, value in blocks.items()}


def test_read_restatement() -> None:
    restatement = read_restatement(
        _values(
            what={"value": " A deck "},
            how={"value": "Draft"},
            why={"value": "Logo"},
            estimate={"value": "4.5"},
            date_ok={"selected_option": {"value": "no"}},
            proposed_date={"selected_date": "2026-12-09"},
            rhythm={"selected_option": {"value": "daily"}},
        )
    )
    assert restatement.what == "A deck"
    assert restatement.estimate_days == 4.5
    assert restatement.due_date_ok is False
    assert restatement.proposed_due == date(2026, 12, 9)
    assert restatement.rhythm is Rhythm.DAILY


def test_read_restatement_tolerates_junk() -> None:
    restatement = read_restatement(
        _values(estimate={"value": "four"}, rhythm={"selected_option": {"value": "hourly"}})
    )
    assert restatement.estimate_days is None and restatement.rhythm is None
    assert restatement.due_date_ok is True


def test_metadata_and_note_readers() -> None:
    assert task_id_of('{"task_id": 7}') == 7
    assert task_id_of("not json") is None and task_id_of('{"task_id": "7"}') is None
    assert note_of(_values(note={"value": "  hi  "})) == "hi"
    assert note_of({}) == ""
    assert new_owner_of(_values(owner={"selected_user": "U2"})) == "U2"
    assert new_owner_of({}) is None
