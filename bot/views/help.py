"""Usage text for `/delegate help` and unknown subcommands."""

from __future__ import annotations

from bot.views.text import escape_mrkdwn

USAGE_LINES: tuple[str, ...] = (
    "`/delegate`: open a new delegation brief",
    "`/delegate @someone Title words`: the same, with owner and title filled in",
    "`/delegate update`: report progress on a delegation you own, without waiting to be asked",
    "`/delegate settings`: your time zone, check-in time, working days and out-of-office dates",
    "`/delegate help`: this message",
)


def usage_text() -> str:
    """Everything `/delegate` can do, one line per form."""
    return "*How to use /delegate*\n" + "\n".join(f"• {line}" for line in USAGE_LINES)


def unknown_subcommand_text(word: str) -> str:
    """Say the subcommand is unknown, then list what exists."""
    return f"I don't know `/delegate {escape_mrkdwn(word)}`.\n" + usage_text()
