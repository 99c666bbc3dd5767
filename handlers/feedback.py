"""Feedback: survey modals, closing a project, /delegate feedback and export."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.types import SurveyKind
from bot.runtime import Runtime
from bot.services import feedback as service
from bot.services.common import Refusal
from bot.services.export import export_files
from bot.views.feedback import (
    LEAD_SURVEY_CALLBACK,
    OWNER_SURVEY_CALLBACK,
    PROJECT_CANCEL_ACTION,
    PROJECT_CLOSE_ACTION,
    SURVEY_OPEN_ACTION,
    lead_survey_modal,
    owner_survey_modal,
    project_close_cancelled_text,
    project_closed_text,
    read_lead_survey,
    read_owner_survey,
    survey_id_of,
)
from handlers.payload import state_values, task_id_in, team_of, tell, user_of

# The first rating carries errors that concern the whole survey (closed, not yours).
FIRST_BLOCK = "clarity"


def register(app: App, runtime: Runtime) -> None:
    """Attach the survey button and modals and the project-close buttons."""

    def open_survey(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The respondent's survey opens, or they hear privately why it can't."""
        ack()
        form = service.survey_form(
            runtime=runtime,
            team_id=team_of(body),
            survey_id=task_id_in(body),
            user_id=user_of(body),
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        if form.kind is SurveyKind.LEAD_SELF:
            view = lead_survey_modal(survey_id=form.survey_id, label=form.label)
        else:
            view = owner_survey_modal(
                survey_id=form.survey_id,
                label=form.label,
                lead_id=form.lead_id,
                anonymity_offered=form.anonymity_offered,
                threshold=form.threshold,
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def submit_survey(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The answers are stored once; bad or late input is answered inside the modal."""
        survey_id = survey_id_of(view.get("private_metadata", ""))
        if survey_id is None:
            ack(response_action="errors", errors={FIRST_BLOCK: "This survey can't be found."})
            return
        team_id, user_id = team_of(body), user_of(body)
        form = service.survey_form(
            runtime=runtime, team_id=team_id, survey_id=survey_id, user_id=user_id
        )
        if isinstance(form, Refusal):
            ack(response_action="errors", errors={FIRST_BLOCK: form.message})
            return
        values = state_values(view)
        answers = (
            read_lead_survey(values)
            if form.kind is SurveyKind.LEAD_SELF
            else read_owner_survey(values, anonymity_offered=form.anonymity_offered)
        )
        if isinstance(answers, dict):
            ack(response_action="errors", errors=answers)
            return
        refusal = service.submit_survey(
            runtime=runtime, team_id=team_id, survey_id=survey_id, user_id=user_id, answers=answers
        )
        if refusal is not None:
            ack(response_action="errors", errors={FIRST_BLOCK: refusal.message})
        else:
            ack()

    def confirm_close(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """The lead confirmed: the project closes and the surveys go out."""
        ack()
        closed = service.close_project(
            runtime=runtime,
            team_id=team_of(body),
            user_id=user_of(body),
            project_id=task_id_in(body),
        )
        if isinstance(closed, Refusal):
            respond(text=closed.message, response_type="ephemeral", replace_original=False)
            return
        respond(
            text=project_closed_text(name=closed.name, surveyed=closed.surveyed),
            replace_original=True,
        )

    def cancel_close(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """The lead changed their mind: the project stays open."""
        ack()
        name = service.project_name(
            runtime=runtime, team_id=team_of(body), project_id=task_id_in(body)
        )
        respond(text=project_close_cancelled_text(name), replace_original=True)

    app.action(SURVEY_OPEN_ACTION)(open_survey)
    app.view(OWNER_SURVEY_CALLBACK)(submit_survey)
    app.view(LEAD_SURVEY_CALLBACK)(submit_survey)
    app.action(PROJECT_CLOSE_ACTION)(confirm_close)
    app.action(PROJECT_CANCEL_ACTION)(cancel_close)


def ask_to_close(
    runtime: Runtime, respond: Respond, *, team_id: str, user_id: str, name: str
) -> None:
    """The confirm step for `/delegate project close <name>`, or why it can't close."""
    preview = service.project_close_preview(
        runtime=runtime, team_id=team_id, user_id=user_id, name=name
    )
    if isinstance(preview, Refusal):
        respond(text=preview.message, response_type="ephemeral")
    else:
        respond(response_type="ephemeral", **preview)


def show_feedback(runtime: Runtime, respond: Respond, *, team_id: str, user_id: str) -> None:
    """The lead's rolling feedback and measures, privately."""
    overview = service.feedback_overview(runtime=runtime, team_id=team_id, user_id=user_id)
    respond(response_type="ephemeral", **overview)


def send_export(
    runtime: Runtime,
    client: WebClient,
    respond: Respond,
    logger: Logger,
    *,
    team_id: str,
    user_id: str,
) -> None:
    """The lead's CSV files arrive in their DM with the bot."""
    files = export_files(runtime=runtime, team_id=team_id, user_id=user_id)
    if isinstance(files, Refusal):
        respond(text=files.message, response_type="ephemeral")
        return
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            initial_comment="Your export: delegations, feedback (anonymity kept) and measures.",
            file_uploads=[
                {"content": f.content, "filename": f.filename, "title": f.title} for f in files
            ],
        )
    except SlackApiError as error:
        logger.warning("export upload failed: %s", error.response.get("error"))
        respond(
            text="I couldn't upload your export just now. Please try `/delegate export` again "
            "in a minute.",
            response_type="ephemeral",
        )
        return
    respond(text="Your export is in your DM with me.", response_type="ephemeral")
