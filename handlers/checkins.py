"""Check-ins: one-tap answers, notes, snoozes, done; the lead's replies and new dates."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.ids import metadata_of, parse_id
from bot.domain.links import link_problem
from bot.domain.types import CheckinAnswer, UpdateSource
from bot.runtime import Runtime
from bot.services import checkins as service
from bot.services.common import Refusal
from bot.views.checkin import (
    ALERT_EXTEND_ACTION,
    ALERT_REPLY_ACTION,
    ALERT_REPLY_CALLBACK,
    ANSWER_ACTIONS,
    DATE_BLOCK,
    DONE_ACTION,
    DONE_CALLBACK,
    EXTEND_CALLBACK,
    LINK_BLOCK,
    NEW_DATE_ACTION,
    NEW_DATE_CALLBACK,
    NOTE_ACTION,
    NOTE_BLOCK,
    REPORT_ACTION,
    SNOOZE_ACTION,
    SNOOZE_CALLBACK,
    SNOOZE_CHOICES,
    STATUS_BLOCK,
    SUMMARY_BLOCK,
    TASK_BLOCK,
    UPDATE_CALLBACK,
    choice_in,
    date_in,
    date_modal,
    done_modal,
    text_in,
    update_modal,
    url_in,
)
from bot.views.restatement import task_id_of
from bot.views.review import notice_modal
from bot.views.text import escape_mrkdwn
from handlers.notes import NoteForm, note_opener, note_submitter
from handlers.payload import NO_TASK, state_values, task_id_in, team_of, tell, user_of


def _message_ts(body: dict[str, Any]) -> str | None:
    return (body.get("container") or {}).get("message_ts")


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    return metadata_of(view.get("private_metadata"))


def open_update(
    client: WebClient,
    runtime: Runtime,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    task_id: int | None,
    source: UpdateSource,
    message_ts: str | None = None,
) -> Refusal | None:
    """Open the progress-update modal for one task, or for a choice of the owner's tasks."""
    form = service.update_form(runtime=runtime, team_id=team_id, user_id=user_id, task_id=task_id)
    if isinstance(form, Refusal):
        return form
    view = update_modal(
        tasks=form.tasks, chosen=form.chosen, health=form.health, source=source.value
    )
    if message_ts:
        metadata = json.loads(view["private_metadata"])
        view["private_metadata"] = json.dumps({**metadata, "message_ts": message_ts})
    client.views_open(trigger_id=trigger_id, view=view)
    return None


ALERT_REPLY = NoteForm(
    callback_id=ALERT_REPLY_CALLBACK,
    title="Reply",
    intro="Your words reach {other} in their DM about *{title}*.",
    label="Your reply",
    placeholder="e.g. Let's talk at 2pm; I'll unblock the Finance numbers today.",
    submit="Send",
    once_per_view=True,
)


# A date submitted for a task by someone: None when done, else why not (or the date's error).
DateAction = Callable[[str, int, str, date], Refusal | str | None]


