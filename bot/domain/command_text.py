"""What a lead meant by the text after `/delegate`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# With should_escape on, Slack sends a mention as <@U123> or <@U123|name>.
_MENTION = re.compile(r"^<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s*(?P<rest>.*)$", re.DOTALL)

# Straight and curly quotes (Slack turns "x" into curly ones on some keyboards).
_QUOTES = "\"' \u201c\u201d\u2018\u2019"
SUBCOMMANDS: frozenset[str] = frozenset(
    {"help", "update", "settings", "project", "feedback", "export", "list", "profile"}
)


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
class CloseProject:
    """Ask to close the named project (a confirm step follows)."""

    name: str


@dataclass(frozen=True)
class ProjectUsage:
    """`/delegate project` without `close <name>`: explain."""


@dataclass(frozen=True)
class ShowFeedback:
    """Show the lead's rolling feedback and measures."""


@dataclass(frozen=True)
class ExportData:
    """Upload the lead's CSV exports to their DM."""


@dataclass(frozen=True)
class ShowList:
    """List the caller's open delegations, both ways, privately."""


@dataclass(frozen=True)
class OpenProfile:
    """Open the caller's profile (skills, experience, capacity)."""


@dataclass(frozen=True)
class UnknownSubcommand:
    """The first word is not something /delegate knows."""

    word: str


Command = (
    OpenBrief
    | ShowHelp
    | ReportProgress
    | OpenSettings
    | CloseProject
    | ProjectUsage
    | ShowFeedback
    | ExportData
    | ShowList
    | OpenProfile
    | UnknownSubcommand
)


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
    if word.lower() == "feedback":
        return ShowFeedback()
    if word.lower() == "export":
        return ExportData()
    if word.lower() == "list":
        return ShowList()
    if word.lower() == "profile":
        return OpenProfile()
    if word.lower() == "project":
        return _project(stripped.split(None, 2)[1:])
    return UnknownSubcommand(word=word)


def _project(words: list[str]) -> Command:
    """`project close <name>`; the name may be wrapped in quotes."""
    if len(words) < 2 or words[0].lower() != "close":
        return ProjectUsage()
    # Slack escapes &, < and > in command text.
    text = words[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    name = " ".join(text.split()).strip(_QUOTES)
    return CloseProject(name=name) if name else ProjectUsage()
