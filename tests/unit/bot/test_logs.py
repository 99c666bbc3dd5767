from __future__ import annotations

import logging

import pytest

from bot.logs import RedactTokens, configure_logging, redact


def test_tokens_are_redacted_from_log_records(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.redact")
    log.addFilter(RedactTokens())
    with caplog.at_level(logging.INFO, logger="test.redact"):
        log.info("calling with %s and %s", "xoxb-123-456-abc", "xapp-1-A1-xyz")
    assert "xoxb-123" not in caplog.text
    assert "xapp-1" not in caplog.text
    assert caplog.text.count("[redacted-token]") == 2


def test_redact_plain_text() -> None:
    assert redact("token xoxp-1-2 here") == "token [redacted-token] here"
    assert redact("nothing secret") == "nothing secret"


def test_scheduler_chatter_is_quiet_unless_debugging() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING
        logging.getLogger("apscheduler").setLevel(logging.NOTSET)
        configure_logging("DEBUG")
        assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.DEBUG
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logging.getLogger("apscheduler").setLevel(logging.NOTSET)
