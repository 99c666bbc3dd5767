"""Finished work: Accept, Reopen with a reason, and Say thanks."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import completion as service
from bot.services.common import Refusal
from bot.views.completion import (
    ACCEPT_ACTION,
    REOPEN_ACTION,
    REOPEN_CALLBACK,
    SHARE_BLOCK,
    THANKS_ACTION,
    THANKS_BLOCK,
    THANKS_CALLBACK,
    thanks_modal,
)
from bot.views.restatement import task_id_of
from bot.views.review import notice_modal
from handlers.notes import NoteForm, note_opener, note_submitter
from handlers.payload import state_values, task_id_in, team_of, tell, user_of

REOPEN = NoteForm(
    callback_id=REOPEN_CALLBACK,
    title="Reopen",
    intro="What does *{title}* still need? {other} gets your words and check-ins resume.",
    label="What is missing",
    placeholder="e.g. The pricing slide still shows last year's numbers.",
    submit="Reopen",
    empty="Say what is missing.",
    failed="Not reopened",
)


def register(app: App, runtime: Runtime) -> None:
    """Attach the lead's answers to finished work and the thanks modal."""

    def accept(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead accepts; the owner hears it is complete and the lead may say thanks."""
        ack()
        refusal = service.accept(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if refusal:
            tell(client, body, refusal.message)

    def open_thanks(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A thank-you, drafted and editable, opens for the lead."""
        ack()
        form = service.thanks_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=thanks_modal(
                task_id=form.task_id,
                owner_id=form.owner_id,
                title=form.title,
                draft=form.draft,
                channel_id=form.channel_id,
            ),
        )

    def submit_thanks(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The owner gets the thanks (and the update channel, if chosen)."""
        values = state_values(view)
        task_id = task_id_of(view.get("private_metadata", ""))
        text = str(values.get(THANKS_BLOCK, {}).get("value", {}).get("value") or "").strip()
        if task_id is None or not text:
            ack(response_action="errors", errors={THANKS_BLOCK: "Write a few words of thanks."})
            return
        chosen = values.get(SHARE_BLOCK, {}).get("value", {}).get("selected_options") or []
        refusal = service.thank(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            text=text,
            share=any(option.get("value") == "channel" for option in chosen),
        )
        if refusal:
            ack(response_action="update", view=notice_modal("Not sent", refusal.message))
        else:
            ack()

    app.action(ACCEPT_ACTION)(accept)
    app.action(REOPEN_ACTION)(note_opener(runtime, service.reopen_form, REOPEN))
    app.view(REOPEN_CALLBACK)(note_submitter(runtime, service.reopen, REOPEN))
    app.action(THANKS_ACTION)(open_thanks)
    app.view(THANKS_CALLBACK)(submit_thanks)
