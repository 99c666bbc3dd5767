"""What Slack does with the app's answers outside the Web API: response_url posts and acks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox import oracle
from sandbox.state import Ephemeral, ResponseUrl, SandboxState, SlackError, assign_ids
from sandbox.webapi import flag

RESPONSE_ACTIONS = frozenset({"errors", "update", "push", "clear"})


def message_problems(body: Mapping[str, Any]) -> list[str]:
    """Oracle problems in a message-shaped answer (response_url post or command ack)."""
    problems: list[str] = []
    if "blocks" in body:
        problems += oracle.validate_blocks(body["blocks"])
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        problems.append("text: must be a string")
    return problems


def respond(state: SandboxState, target: ResponseUrl, body: Mapping[str, Any]) -> None:
    """Apply a response_url post: delete or replace the source message, or post a new one."""
    with state.lock:
        if flag(body, "delete_original"):
            if target.message_ts is not None:
                state.delete_message(target.channel_id, target.message_ts)
            return
        has_content = any(body.get(k) not in (None, "", []) for k in ("text", "blocks"))
        if not has_content:
            raise SlackError("no_text")
        original = (
            state.find_message(target.channel_id, target.message_ts)
            if target.message_ts is not None and flag(body, "replace_original")
            else None
        )
        if original is not None:
            original["text"] = str(body.get("text") or "")
            if "blocks" in body:
                original["blocks"] = assign_ids(list(body["blocks"] or []), state.next_ts())
            else:
                original.pop("blocks", None)
            original["edited"] = {"user": state.workspace.bot_user_id, "ts": state.next_ts()}
            return
        message = state.bot_message(
            ts=state.next_ts(),
            text=str(body.get("text") or ""),
            blocks=body.get("blocks"),
            thread_ts=str(body["thread_ts"]) if body.get("thread_ts") else None,
        )
        if body.get("response_type") == "in_channel":
            state.store_message(target.channel_id, message)
        else:
            state.add_ephemeral(
                Ephemeral(target.channel_id, target.user_id, message, "response_url")
            )


def apply_command_ack(
    state: SandboxState, command: Mapping[str, Any], ack: Mapping[str, Any]
) -> list[str]:
    """A slash command answered with a message body: show it like Slack. Returns problems."""
    if not any(ack.get(k) not in (None, "", []) for k in ("text", "blocks")):
        return []
    problems = message_problems(ack)
    if problems:
        return problems
    channel_id = str(command["channel_id"])
    message = state.bot_message(
        ts=state.next_ts(), text=str(ack.get("text") or ""), blocks=ack.get("blocks")
    )
    if ack.get("response_type") == "in_channel":
        state.store_message(channel_id, message)
    else:
        state.add_ephemeral(Ephemeral(channel_id, str(command["user_id"]), message, "ack"))
    return []


def apply_view_submission_ack(
    state: SandboxState, submission: Mapping[str, Any], ack: Mapping[str, Any] | None
) -> list[str]:
    """Close, update, push or keep the modal as the ack asks. Returns problems with the ack."""
    user_id = str(submission["user"]["id"])
    view = submission["view"]
    action = (ack or {}).get("response_action")
    if action is None:
        state.views.close_modal(user_id, clear=False)
        return []
    if action not in RESPONSE_ACTIONS:
        return [f"response_action: unknown value {action!r}"]
    if action == "clear":
        state.views.close_modal(user_id, clear=True)
        return []
    if action == "errors":
        return _error_problems(view, (ack or {}).get("errors"))
    new_view = (ack or {}).get("view")
    problems = oracle.validate_view(new_view)
    if problems:
        return problems
    assert isinstance(new_view, Mapping)
    if action == "update":
        state.views.replace_top_modal(user_id, new_view)
    else:
        state.views.push_from_ack(user_id, new_view)
    return []


def _error_problems(view: Mapping[str, Any], errors: Any) -> list[str]:
    if not isinstance(errors, Mapping) or not errors:
        return ["response_action errors: `errors` must be a non-empty object"]
    inputs = {b.get("block_id") for b in view.get("blocks") or [] if isinstance(b, Mapping)}
    problems = [
        f"response_action errors: no block {block_id!r} in the submitted view"
        for block_id in errors
        if block_id not in inputs
    ]
    problems += [
        f"response_action errors: message for {block_id!r} must be a string"
        for block_id, message in errors.items()
        if not isinstance(message, str)
    ]
    return problems
