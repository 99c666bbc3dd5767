"""The /delegate slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.domain.command_text import (
    OpenBrief,
    OpenSettings,
    ReportProgress,
    ShowHelp,
    UnknownSubcommand,
    parse_command_text,
)
from bot.domain.types import UpdateSource
from bot.runtime import Runtime
from bot.views.delegation import BriefPrefill
from bot.views.help import unknown_subcommand_text, usage_text
from handlers.checkins import open_update
from handlers.delegation import open_brief
from handlers.settings import open_settings


def register(app: App, runtime: Runtime) -> None:
    """Attach /delegate: answer Slack at once, open the right modal right after."""

    def open_modal_from_command(
        command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        """The brief, progress or settings modal opens, as the words after /delegate ask."""
        parsed = parse_command_text(command.get("text", ""))
        trigger_id, team_id, user_id = command["trigger_id"], command["team_id"], command["user_id"]
        if isinstance(parsed, OpenBrief):
            open_brief(
                client,
                runtime,
                trigger_id=trigger_id,
                team_id=team_id,
                prefill=BriefPrefill(owner_id=parsed.owner_id, title=parsed.title),
            )
            return
        refusal = None
        if isinstance(parsed, ReportProgress):
            refusal = open_update(
                client,
                runtime,
                trigger_id=trigger_id,
                team_id=team_id,
                user_id=user_id,
                task_id=None,
                source=UpdateSource.UNPROMPTED,
            )
        elif isinstance(parsed, OpenSettings):
            refusal = open_settings(
                client, runtime, trigger_id=trigger_id, team_id=team_id, user_id=user_id
            )
        if refusal is not None:
            respond(text=refusal.message, response_type="ephemeral")

    app.command("/delegate")(ack=answer_delegate_command, lazy=[open_modal_from_command])


def answer_delegate_command(ack: Ack, command: dict[str, Any]) -> None:
    """The lead's /delegate is acknowledged at once; help and typos get a private answer."""
    parsed = parse_command_text(command.get("text", ""))
    if isinstance(parsed, ShowHelp):
        ack(text=usage_text())
    elif isinstance(parsed, UnknownSubcommand):
        ack(text=unknown_subcommand_text(parsed.word))
    else:
        ack()
