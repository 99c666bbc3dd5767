"""The teach-back loop in Slack: the owner restates, the lead approves, clarifies, cancels."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.brief import owner_problem
from bot.runtime import Runtime
from bot.services import confirmation as service
from bot.services.common import Refusal
from bot.views.brief_message import CONFIRM_ACTION
from bot.views.notes import (
    NEW_OWNER_BLOCK,
    REASSIGN_CALLBACK,
    already_owns_text,
    new_owner_of,
    reassign_modal,
)
from bot.views.restatement import (
    RESTATEMENT_CALLBACK,
    WHAT,
    read_restatement,
    restatement_modal,
    task_id_of,
)
from bot.views.review import (
    APPROVE_ACTION,
    CANCEL_ACTION,
    CLARIFY_ACTION,
    CLARIFY_CALLBACK,
    NOTE_BLOCK,
    REASSIGN_ACTION,
    clarify_modal,
    notice_modal,
)
from handlers.payload import state_values, task_id_in, team_of, tell, user_of
from handlers.people import fetch_user, owner_facts


def register(app: App, runtime: Runtime) -> None:
    """Attach the owner's and the lead's buttons and modals."""

    def open_restatement(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The owner opens the modal to restate the brief in their own words."""
        ack()
        form = service.restatement_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=restatement_modal(
                task_id=form.task_id,
                title=form.title,
                lead_id=form.lead_id,
                rhythm=form.rhythm,
                round_number=form.round_number,
                lead_note=form.lead_note,
            ),
        )

    def submit_restatement(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The owner sends their restatement; copied or thin answers are refused inline."""
        task_id = task_id_of(view.get("private_metadata", ""))
        if task_id is None:
            ack(response_action="errors", errors={WHAT: "This form is out of date. Close it."})
            return
        outcome = service.submit_restatement(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            restatement=read_restatement(state_values(view)),
        )
        if isinstance(outcome, Refusal):
            ack(response_action="update", view=notice_modal("Not sent", outcome.message))
        elif outcome:
            ack(response_action="errors", errors=outcome)
        else:
            ack()

    def approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead approves: the task starts and the owner hears it."""
        ack()
        refusal = service.approve(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if refusal:
            tell(client, body, refusal.message)

    def open_clarify(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead opens a note asking the owner to restate again."""
        ack()
        form = service.clarify_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=clarify_modal(task_id=form.task_id, owner_id=form.owner_id, title=form.title),
        )

    def submit_clarify(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The lead's note goes to the owner for another round."""
        task_id = task_id_of(view.get("private_metadata", ""))
        note = str(state_values(view).get(NOTE_BLOCK, {}).get("value", {}).get("value") or "")
        if task_id is None or not note.strip():
            ack(response_action="errors", errors={NOTE_BLOCK: "Write what they should look at."})
            return
        refusal = service.clarify(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id,
            user_id=user_of(body),
            note=note.strip(),
        )
        if refusal:
            ack(response_action="update", view=notice_modal("Not sent", refusal.message))
        else:
            ack()

    def cancel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead cancels; the owner is told."""
        ack()
        refusal = service.cancel(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if refusal:
            tell(client, body, refusal.message)

    def open_reassign(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The lead opens a picker for a new owner."""
        ack()
        form = service.reassign_form(
            runtime=runtime, team_id=team_of(body), task_id=task_id_in(body), user_id=user_of(body)
        )
        if isinstance(form, Refusal):
            tell(client, body, form.message)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=reassign_modal(task_id=form.task_id, title=form.title, owner_id=form.owner_id),
        )

    def submit_reassign(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """The brief goes to the new owner, unless the choice can't own it (said inline)."""
        task_id = task_id_of(view.get("private_metadata", ""))
        chosen = new_owner_of(state_values(view))
        lead = user_of(body)
        form = (
            service.reassign_form(
                runtime=runtime, team_id=team_of(body), task_id=task_id, user_id=lead
            )
            if task_id is not None
            else Refusal("This form is out of date.")
        )
        if isinstance(form, Refusal):
            ack(response_action="update", view=notice_modal("Not reassigned", form.message))
            return
        new_owner = fetch_user(client, chosen) if chosen else None
        problem = owner_problem(owner_facts(new_owner, chosen, lead))
        if problem is None and chosen == form.owner_id:
            problem = already_owns_text(chosen)
        if problem or new_owner is None:
            ack(response_action="errors", errors={NEW_OWNER_BLOCK: problem or "Choose someone."})
            return
        refusal = service.reassign(
            runtime=runtime,
            team_id=team_of(body),
            task_id=form.task_id,
            user_id=lead,
            new_owner=new_owner,
        )
        if refusal:
            ack(response_action="update", view=notice_modal("Not reassigned", refusal.message))
        else:
            ack()

    app.action(CONFIRM_ACTION)(open_restatement)
    app.view(RESTATEMENT_CALLBACK)(submit_restatement)
    app.action(APPROVE_ACTION)(approve)
    app.action(CLARIFY_ACTION)(open_clarify)
    app.view(CLARIFY_CALLBACK)(submit_clarify)
    app.action(CANCEL_ACTION)(cancel)
    app.action(REASSIGN_ACTION)(open_reassign)
    app.view(REASSIGN_CALLBACK)(submit_reassign)
