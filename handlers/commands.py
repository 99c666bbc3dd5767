"""The /delegate slash command."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.domain.command_text import (
    CloseProject,
    ExportData,
    OpenBrief,
    OpenProfile,
    OpenSettings,
    ProjectUsage,
    ReportProgress,
    ShowFeedback,
    ShowHelp,
    ShowList,
    UnknownSubcommand,
    parse_command_text,
)
from bot.domain.types import UpdateSource
from bot.runtime import Runtime
from bot.services.home import home_data
from bot.views.delegation import BriefPrefill
from bot.views.help import project_usage_text, unknown_subcommand_text, usage_text
from bot.views.home import list_message
from handlers.checkins import open_update
from handlers.delegation import open_brief
from handlers.feedback import ask_to_close, send_export, show_feedback
from handlers.profile import open_profile
from handlers.settings import open_settings


def register(app: App, runtime: Runtime) -> None:
    """Attach /delegate: answer Slack at once, open the right modal right after."""

    def open_modal_from_command(
        command: dict[str, Any], client: WebClient, respond: Respond, logger: Logger
    ) -> None:
        """The brief, progress or settings modal opens, or the private answer comes."""
        parsed = parse_command_text(command.get("text", ""))
        trigger_id, team_id, user_id = command["trigger_id"], command["team_id"], command["user_id"]
        if isinstance(parsed, CloseProject):
            ask_to_close(runtime, respond, team_id=team_id, user_id=user_id, name=parsed.name)
            return
        if isinstance(parsed, ShowFeedback):
            show_feedback(runtime, respond, team_id=team_id, user_id=user_id)
            return
        if isinstance(parsed, ExportData):
            send_export(runtime, client, respond, logger, team_id=team_id, user_id=user_id)
            return
        if isinstance(parsed, ShowList):
            data = home_data(runtime=runtime, team_id=team_id, user_id=user_id)
            respond(response_type="ephemeral", **list_message(data))
            return
        if isinstance(parsed, OpenBrief):
            open_brief(
                client,
                runtime,
                trigger_id=trigger_id,
                team_id=team_id,
                lead_user_id=user_id,
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
        elif isinstance(parsed, OpenProfile):
            refusal = open_profile(
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
    elif isinstance(parsed, ProjectUsage):
        ack(text=project_usage_text())
    elif isinstance(parsed, ExportData):
        ack(text="Preparing your export: the CSV files will arrive in your DM with me.")
    else:
        ack()
