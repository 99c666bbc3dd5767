"""The owner's question and the lead's reply; the owner declining with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class NoteForm:
    """The wording of one note modal; `intro` takes {title} and {other}."""

    callback_id: str
    title: str
    intro: str
    label: str
    placeholder: str
    submit: str


QUESTION = NoteForm(
    callback_id=QUESTION_CALLBACK,
    title="Ask a question",
    intro="Your question about *{title}* goes to {other}; the answer comes back in the "
    "brief's thread.",
    label="Your question",
    placeholder="e.g. Can I involve the solutions team for the pricing model?",
    submit="Ask",
)
REPLY = NoteForm(
    callback_id=REPLY_CALLBACK,
    title="Reply",
    intro="Your answer reaches {other} in the thread of *{title}*.",
    label="Your answer",
    placeholder="Answer in a sentence or two",
    submit="Send",
)
DECLINE = NoteForm(
    callback_id=DECLINE_CALLBACK,
    title="Can't take this",
    intro="Tell {other} why you can't take *{title}*, so they can find the right owner.",
    label="Your reason",
    placeholder="e.g. I'm on the Globex launch until the 15th.",
    submit="Decline",
)
FormOf = Callable[..., service.TaskLabel | Refusal]


def register(app: App, runtime: Runtime) -> None:
    """Attach question, reply and decline buttons and their modals."""

    def opener(form_of: FormOf, note: NoteForm) -> Callable[..., None]:
        def open_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """The person opens a box to write their question, answer or reason."""
            ack()
            form = form_of(
                runtime=runtime,
                team_id=team_of(body),
                task_id=task_id_in(body),
                user_id=user_of(body),
            )
            if isinstance(form, Refusal):
                tell(client, body, form.message)
                return
            intro = note.intro.format(
                title=escape_mrkdwn(form.title), other=f"<@{form.other_person}>"
            )
            client.views_open(
                trigger_id=body["trigger_id"],
                view=note_modal(
                    callback_id=note.callback_id,
                    task_id=form.task_id,
                    title=note.title,
                    intro=intro,
                    label=note.label,
                    placeholder=note.placeholder,
                    submit=note.submit,
                ),
            )

        return open_note

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

    app.action(QUESTION_ACTION)(opener(service.question_form, QUESTION))
    app.action(service.REPLY_ACTION)(opener(service.reply_form, REPLY))
    app.action(DECLINE_ACTION)(opener(service.decline_form, DECLINE))
    app.view(QUESTION_CALLBACK)(submitted(service.ask))
    app.view(REPLY_CALLBACK)(submitted(service.reply))
    app.view(DECLINE_CALLBACK)(submitted(service.decline))
