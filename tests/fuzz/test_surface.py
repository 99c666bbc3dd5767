"""Discovery reads the app's listeners; the fuzzer has a genuine payload for each of them."""

from __future__ import annotations

import pytest

from tests.fuzz.harness import BARRIER_ACTION
from tests.fuzz.surface import Surface, Target

pytestmark = pytest.mark.fuzz

# A sample of ids the app has had for a long time: if discovery stops seeing them, it is broken.
KNOWN = {
    Target("command", "/delegate"),
    Target("event", "app_home_opened"),
    Target("shortcut", "new_delegation"),
    Target("message_action", "delegate_message"),
    Target("block_actions", "review_approve"),
    Target("block_actions", "checkin_on_track"),
    Target("block_actions", "survey_open"),
    Target("block_actions", BARRIER_ACTION),
    Target("view_submission", "new_delegation"),
    Target("view_submission", "restatement"),
    Target("view_closed", "settings"),
}


def test_discovery_reads_every_listener_the_app_registered(surface: Surface) -> None:
    assert surface.targets, "discovery found nothing"
    assert not surface.unreadable, f"listeners the fuzzer cannot target: {surface.unreadable}"
    # Every listener Bolt holds went through a registrar the fuzzer understands.
    assert surface.registrations == surface.listeners > 0
    assert set(surface.targets) >= KNOWN, sorted(KNOWN - set(surface.targets))
    assert {"help", "project", "settings", "update"} <= set(surface.subcommands)
    kinds = {t.kind for t in surface.targets}
    assert kinds == {
        "command",
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "event",
    }
