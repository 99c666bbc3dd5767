"""The /delegate slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.command_text import OpenBrief, ShowHelp, UnknownSubcommand, parse_command_text
from bot.runtime import Runtime
from bot.views.delegation import BriefPrefill
from bot.views.help import unknown_subcommand_text, usage_text
from handlers.delegation import open_brief


def register(app: App, runtime: Runtime) -> None:
    """Attach /delegate: answer Slack at once, open the modal right after."""

    def open_brief_from_command(command: dict[str, Any], client: WebClient) -> None:
        """The brief modal opens, prefilled with the owner and title the lead typed."""
        parsed = parse_command_text(command.get("text", ""))
        if isinstance(parsed, OpenBrief):
            open_brief(
                client,
                runtime,
                trigger_id=command["trigger_id"],
                team_id=command["team_id"],
                prefill=BriefPrefill(owner_id=parsed.owner_id, title=parsed.title),
            )

    app.command("/delegate")(ack=answer_delegate_command, lazy=[open_brief_from_command])


def answer_delegate_command(ack: Ack, command: dict[str, Any]) -> None:
    """The lead's /delegate is acknowledged at once; help and typos get a private answer."""
    parsed = parse_command_text(command.get("text", ""))
    if isinstance(parsed, ShowHelp):
        ack(text=usage_text())
    elif isinstance(parsed, UnknownSubcommand):
        ack(text=unknown_subcommand_text(parsed.word))
    else:
        ack()
