"""What a lead meant by the text after `/delegate`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# With should_escape on, Slack sends a mention as <@U123> or <@U123|name>.
_MENTION = re.compile(r"^<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s*(?P<rest>.*)$", re.DOTALL)

SUBCOMMANDS: frozenset[str] = frozenset({"help", "update", "settings"})


@dataclass(frozen=True)
class OpenBrief:
    """Open the brief modal, prefilled with what the lead typed."""

    owner_id: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ShowHelp:
    """Answer with usage."""


@dataclass(frozen=True)
class ReportProgress:
    """Open the progress-update modal (the owner reports without being asked)."""


@dataclass(frozen=True)
class OpenSettings:
    """Open the person's check-in settings."""


@dataclass(frozen=True)
class UnknownSubcommand:
    """The first word is not something /delegate knows."""

    word: str


Command = OpenBrief | ShowHelp | ReportProgress | OpenSettings | UnknownSubcommand


def parse_command_text(text: str) -> Command:
    """Classify `/delegate` text: empty or a mention opens the brief, `help` shows usage."""
    stripped = text.strip()
    if not stripped:
        return OpenBrief()
    mention = _MENTION.match(stripped)
    if mention:
        title = " ".join(mention.group("rest").split()) or None
        return OpenBrief(owner_id=mention.group("user"), title=title)
    word = stripped.split()[0]
    if word.lower() == "help":
        return ShowHelp()
    if word.lower() == "update":
        return ReportProgress()
    if word.lower() == "settings":
        return OpenSettings()
    return UnknownSubcommand(word=word)
