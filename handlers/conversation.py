"""The owner's question and the lead's reply; the owner declining with a reason."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime
from bot.services import conversation as service
from bot.views.brief_message import DECLINE_ACTION, QUESTION_ACTION
from bot.views.notes import DECLINE_CALLBACK, QUESTION_CALLBACK, REPLY_CALLBACK
from handlers.notes import NoteForm, note_opener, note_submitter

QUESTION = NoteForm(
    callback_id=QUESTION_CALLBACK,
    title="Ask a question",
    intro="Your question about *{title}* goes to {other}; the answer comes back in the "
    "brief's thread.",
    label="Your question",
    placeholder="e.g. Can I involve the solutions team for the pricing model?",
    submit="Ask",
    once_per_view=True,
)
REPLY = NoteForm(
    callback_id=REPLY_CALLBACK,
    title="Reply",
    intro="Your answer reaches {other} in the thread of *{title}*.",
    label="Your answer",
    placeholder="Answer in a sentence or two",
    submit="Send",
    once_per_view=True,
)
DECLINE = NoteForm(
    callback_id=DECLINE_CALLBACK,
    title="Can't take this",
    intro="Tell {other} why you can't take *{title}*, so they can find the right owner.",
    label="Your reason",
    placeholder="e.g. I'm on the Globex launch until the 15th.",
    submit="Decline",
)


def register(app: App, runtime: Runtime) -> None:
    """Attach question, reply and decline buttons and their modals."""
    app.action(QUESTION_ACTION)(note_opener(runtime, service.question_form, QUESTION))
    app.action(service.REPLY_ACTION)(note_opener(runtime, service.reply_form, REPLY))
    app.action(DECLINE_ACTION)(note_opener(runtime, service.decline_form, DECLINE))
    app.view(QUESTION_CALLBACK)(note_submitter(runtime, service.ask, QUESTION))
    app.view(REPLY_CALLBACK)(note_submitter(runtime, service.reply, REPLY))
    app.view(DECLINE_CALLBACK)(note_submitter(runtime, service.decline, DECLINE))
