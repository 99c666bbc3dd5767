"""Logging setup, with a filter that keeps Slack tokens out of every log line."""

from __future__ import annotations

import logging
import re
import sys

_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a Slack token with a marker, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("[redacted-token]", message)
            record.args = None
        return True


def redact(text: str) -> str:
    """The same redaction for text printed outside logging."""
    return _TOKEN.sub("[redacted-token]", text)


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, tokens redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every sweep run at INFO; that is noise unless debugging.
    if logging.getLevelName(level) != logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
