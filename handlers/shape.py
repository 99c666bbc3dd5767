"""The shape Slack guarantees for each request type, checked before any listener runs.

Listeners read what Slack always sends (the user, the clicked action, the trigger, the
view's state) without guarding every key; a signed request that lacks one of those, or has
it in the wrong type, is refused here with one line, instead of raising deep in a listener.
"""

from __future__ import annotations

from typing import Any

from handlers.payload import SLACK_USER_ID

# What a view's input element state may hold, and the type each must have.
_STATE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "type": str,
    "value": (str, type(None)),
    "selected_date": (str, type(None)),
    "selected_time": (str, type(None)),
    "selected_user": (str, type(None)),
    "selected_conversation": (str, type(None)),
    "selected_channel": (str, type(None)),
    "selected_option": (dict, type(None)),
    "selected_options": list,
    "selected_users": list,
    "selected_conversations": list,
    "selected_channels": list,
}


def problem(body: dict[str, Any]) -> str | None:
    """What is wrong with this request's shape for its type, or None when it is sound."""
    kind = body.get("type")
    if kind is None and "command" in body:
        return _command(body)
    if kind == "block_actions":
        return _block_actions(body)
    if kind in ("view_submission", "view_closed"):
        return _interaction(body) or _view(body.get("view"), submitted=True)
    if kind in ("shortcut", "message_action"):
        return _shortcut(body)
    if kind == "event_callback":
        return _event(body.get("event"))
    return None  # Bolt answers types no listener handles


def _strings(data: dict[str, Any], *keys: str, optional: tuple[str, ...] = ()) -> str | None:
    for key in keys:
        if not isinstance(data.get(key), str) or not data[key]:
            return f"{key} is missing or not a string"
    for key in optional:
        if key in data and not isinstance(data[key], str | None):
            return f"{key} is not a string"
    return None


def _command(body: dict[str, Any]) -> str | None:
    problem = _strings(
        body, "command", "user_id", "team_id", "trigger_id", optional=("text", "channel_id")
    )
    if problem is None and not SLACK_USER_ID.fullmatch(body["user_id"]):
        return "user_id is not a Slack user id"
    return problem


def _interaction(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict):
        return "user is missing"
    if not isinstance(user.get("id"), str) or not SLACK_USER_ID.fullmatch(user["id"]):
        return "user.id is not a Slack user id"
    for key in ("team", "channel", "container", "message"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    channel = body.get("channel")
    if isinstance(channel, dict) and not isinstance(channel.get("id"), str):
        return "channel.id is not a string"
    return _strings(body, optional=("trigger_id", "response_url"))


def _block_actions(body: dict[str, Any]) -> str | None:
    found = _interaction(body) or _strings(body, "trigger_id")
    if found:
        return found
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions is missing or empty"
    for action in actions:
        if not isinstance(action, dict):
            return "an action is not an object"
        found = _strings(action, "action_id", optional=("block_id", "value", "type"))
        if found:
            return f"action: {found}"
        option = action.get("selected_option")
        if option is not None and not (
            isinstance(option, dict) and isinstance(option.get("value"), str)
        ):
            return "action.selected_option has no value"
        if not isinstance(action.get("selected_options", []), list):
            return "action.selected_options is not a list"
    if "view" in body:
        return _view(body["view"], submitted=False)
    return None


def _shortcut(body: dict[str, Any]) -> str | None:
    found = _interaction(body) or _strings(body, "callback_id", "trigger_id")
    if found is None and body.get("type") == "message_action":
        message = body.get("message")
        if not isinstance(message, dict):
            return "message is missing"
        found = _strings(message, optional=("text", "ts"))
    return found


def _view(view: Any, *, submitted: bool) -> str | None:
    if not isinstance(view, dict):
        return "view is missing"
    keys = ("id", "type", "callback_id") if submitted else ("id", "type")
    found = _strings(view, *keys, optional=("hash", "private_metadata", "team_id"))
    if found:
        return f"view: {found}"
    if not isinstance(view.get("blocks", []), list):
        return "view.blocks is not a list"
    state = view.get("state", {} if not submitted else None)
    if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
        return "view.state.values is missing"
    for block in state.get("values", {}).values():
        if not isinstance(block, dict):
            return "a view.state block is not an object"
        for element in block.values():
            if not isinstance(element, dict):
                return "a view.state element is not an object"
            for key, expected in _STATE_FIELDS.items():
                if key in element and not isinstance(element[key], expected):
                    return f"view.state {key} has the wrong type"
            option = element.get("selected_option")
            if isinstance(option, dict) and not isinstance(option.get("value"), str):
                return "view.state selected_option has no value"
            for listed in ("selected_options", "selected_users", "selected_conversations"):
                for item in element.get(listed, []):
                    if listed == "selected_options":
                        if not (isinstance(item, dict) and isinstance(item.get("value"), str)):
                            return "view.state selected_options has an option without a value"
                    elif not isinstance(item, str):
                        return f"view.state {listed} has a non-string"
    return None


def _event(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "event is missing"
    found = _strings(event, "type", optional=("user", "channel", "tab", "text", "ts"))
    if found:
        return f"event: {found}"
    if event["type"] == "app_home_opened" and not SLACK_USER_ID.fullmatch(event.get("user") or ""):
        return "event.user is not a Slack user id"
    return None
