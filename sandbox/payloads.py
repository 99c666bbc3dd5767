"""Builders for what Slack sends the app: slash commands, interactions and Events API envelopes.

Shapes follow Slack's payload reference; ids, trigger_ids and response_urls come from the
sandbox so the app's follow-up calls (views.open, response_url posts) land back in it.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sandbox.state import SandboxState
from sandbox.workspace import User

_MISSING = object()

# Slack reports an element's value under a field that depends on the element's type.
_VALUE_FIELDS: dict[str, str] = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "checkboxes": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "rich_text_input": "rich_text_value",
    "file_input": "files",
}
_INITIAL_FIELDS: dict[str, str] = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
    "rich_text_value": "initial_value",
}
_LIST_FIELDS = frozenset(
    {
        "selected_options",
        "selected_users",
        "selected_conversations",
        "selected_channels",
        "files",
    }
)


def interaction_user(user: User, team_id: str) -> dict[str, Any]:
    """The `user` object of interaction payloads."""
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": team_id}


def team(state: SandboxState) -> dict[str, Any]:
    """The `team` object of interaction payloads."""
    return {"id": state.workspace.team_id, "domain": state.workspace.domain}


def iter_elements(blocks: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every interactive element in blocks, with its block_id."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id", ""))
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        candidates += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in candidates:
            if isinstance(element, dict) and "action_id" in element:
                yield block_id, element


def find_element(
    blocks: list[Any], action_id: str, block_id: str | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The (block_id, element) with this action_id, or None."""
    for found_block, element in iter_elements(blocks):
        if element.get("action_id") == action_id and block_id in (None, found_block):
            return found_block, element
    return None


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return options


def _option(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    for option in _options(element):
        if option.get("value") == value:
            return {"text": option.get("text"), "value": value}
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}
    raise ValueError(f"{element.get('action_id')!r} has no option with value {value!r}")


def _rich_text(text: str) -> dict[str, Any]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return {"type": "rich_text", "elements": [section]}


def element_state(element: Mapping[str, Any], given: Any = _MISSING) -> dict[str, Any]:
    """An element's entry in `state.values` (or an action's selected value) as Slack reports it.

    Without `given`, the element's initial value stands, as when the user left it untouched.
    """
    kind = str(element.get("type"))
    if isinstance(given, Mapping):
        return {"type": kind, **given}
    field_name = _VALUE_FIELDS.get(kind, "value")
    if given is _MISSING:
        initial = element.get(_INITIAL_FIELDS.get(field_name, "initial_value"))
        value: Any = copy.deepcopy(initial)
        if value is None and field_name in _LIST_FIELDS:
            value = []
        return {"type": kind, field_name: value}
    if field_name == "selected_option":
        value = None if given is None else _option(element, given)
    elif field_name == "selected_options":
        value = [_option(element, v) for v in (given or [])]
    elif field_name == "rich_text_value":
        value = None if given is None else _rich_text(str(given))
    elif field_name in _LIST_FIELDS:
        value = list(given or [])
    else:
        value = given
    return {"type": kind, field_name: value}


def state_values(
    view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """`view.state.values`: every input block (touched or not) plus any element given a value."""
    blocks = list(view.get("blocks") or [])
    result: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "input":
            element = block.get("element") or {}
            action_id = str(element.get("action_id", ""))
            given = values.get(str(block.get("block_id")), {}).get(action_id, _MISSING)
            result.setdefault(str(block.get("block_id")), {})[action_id] = element_state(
                element, given
            )
    for block_id, by_action in values.items():
        for action_id, given in by_action.items():
            if action_id in result.get(block_id, {}):
                continue
            found = find_element(blocks, action_id, block_id)
            if found is None:
                raise ValueError(f"the view has no element {block_id}/{action_id}")
            result.setdefault(block_id, {})[action_id] = element_state(found[1], given)
    return result


def view_output(
    view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The `view` object inside interaction payloads: the stored view with its current state."""
    shown = copy.deepcopy(dict(view))
    shown["state"] = {"values": state_values(view, values or {})}
    return shown


def block_action_entry(
    element: Mapping[str, Any], block_id: str, value: Any, action_ts: str
) -> dict[str, Any]:
    """One entry of `actions` in a block_actions payload."""
    kind = str(element.get("type"))
    action: dict[str, Any] = {
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "type": kind,
        "action_ts": action_ts,
    }
    if kind in ("button", "workflow_button"):
        action["text"] = element.get("text")
        chosen = element.get("value") if value is None else value
        if chosen is not None:
            action["value"] = chosen
        for key in ("style", "url"):
            if key in element:
                action[key] = element[key]
        return action
    state = element_state(element, _MISSING if value is None else value)
    state.pop("type", None)
    action.update(state)
    if "placeholder" in element:
        action["placeholder"] = element["placeholder"]
    return action


def event_context(state: SandboxState, event_id: str) -> str:
    """An opaque event_context string like Slack's."""
    raw = f"{state.workspace.team_id}:{state.workspace.app_id}:{event_id}".encode()
    return "4-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def event_envelope(
    state: SandboxState, event: Mapping[str, Any], event_id: str, event_time: int
) -> dict[str, Any]:
    """The Events API `event_callback` envelope around one event."""
    ws = state.workspace
    inner = dict(event)
    inner.setdefault("event_ts", state.next_ts())
    return {
        "token": ws.verification_token,
        "team_id": ws.team_id,
        "context_team_id": ws.team_id,
        "context_enterprise_id": None,
        "api_app_id": ws.app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": event_context(state, event_id),
    }
