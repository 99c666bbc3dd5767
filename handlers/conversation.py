"""The owner's question and the lead's reply; the owner declining with a reason."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import conversation as service
from bot.services.common import Refusal
from bot.views.brief_message import DECLINE_ACTION, QUESTION_ACTION
from bot.views.notes import (
    DECLINE_CALLBACK,
    NOTE_BLOCK,
    QUESTION_CALLBACK,
    REPLY_CALLBACK,
    note_modal,
    note_of,
)
from bot.views.restatement import task_id_of
from bot.views.review import notice_modal
from bot.views.text import escape_mrkdwn
from handlers.payload import task_id_in, team_of, tell, user_of

EMPTY = {NOTE_BLOCK: "Please write something first."}


def register(app: App, runtime: Runtime) -> None:
    """Attach question, reply and decline buttons and their modals."""

    def open_question(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The owner opens a box to ask the lead something about the brief."""
        ack()
        form = service.question_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=note_modal(
                callback_id=QUESTION_CALLBACK,
                task_id=form.task_id,
                title="Ask a question",
                intro=f"Your question about *{escape_mrkdwn(form.title)}* goes to "
                f"<@{form.other_person}>; the answer comes back in the brief's thread.",
                label="Your question",
                placeholder="e.g. Can I involve the solutions team for the pricing model?",
                submit="Ask",
            ),
        )

    def open_reply(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead opens a box to answer the owner's question."""
        ack()
        form = service.reply_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=note_modal(
                callback_id=REPLY_CALLBACK,
                task_id=form.task_id,
                title="Reply",
                intro=f"Your answer reaches <@{form.other_person}> in the thread of "
                f"*{escape_mrkdwn(form.title)}*.",
                label="Your answer",
                placeholder="Answer in a sentence or two",
                submit="Send",
            ),
        )

    def open_decline(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The owner opens a box to say why they can't take the task."""
        ack()
        form = service.decline_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=note_modal(
                callback_id=DECLINE_CALLBACK,
                task_id=form.task_id,
                title="Can't take this",
                intro=f"Tell <@{form.other_person}> why you can't take "
                f"*{escape_mrkdwn(form.title)}*, so they can find the right owner.",
                label="Your reason",
                placeholder="e.g. I'm on the Globex launch until the 15th.",
                submit="Decline",
            ),
        )

    def submitted(action: Any) -> Any:
        def handle(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            task_id = task_id_of(view.get("private_metadata", ""))
            text = note_of(view["state"]["values"])
            if task_id is None or not text:
                ack(response_action="errors", errors=EMPTY)
                return
            refusal = action(
                runtime=runtime,
                team_id=team_of(body),
                task_id=task_id,
                user_id=user_of(body),
                text=text,
            )
            if refusal:
                ack(response_action="update", view=notice_modal("Not sent", refusal.message))
            else:
                ack()

        return handle

    app.action(QUESTION_ACTION)(open_question)
    app.action(service.REPLY_ACTION)(open_reply)
    app.action(DECLINE_ACTION)(open_decline)
    app.view(QUESTION_CALLBACK)(submitted(service.ask))
    app.view(REPLY_CALLBACK)(submitted(service.reply))
    app.view(DECLINE_CALLBACK)(submitted(service.decline))
