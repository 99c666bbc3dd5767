"""The /delegate slash command."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.command_text import OpenBrief, ShowHelp, parse_command_text
from bot.runtime import Runtime
from bot.views.delegation import BriefPrefill, new_delegation_modal
from bot.views.help import unknown_subcommand_text, usage_text


def register(app: App, runtime: Runtime) -> None:
    """Attach the /delegate command."""
    app.command("/delegate")(delegate_command)


def delegate_command(ack: Ack, command: dict[str, Any], client: WebClient, logger: Logger) -> None:
    """The lead types /delegate and the brief modal opens; help and typos get a private answer."""
    parsed = parse_command_text(command.get("text", ""))
    if isinstance(parsed, ShowHelp):
        ack(text=usage_text())
        return
    if not isinstance(parsed, OpenBrief):
        ack(text=unknown_subcommand_text(parsed.word))
        return
    # Ack and open the modal before anything else: the trigger_id dies after 3 seconds.
    ack()
    prefill = BriefPrefill(owner_id=parsed.owner_id, title=parsed.title)
    client.views_open(trigger_id=command["trigger_id"], view=new_delegation_modal(prefill))
