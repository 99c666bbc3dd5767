"""Check-in messages and modals pass Slack's schema, and read back what a person entered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.domain.types import CheckinAnswer, Health
from bot.views.checkin import (
    CheckinFacts,
    DigestLine,
    active_brief_edit,
    checkin_message,
    date_modal,
    digest_message,
    done_modal,
    lead_alert,
    overdue_message,
    update_modal,
)
from bot.views.completion import accepted_edit, done_for_lead, thanks_message, thanks_modal
from bot.views.settings import SettingsView, settings_input, settings_modal
from sandbox.oracle import validate_call, validate_view

DUE = datetime(2026, 3, 13, 17, 0, tzinfo=UTC)
FACTS = CheckinFacts(
    task_id=7,
    owner_id="U0SBMARC1",
    title="Acme <deck>",
    due_at=DUE,
    due_has_time=False,
    days_left=4,
    next_checkpoint=(date(2026, 3, 10), "Outline"),
)
SETTINGS = SettingsView(
    slack_tz="Europe/London",
    tz_override=None,
    checkin_time=time(10, 0),
    working_days=frozenset({0, 1, 2, 3, 4}),
    ooo_start=date(2026, 3, 9),
    ooo_end=date(2026, 3, 11),
)
VIEWS: dict[str, dict[str, Any]] = {
    "update, one task": update_modal(
        tasks=[(7, "Acme deck")], chosen=7, health=Health.AT_RISK, source="checkin"
    ),
    "update, several": update_modal(
        tasks=[(7, "Acme deck"), (8, "Globex" * 30)], chosen=None, health=None, source="unprompted"
    ),
    "done": done_modal(task_id=7, title="Acme deck"),
    "date": date_modal(
        callback_id="extend_due",
        task_id=7,
        title="Extend due date",
        intro="Pick a date",
        label="New due date",
        initial=date(2026, 3, 20),
    ),
    "settings": settings_modal(SETTINGS),
    "thanks, with channel": thanks_modal(
        task_id=7, owner_id="U0SBMARC1", title="Acme", draft="Thank you", channel_id="C0SBTEAM1"
    ),
    "thanks, DM only": thanks_modal(
        task_id=7, owner_id="U0SBMARC1", title="Acme", draft="Thank you", channel_id=None
    ),
}
MESSAGES: dict[str, dict[str, Any]] = {
    "checkin": checkin_message(FACTS),
    "alert": lead_alert(
        task_id=7,
        lead_id="U0SBLENA1",
        owner_id="U0SBMARC1",
        title="Acme",
        answer=CheckinAnswer.BLOCKED,
        note="Finance <!channel> hasn't sent the numbers",
    ),
    "done, for the lead": done_for_lead(
        task_id=7,
        lead_id="U0SBLENA1",
        owner_id="U0SBMARC1",
        title="Acme",
        summary="Sent <!channel>",
        link="https://example.com/deck",
    ),
    "thanks": thanks_message(
        to="C0SBTEAM1", lead_id="U0SBLENA1", owner_id="U0SBMARC1", title="Acme", text="Thanks!"
    ),
    "overdue": overdue_message(
        task_id=7, owner_id="U0SBMARC1", title="Acme", due_at=DUE, due_has_time=False
    ),
    "digest": digest_message(
        "U0SBLENA1",
        [
            DigestLine("Acme", "U0SBMARC1", Health.ON_TRACK, "on track, 2026-03-05", DUE, False),
            DigestLine("Globex", "U0SBPRIY1", None, None, None, True),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_modal_passes_the_oracle(oracle_path: Path, name: str) -> None:
    assert validate_view(VIEWS[name]) == []


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_passes_the_oracle(oracle_path: Path, name: str) -> None:
    assert validate_call("chat.postMessage", MESSAGES[name]) == []


def test_accepted_edit_passes_the_oracle(oracle_path: Path) -> None:
    edit = accepted_edit(task_id=7, owner_id="U0SBMARC1", title="Acme")
    assert validate_call("chat.update", {"channel": "D1", "ts": "1.2", **edit}) == []
    assert "done_thanks" in str(edit["blocks"])


def test_brief_edit_passes_the_oracle(oracle_path: Path) -> None:
    edit = active_brief_edit(task_id=7, title="Acme", lead_id="U0SBLENA1", rhythm_words="weekly")
    assert validate_call("chat.update", {"channel": "D1", "ts": "1.2", **edit}) == []


def test_checkin_offers_every_answer_and_escapes_the_title() -> None:
    message = MESSAGES["checkin"]
    actions = message["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == [
        "checkin_on_track",
        "checkin_at_risk",
        "checkin_blocked",
        "checkin_done",
        "checkin_note",
        "checkin_snooze",
    ]
    assert [o["value"] for o in actions[-1]["options"]] == ["1:7", "3:7", "date:7"]
    assert "Acme &lt;deck&gt;" in str(message["blocks"][0])


def test_alert_quotes_the_note_without_pinging() -> None:
    shown = str(MESSAGES["alert"]["blocks"])
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    labels = [e["text"]["text"] for e in MESSAGES["alert"]["blocks"][-1]["elements"]]
    assert labels == ["Reply", "Extend due date", "Reassign..."]


def test_settings_read_back() -> None:
    values: dict[str, dict[str, dict[str, Any]]] = {
        "tz": {"value": {"value": " Asia/Kolkata "}},
        "checkin_time": {"value": {"selected_time": "09:15"}},
        "days": {"value": {"selected_options": [{"value": "6"}, {"value": "0"}]}},
        "ooo_start": {"value": {"selected_date": "2026-03-09"}},
        "ooo_end": {"value": {"selected_date": None}},
    }
    read = settings_input(values)
    assert (read.tz, read.checkin_time, read.working_days) == (
        "Asia/Kolkata",
        time(9, 15),
        frozenset({0, 6}),
    )
    assert (read.ooo_start, read.ooo_end) == (date(2026, 3, 9), None)
