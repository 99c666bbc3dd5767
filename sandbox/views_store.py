"""Views Slack holds for the app: modal stacks per user, and each user's Home tab."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from typing import Any

from sandbox.state import SandboxState, SlackError, Trigger, assign_ids

# After a modal is opened, two more views can be pushed onto its stack.
VIEW_STACK_MAX = 3


class ViewStore:
    """Stored views by id, modal stacks by user and Home tabs by user; locked by the state."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._views: dict[str, dict[str, Any]] = {}
        self._stacks: dict[str, list[str]] = {}
        self._home: dict[str, str] = {}

    def _new_hash(self) -> str:
        return f"{self._state.now()}.{secrets.token_hex(4)}"

    def render(
        self,
        view_id: str,
        view: Mapping[str, Any],
        *,
        root_view_id: str | None,
        previous_view_id: str | None,
    ) -> dict[str, Any]:
        """The view object Slack stores and returns for an app's view payload."""
        ws = self._state.workspace
        kind = view.get("type", "modal")
        rendered: dict[str, Any] = {
            "id": view_id,
            "team_id": ws.team_id,
            "type": kind,
            "blocks": assign_ids(list(view.get("blocks") or []), view_id),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id,
            "app_id": ws.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        if "title" in view:
            rendered["title"] = view["title"]
        if "submit_disabled" in view:
            rendered["submit_disabled"] = view["submit_disabled"]
        return rendered

    def _check_external_id(self, view: Mapping[str, Any], replacing: str | None = None) -> None:
        external_id = view.get("external_id")
        if not external_id:
            return
        for existing_id, existing in self._views.items():
            if existing_id != replacing and existing.get("external_id") == external_id:
                raise SlackError("duplicate_external_id")

    def open_modal(self, user_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """Open a modal as the root of a new stack for this user."""
        with self._state.lock:
            self._check_external_id(view)
            view_id = self._state.next_id("V")
            rendered = self.render(view_id, view, root_view_id=view_id, previous_view_id=None)
            self._views[view_id] = rendered
            self._stacks[user_id] = [view_id]
            return copy.deepcopy(rendered)

    def push_modal(self, trigger: Trigger, view: Mapping[str, Any]) -> dict[str, Any]:
        """Push a modal onto the stack the trigger came from."""
        with self._state.lock:
            stack = self._stacks.get(trigger.user_id)
            if trigger.view_id is not None:
                for candidate in self._stacks.values():
                    if trigger.view_id in candidate:
                        stack = candidate
            if not stack:
                raise SlackError("not_found")
            if len(stack) >= VIEW_STACK_MAX:
                raise SlackError("push_limit_reached")
            self._check_external_id(view)
            view_id = self._state.next_id("V")
            rendered = self.render(view_id, view, root_view_id=stack[0], previous_view_id=stack[-1])
            self._views[view_id] = rendered
            stack.append(view_id)
            return copy.deepcopy(rendered)

    def find(self, *, view_id: str | None, external_id: str | None) -> dict[str, Any]:
        """The stored view by id or external id (not_found otherwise)."""
        with self._state.lock:
            if view_id:
                found = self._views.get(view_id)
            else:
                found = next(
                    (v for v in self._views.values() if v.get("external_id") == external_id), None
                )
            if found is None:
                raise SlackError("not_found")
            return found

    def update(
        self, current: dict[str, Any], view: Mapping[str, Any], expected_hash: str | None
    ) -> dict[str, Any]:
        """Replace a stored view's content, refusing a stale hash."""
        with self._state.lock:
            if expected_hash and expected_hash != current["hash"]:
                raise SlackError("hash_conflict")
            self._check_external_id(view, replacing=current["id"])
            rendered = self.render(
                current["id"],
                view,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
            if not rendered["external_id"]:
                rendered["external_id"] = current.get("external_id", "")
            self._views[current["id"]] = rendered
            return copy.deepcopy(rendered)

    def publish_home(
        self, user_id: str, view: Mapping[str, Any], expected_hash: str | None
    ) -> dict[str, Any]:
        """Publish a user's Home tab, keeping its view id stable across publishes."""
        with self._state.lock:
            view_id = self._home.get(user_id)
            stale = view_id is not None and expected_hash not in (
                None,
                self._views[view_id]["hash"],
            )
            if stale:
                raise SlackError("hash_conflict")
            if view_id is None:
                view_id = self._state.next_id("V")
                self._home[user_id] = view_id
            self._check_external_id(view, replacing=view_id)
            rendered = self.render(view_id, view, root_view_id=None, previous_view_id=None)
            self._views[view_id] = rendered
            return copy.deepcopy(rendered)

    def get(self, view_id: str) -> dict[str, Any] | None:
        """A copy of a stored view, or None."""
        with self._state.lock:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """A copy of the Home tab last published for a user, or None."""
        with self._state.lock:
            view_id = self._home.get(user_id)
            return self.get(view_id) if view_id else None

    def modal_stack(self, user_id: str) -> list[dict[str, Any]]:
        """Copies of the modals a user has open, root first (empty when none)."""
        with self._state.lock:
            return [copy.deepcopy(self._views[v]) for v in self._stacks.get(user_id, [])]

    def close_modal(self, user_id: str, *, clear: bool) -> None:
        """Close the top modal (or all of them when `clear`)."""
        with self._state.lock:
            stack = self._stacks.get(user_id, [])
            if clear or len(stack) <= 1:
                self._stacks.pop(user_id, None)
            else:
                stack.pop()

    def replace_top_modal(self, user_id: str, view: Mapping[str, Any]) -> dict[str, Any] | None:
        """Apply a view_submission ack's response_action "update" to the top modal."""
        with self._state.lock:
            stack = self._stacks.get(user_id)
            if not stack:
                return None
            return self.update(self._views[stack[-1]], view, None)

    def push_from_ack(self, user_id: str, view: Mapping[str, Any]) -> dict[str, Any] | None:
        """Apply a view_submission ack's response_action "push"."""
        with self._state.lock:
            stack = self._stacks.get(user_id)
            if not stack:
                return None
            trigger = Trigger("ack", user_id, self._state.clock(), stack[-1], True)
            return self.push_modal(trigger, view)
