"""Usage text for `/delegate help` and unknown subcommands."""

from __future__ import annotations

from bot.views.text import escape_mrkdwn

USAGE_LINES: tuple[str, ...] = (
    "`/delegate`: open a new delegation brief",
    "`/delegate @someone Title words`: the same, with owner and title filled in",
    "`/delegate update`: report progress on a delegation you own, without waiting to be asked",
    "`/delegate settings`: your time zone, check-in time, working days and out-of-office dates",
    "`/delegate profile`: your skills, experience and how many delegations you can take",
    "`/delegate list`: your open delegations, both the ones you gave and the ones you own",
    "`/delegate project close Name`: close a project you lead; everyone who worked on it "
    "gets the feedback survey",
    "`/delegate feedback`: your feedback and measures over the last 90 days",
    "`/delegate export`: CSV files of your delegations and feedback, sent to you in a DM",
    "`/delegate help`: this message",
)


def usage_text() -> str:
    """Everything `/delegate` can do, one line per form."""
    return "*How to use /delegate*\n" + "\n".join(f"• {line}" for line in USAGE_LINES)


def dm_help_text() -> str:
    """The answer to a message typed in the bot's DM: it reads none, here is what it does."""
    return (
        "I don't read messages typed here: I work through `/delegate`, the shortcuts and the "
        "buttons in my messages.\n" + usage_text()
    )


def project_usage_text() -> str:
    """How to close a project, for `/delegate project` without the right words."""
    return (
        "To close a project you lead: `/delegate project close Name`, with the project's name "
        "as it appears in the brief."
    )


def unknown_subcommand_text(word: str) -> str:
    """Say the subcommand is unknown, then list what exists."""
    return f"I don't know `/delegate {escape_mrkdwn(word)}`.\n" + usage_text()