def register(app: App, runtime: Runtime) -> None:
    """Attach the check-in buttons, the progress modal, and the lead's alert actions."""

    def answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """One tap answers the check-in; the message changes in place to say it was heard."""
        ack()
        refusal = service.answer_checkin(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id_in(body),
            user_id=user_of(body),
            answer=ANSWER_ACTIONS[body["actions"][0]["action_id"]],
            message_ts=_message_ts(body),
        )
        if refusal:
            tell(client, body, refusal.message)

    def progress_opener(source: UpdateSource) -> Callable[..., None]:
        def open_progress(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """The progress modal opens for this task ("Add a note" or "Report progress")."""
            ack()
            refusal = open_update(
                client,
                runtime,
                trigger_id=body["trigger_id"],
                team_id=team_of(body),
                user_id=user_of(body),
                task_id=task_id_in(body),
                source=source,
                message_ts=_message_ts(body) if source is UpdateSource.CHECKIN else None,
            )
            if refusal:
                tell(client, body, refusal.message)

        return open_progress

    def submit_update(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The update is recorded; at risk or blocked reaches the lead at once."""
        values = state_values(view)
        metadata = _metadata(view)
        task_id = parse_id(metadata.get("task_id")) or parse_id(choice_in(values, TASK_BLOCK))
        if task_id is None:
            ack(response_action="errors", errors={TASK_BLOCK: "Choose a delegation."})
            return
        status = choice_in(values, STATUS_BLOCK)
        if status is None or status not in CheckinAnswer.__members__.values():
            ack(response_action="errors", errors={STATUS_BLOCK: "Choose how it is going."})
            return
        note = text_in(values, NOTE_BLOCK)
        if status == CheckinAnswer.DONE:
            if not note:
                ack(
                    response_action="errors", errors={NOTE_BLOCK: "Say in a sentence what is done."}
                )
                return
            done = service.mark_done(
                runtime=runtime,
                team_id=team_of(body),
                task_id=task_id,
                user_id=user_of(body),
                summary=note,
                link="",
            )
            if done:
                ack(response_action="update", view=notice_modal("Not marked done", done.message))
            else:
                ack()
            return
        source = (
            UpdateSource.CHECKIN
            if metadata.get("source") == UpdateSource.CHECKIN.value
            else UpdateSource.UNPROMPTED
        )
        refusal = service.answer_checkin(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            answer=CheckinAnswer(status),
            note=note,
            source=source,
            message_ts=metadata.get("message_ts"),
            view_id=str(view.get("id") or ""),
        )
        if refusal:
            ack(response_action="update", view=notice_modal("Not recorded", refusal.message))
        else:
            ack()

    def open_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """ "Done" asks for a short summary and a link before the lead is told."""
        ack()
        task = service.done_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(task, Refusal):
            tell(client, body, task.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"], view=done_modal(task_id=task.id, title=task.title)
        )

    def submit_done(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The task waits for the lead's acceptance; check-ins stop."""
        values = state_values(view)
        task_id = task_id_of(view.get("private_metadata", ""))
        summary, link = text_in(values, SUMMARY_BLOCK), url_in(values, LINK_BLOCK)
        if not summary:
            ack(response_action="errors", errors={SUMMARY_BLOCK: "Say in a sentence what is done."})
            return
        problem = link_problem(link) if link else None
        if problem:
            ack(response_action="errors", errors={LINK_BLOCK: problem})
            return
        refusal = (
            service.mark_done(
                runtime=runtime,
                team_id=team_of(body),
                task_id=task_id,
                user_id=user_of(body),
                summary=summary,
                link=link,
            )
            if task_id is not None
            else Refusal("This form is out of date.")
        )
        if refusal:
            ack(response_action="update", view=notice_modal("Not marked done", refusal.message))
        else:
            ack()

    def snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Snooze 1 or 3 days puts the check-in off; "until a date" opens a date picker."""
        ack()
        choice, _, task_text = str(
            (body["actions"][0].get("selected_option") or {}).get("value", "")
        ).partition(":")
        task_id = parse_id(task_text) or NO_TASK
        if choice == "date":
            now = runtime.clock()
            client.views_open(
                trigger_id=body["trigger_id"],
                view=date_modal(
                    callback_id=SNOOZE_CALLBACK,
                    task_id=task_id,
                    title="Snooze check-in",
                    intro="I'll ask again on this day, at your check-in time.",
                    label="Ask me again on",
                    initial=(now + timedelta(days=2)).date(),  # checked inline on save
                ),
            )
            return
        result = service.snooze(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            # Only the menu's own choices: a forged "99999999" would overflow the date.
            days=int(choice) if choice in SNOOZE_CHOICES and choice.isdigit() else 1,
            message_ts=_message_ts(body),
        )
        if isinstance(result, Refusal):
            tell(client, body, result.message)
        elif isinstance(result, str):
            tell(client, body, f"Not snoozed: {result}")

    def dated(action: DateAction, title: str) -> Callable[..., None]:
        def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            """A picked date is checked inline before anything changes."""
            task_id = task_id_of(view.get("private_metadata", ""))
            day = date_in(state_values(view), DATE_BLOCK)
            if day is None or task_id is None:
                ack(response_action="errors", errors={DATE_BLOCK: "Pick a date."})
                return
            result = action(team_of(body), task_id, user_of(body), day)
            if isinstance(result, Refusal):
                ack(response_action="update", view=notice_modal(title, result.message))
            elif isinstance(result, str):
                ack(response_action="errors", errors={DATE_BLOCK: result})
            else:
                ack()

        return submit

    def snooze_until(team_id: str, task_id: int, user_id: str, day: date) -> Refusal | str | None:
        return service.snooze(
            runtime=runtime, team_id=team_id, task_id=task_id, user_id=user_id, until=day
        )

    def new_date(team_id: str, task_id: int, user_id: str, day: date) -> Refusal | str | None:
        return service.change_due_date(
            runtime=runtime, team_id=team_id, task_id=task_id, user_id=user_id, new_date=day
        )

    def date_opener(callback_id: str, title: str, intro: str) -> Any:
        def open_picker(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """A date picker opens, starting a week after the current due date."""
            ack()
            task = service.date_form(
                runtime=runtime,
                team_id=team_of(body),
                task_id=task_id_in(body),
                user_id=user_of(body),
            )
            if isinstance(task, Refusal):
                tell(client, body, task.message)
                return
            client.views_open(
                trigger_id=body["trigger_id"],
                view=date_modal(
                    callback_id=callback_id,
                    task_id=task.task_id,
                    title=title,
                    intro=intro.format(title=escape_mrkdwn(task.title)),
                    label="New due date",
                    initial=task.suggested,
                ),
            )

        return open_picker

    for action_id in ANSWER_ACTIONS:
        app.action(action_id)(answer)
    app.action(NOTE_ACTION)(progress_opener(UpdateSource.CHECKIN))
    app.action(REPORT_ACTION)(progress_opener(UpdateSource.UNPROMPTED))
    app.view(UPDATE_CALLBACK)(submit_update)
    app.action(DONE_ACTION)(open_done)
    app.view(DONE_CALLBACK)(submit_done)
    app.action(SNOOZE_ACTION)(snooze)
    app.view(SNOOZE_CALLBACK)(dated(snooze_until, "Not snoozed"))
    app.action(ALERT_EXTEND_ACTION)(
        date_opener(
            EXTEND_CALLBACK,
            "Extend due date",
            "Pick the new due date for *{title}*. The owner is told; check-ins follow it.",
        )
    )
    app.view(EXTEND_CALLBACK)(dated(new_date, "Not changed"))
    app.action(NEW_DATE_ACTION)(
        date_opener(
            NEW_DATE_CALLBACK,
            "New date",
            "When will *{title}* be done? Your lead is told, and check-ins follow the new date.",
        )
    )
    app.view(NEW_DATE_CALLBACK)(dated(new_date, "Not changed"))
    app.action(ALERT_REPLY_ACTION)(note_opener(runtime, service.alert_reply_form, ALERT_REPLY))
    app.view(ALERT_REPLY_CALLBACK)(note_submitter(runtime, service.reply_to_owner, ALERT_REPLY))
