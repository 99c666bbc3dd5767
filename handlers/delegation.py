"""The brief modal: opening it, adding checkpoints, and submitting it."""

from __future__ import annotations

import dataclasses
from logging import Logger
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import brief as fields
from bot.domain.brief import validate_brief
from bot.runtime import Runtime
from bot.services.delegations import (
    brief_already_sent,
    create_delegation,
    open_projects,
    owner_load,
    project_problems,
)
from bot.services.profiles import owner_help
from bot.views.delegation import (
    ADD_CHECKPOINT_ACTION,
    NEW_DELEGATION_CALLBACK,
    SUGGEST_PICK_ACTION,
    BriefPrefill,
    ModalMetadata,
    new_delegation_modal,
    overload_confirmed,
    read_brief,
)
from handlers.payload import (
    action_value,
    mapping,
    state_values,
    team_of,
    text_at,
    user_of,
    view_of,
)
from handlers.people import fetch_channel, fetch_user, owner_facts


def register(app: App, runtime: Runtime) -> None:
    """Attach the brief modal's submission and buttons."""

    def submit_brief(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, logger: Logger
    ) -> None:
        """The lead sends the brief: problems appear under their fields, else it goes out."""
        respond_to_submission(ack, body, view, client, runtime, logger)

    def add_checkpoint(body: dict[str, Any], client: WebClient) -> None:
        """The lead gets one more checkpoint row; what they typed stays."""
        rebuild(client, runtime, body, more_rows=1)

    def suggest_owners(body: dict[str, Any], client: WebClient) -> None:
        """Picking skills lists up to five people who have them and room for more."""
        rebuild(client, runtime, body)

    def choose_suggested(body: dict[str, Any], client: WebClient) -> None:
        """One click on a suggested person makes them the owner."""
        chosen = action_value(body)
        rebuild(client, runtime, body, owner_id=chosen or None)

    app.view(NEW_DELEGATION_CALLBACK)(submit_brief)
    app.action(ADD_CHECKPOINT_ACTION)(ack=acknowledge, lazy=[add_checkpoint])
    app.action(fields.SKILL_PICK)(ack=acknowledge, lazy=[suggest_owners])
    app.action(SUGGEST_PICK_ACTION)(ack=acknowledge, lazy=[choose_suggested])


def rebuild(
    client: WebClient,
    runtime: Runtime,
    body: dict[str, Any],
    *,
    more_rows: int = 0,
    owner_id: str | None = None,
) -> None:
    """Redraw the open brief (more rows, suggestions, a chosen owner); typed values stay."""
    # A click from a message (not the open brief) has no view to redraw: MalformedPayload.
    view = view_of(body)
    metadata = ModalMetadata.loads(view.get("private_metadata") or "")
    team_id, lead_id = team_of(body), user_of(body)
    values = mapping(mapping(view.get("state")).get("values"))
    brief = read_brief(values)
    picked = [s for s in brief.skills if s in _picked(values)]
    hash_ = view.get("hash")
    client.views_update(
        view_id=text_at(view, "id"),
        hash=hash_ if isinstance(hash_, str) else None,
        view=new_delegation_modal(
            BriefPrefill(owner_id=owner_id, source_permalink=metadata.source_permalink),
            checkpoint_rows=metadata.checkpoint_rows + more_rows,
            projects=open_projects(runtime=runtime, team_id=team_id, lead_user_id=lead_id),
            owner_help=owner_help(
                runtime=runtime,
                team_id=team_id,
                lead_user_id=lead_id,
                picked=picked,
                due=brief.due_date,
            ),
            owner_picks=metadata.owner_picks + (1 if owner_id else 0),
        ),
    )


def _picked(values: dict[str, Any]) -> set[str]:
    """The skills ticked in the skills pick (not the free-text ones)."""
    state = mapping(values.get(fields.SKILL_PICK))
    chosen = mapping(state.get(fields.SKILL_PICK)).get("selected_options")
    return {str(mapping(o).get("value")) for o in chosen} if isinstance(chosen, list) else set()


def acknowledge(ack: Ack) -> None:
    """Slack hears back at once; the work follows."""
    ack()


