"""One-text-box modals about a task: the button that opens one and the submission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services.common import Refusal, TaskLabel
from bot.views.notes import NOTE_BLOCK, note_modal, note_of
from bot.views.restatement import task_id_of
from bot.views.review import notice_modal
from bot.views.text import escape_mrkdwn
from handlers.payload import state_values, task_id_in, team_of, tell, user_of

FormOf = Callable[..., TaskLabel | Refusal]
NoteAction = Callable[..., Refusal | None]


@dataclass(frozen=True)
class NoteForm:
    """The wording of one note modal; `intro` takes {title} and {other}."""

    callback_id: str
    title: str
    intro: str
    label: str
    placeholder: str
    submit: str
    empty: str = "Please write something first."
    failed: str = "Not sent"
    # The action takes view_id: a message that is no state change is sent once per modal.
    once_per_view: bool = False


def note_opener(runtime: Runtime, form_of: FormOf, note: NoteForm) -> Callable[..., None]:
    """A listener opening `note` for the clicked task, if `form_of` allows the clicker."""

    def open_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The person opens a box to write their question, answer or reason."""
        ack()
        form = form_of(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        intro = note.intro.format(title=escape_mrkdwn(form.title), other=f"<@{form.other_person}>")
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


def note_submitter(runtime: Runtime, action: NoteAction, note: NoteForm) -> Callable[..., None]:
    """A listener handing the submitted text to `action`; empty text is refused inline."""

    def submit_note(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The words reach the other person, or the modal says why not."""
        task_id = task_id_of(view.get("private_metadata", ""))
        text = note_of(state_values(view))
        if task_id is None or not text:
            ack(response_action="errors", errors={NOTE_BLOCK: note.empty})
            return
        keyed = {"view_id": str(view.get("id") or "")} if note.once_per_view else {}
        refusal = action(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            text=text,
            **keyed,
        )
        if refusal:
            ack(response_action="update", view=notice_modal(note.failed, refusal.message))
        else:
            ack()

    return submit_note