def open_brief(
    client: WebClient,
    runtime: Runtime,
    *,
    trigger_id: str,
    team_id: str,
    lead_user_id: str,
    prefill: BriefPrefill,
    source: tuple[str, str] | None = None,
) -> None:
    """Open the brief modal at once, then add the team's projects and the source link."""
    opened = client.views_open(trigger_id=trigger_id, view=new_delegation_modal(prefill))
    # Everything slower comes after the modal is on screen, so a slow database or Slack call
    # can't expire the 3-second trigger. views.update keeps what the lead typed meanwhile.
    projects = open_projects(runtime=runtime, team_id=team_id, lead_user_id=lead_user_id)
    helping = owner_help(runtime=runtime, team_id=team_id, lead_user_id=lead_user_id)
    link = _permalink(client, *source) if source else None
    if projects or link or helping.skill_options:
        client.views_update(
            view_id=opened["view"]["id"],
            hash=opened["view"]["hash"],
            view=new_delegation_modal(
                dataclasses.replace(prefill, source_permalink=link),
                projects=projects,
                owner_help=helping,
            ),
        )


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError:
        return None  # the brief works without the link


def respond_to_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    runtime: Runtime,
    logger: Logger,
) -> None:
    """Validate the submitted brief against Slack's facts, then create it or show errors.

    A second submit of a modal that already created its task (a double click on Submit)
    closes the modal, as the first one did; nothing more is created or sent.
    """
    values = state_values(view)
    brief = read_brief(values)
    team_id = team_of(body)
    view_id = str(view.get("id") or "")
    if brief_already_sent(runtime=runtime, team_id=team_id, view_id=view_id):
        ack()
        return
    lead = fetch_user(client, user_of(body))
    assert lead is not None, "Slack always knows the person who submitted"
    owner = fetch_user(client, brief.owner_id) if brief.owner_id else None
    channel = fetch_channel(client, brief.update_channel_id) if brief.update_channel_id else None
    lead_tz = _zone(lead.tz)
    errors = validate_brief(
        brief,
        now_local=runtime.clock().astimezone(lead_tz),
        owner=owner_facts(owner, brief.owner_id, lead.user_id),
        channel=channel,
    ) or project_problems(runtime=runtime, team_id=team_id, lead_user_id=lead.user_id, brief=brief)
    metadata = ModalMetadata.loads(view.get("private_metadata", ""))
    if errors:
        # The owner input may have been renamed when a suggestion was chosen.
        if fields.OWNER in errors:
            errors[metadata.owner_block] = errors.pop(fields.OWNER)
        ack(response_action="errors", errors=errors)
        return
    assert owner is not None
    load, limit, own = owner_load(runtime=runtime, team_id=team_id, owner_user_id=owner.user_id)
    if (
        load >= limit
        and not overload_confirmed(values)
        # The load may include this very brief, created by a submit racing this one.
        and not brief_already_sent(runtime=runtime, team_id=team_id, view_id=view_id)
    ):
        whose = "their own capacity" if own else "the team's soft limit"
        warning = (
            f"<@{owner.user_id}> already owns {load} open delegations; {whose} "
            f"is {limit}. Tick the box to send this one anyway, or pick someone else."
        )
        updated = new_delegation_modal(
            BriefPrefill(source_permalink=metadata.source_permalink),
            checkpoint_rows=metadata.checkpoint_rows,
            projects=open_projects(runtime=runtime, team_id=team_id, lead_user_id=lead.user_id),
            overload_warning=warning,
            owner_help=owner_help(runtime=runtime, team_id=team_id, lead_user_id=lead.user_id),
            owner_picks=metadata.owner_picks,
        )
        ack(response_action="update", view=updated)
        return
    try:
        create_delegation(
            runtime=runtime,
            team_id=team_id,
            lead=lead,
            owner=owner,
            brief=brief,
            lead_tz=lead_tz,
            source_permalink=metadata.source_permalink,
            view_id=view_id,
        )
    except Exception:
        logger.exception("Could not save a brief")
        # The modal stays open with everything the lead typed, so nothing is lost.
        ack(
            response_action="errors",
            errors={fields.TITLE: "I couldn't save this just now. Please submit again."},
        )
        return
    ack()


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
