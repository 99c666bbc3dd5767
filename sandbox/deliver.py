"""Deliver to the app what Slack would: slash commands, interactions and events.

This module decides what is sent and applies what Slack does with the answers;
sandbox.transport carries it (signed HTTP or Socket Mode).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from sandbox.payloads import (
    block_action_entry,
    event_envelope,
    find_element,
    interaction_user,
    team,
    view_output,
)
from sandbox.responses import apply_command_ack, apply_view_submission_ack
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from sandbox.transport import (
    ACK_TIMEOUT,
    Delivery,
    EnvelopeType,
    Outgoing,
    Transport,
    Via,
)
from sandbox.workspace import User

__all__ = ["ACK_TIMEOUT", "Deliverer", "Delivery", "Via"]


class Deliverer:
    """Sends slash commands, interactions and events to the app, signed, as Slack would.

    `request_url` is the app's HTTP endpoint (Bolt's /slack/events); without one, deliveries
    go over Socket Mode through the server's WebSocket endpoint.
    """

    def __init__(
        self,
        server: SandboxServer,
        request_url: str | None = None,
        *,
        via: Via | None = None,
        timeout: float = ACK_TIMEOUT,
    ) -> None:
        self.server = server
        self.request_url = request_url
        self.via: Via = via or ("http" if request_url else "socket")
        self.timeout = timeout
        self._transport = Transport(server, request_url, timeout)

    @property
    def state(self) -> SandboxState:
        """The server's mutable workspace state."""
        return self.server.state

    # slash commands ---------------------------------------------------------------------------

    def slash_command(
        self,
        user_id: str,
        text: str = "",
        command: str = "/delegate",
        channel_id: str | None = None,
        *,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Run a slash command as `user_id` typed it in `channel_id`."""
        user = self._active_user(user_id)
        ws = self.server.workspace
        channel = channel_id or ws.default_channel_id
        trigger_id = self.server.issue_trigger(user.id)
        response_url = self.server.issue_response_url("commands", channel, user.id)
        payload = {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "team_domain": ws.domain,
            "channel_id": channel,
            "channel_name": self.state.channel_name(channel),
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": ws.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        delivery = self._deliver(
            "slash_commands",
            payload,
            via=via,
            timestamp=timestamp,
            signature=signature,
            trigger_id=trigger_id,
            response_url=response_url,
        )
        if delivery.ok and delivery.ack:
            problems = apply_command_ack(self.state, payload, delivery.ack)
            if problems:
                self.server.record_violation(f"ack:{command}", problems, delivery.ack)
        return delivery

    # interactivity ----------------------------------------------------------------------------

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: Any = None,
        view: Mapping[str, Any] | str | None = None,
        message: Mapping[str, Any] | str | None = None,
        *,
        channel_id: str | None = None,
        block_id: str | None = None,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Click or change the element `action_id` in a message or a view (modal or Home tab).

        `message` is a stored message (or its ts), `view` a view (or its id). `value` overrides
        a button's value or picks an option/user/date for a select or picker. `values` fills
        other inputs of the view's state.
        """
        user = self._active_user(user_id)
        ws = self.server.workspace
        action_ts = self.state.next_ts()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": interaction_user(user, ws.team_id),
            "api_app_id": ws.app_id,
            "token": ws.verification_token,
            "container": {},
            "trigger_id": "",
            "team": team(self.state),
            "enterprise": None,
            "is_enterprise_install": False,
        }
        response_url: str | None = None
        if view is not None:
            shown = self._stored_view(view)
            blocks = list(shown.get("blocks") or [])
            found = find_element(blocks, action_id, block_id)
            if found is None:
                raise ValueError(f"view {shown.get('id')} has no element {action_id!r}")
            trigger_id = self.server.issue_trigger(user.id, str(shown.get("id")))
            payload["container"] = {"type": "view", "view_id": shown.get("id")}
            payload["view"] = view_output(shown, values)
        else:
            stored, channel = self._stored_message(message, channel_id)
            trigger_id = self.server.issue_trigger(user.id)
            if stored is not None:
                blocks = list(stored.get("blocks") or [])
                found = find_element(blocks, action_id, block_id)
                if found is None:
                    raise ValueError(f"message {stored['ts']} has no element {action_id!r}")
                payload["container"] = {
                    "type": "message",
                    "message_ts": stored["ts"],
                    "channel_id": channel,
                    "is_ephemeral": False,
                }
                payload["message"] = stored
            else:
                # Ephemeral messages cannot be looked up by ts, so the element is taken on trust.
                found = (block_id or "sandbox", {"type": "button", "action_id": action_id})
                payload["container"] = {
                    "type": "message",
                    "message_ts": action_ts,
                    "channel_id": channel,
                    "is_ephemeral": True,
                }
            payload["channel"] = {"id": channel, "name": self.state.channel_name(channel)}
            payload["state"] = {"values": {}}
            response_url = self.server.issue_response_url(
                "actions", channel, user.id, stored["ts"] if stored is not None else None
            )
            payload["response_url"] = response_url
        payload["trigger_id"] = trigger_id
        payload["actions"] = [block_action_entry(found[1], found[0], value, action_ts)]
        return self._deliver(
            "interactive",
            payload,
            via=via,
            timestamp=timestamp,
            signature=signature,
            trigger_id=trigger_id,
            response_url=response_url,
        )

    def global_shortcut(
        self,
        user_id: str,
        callback_id: str,
        *,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Run the global shortcut `callback_id` (from the composer or search) as `user_id`."""
        user = self._active_user(user_id)
        ws = self.server.workspace
        trigger_id = self.server.issue_trigger(user.id)
        payload: dict[str, Any] = {
            "type": "shortcut",
            "token": ws.verification_token,
            "action_ts": self.state.next_ts(),
            "team": team(self.state),
            "user": {"id": user.id, "username": user.name, "team_id": ws.team_id},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
        }
        return self._deliver(
            "interactive",
            payload,
            via=via,
            timestamp=timestamp,
            signature=signature,
            trigger_id=trigger_id,
        )

    def message_shortcut(
        self,
        user_id: str,
        callback_id: str,
        message: Mapping[str, Any] | str,
        channel_id: str | None = None,
        *,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Run the message shortcut `callback_id` on a stored message (or its ts) as `user_id`."""
        user = self._active_user(user_id)
        ws = self.server.workspace
        stored, channel = self._stored_message(message, channel_id)
        assert stored is not None
        trigger_id = self.server.issue_trigger(user.id)
        response_url = self.server.issue_response_url("actions", channel, user.id, stored["ts"])
        payload: dict[str, Any] = {
            "type": "message_action",
            "token": ws.verification_token,
            "action_ts": self.state.next_ts(),
            "team": team(self.state),
            "user": {"id": user.id, "username": user.name, "team_id": ws.team_id},
            "channel": {"id": channel, "name": self.state.channel_name(channel)},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "response_url": response_url,
            "message_ts": stored["ts"],
            "message": stored,
        }
        return self._deliver(
            "interactive",
            payload,
            via=via,
            timestamp=timestamp,
            signature=signature,
            trigger_id=trigger_id,
            response_url=response_url,
        )

    def view_submission(
        self,
        user_id: str,
        view: Mapping[str, Any] | str,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Submit a modal with `values` ({block_id: {action_id: value}}); applies the ack."""
        user = self._active_user(user_id)
        ws = self.server.workspace
        shown = self._stored_view(view)
        trigger_id = self.server.issue_trigger(user.id, str(shown.get("id")))
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": team(self.state),
            "user": interaction_user(user, ws.team_id),
            "api_app_id": ws.app_id,
            "token": ws.verification_token,
            "trigger_id": trigger_id,
            "view": view_output(shown, values),
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        delivery = self._deliver(
            "interactive",
            payload,
            via=via,
            timestamp=timestamp,
            signature=signature,
            trigger_id=trigger_id,
        )
        if delivery.ok and self.server.view(str(shown.get("id"))) is not None:
            problems = apply_view_submission_ack(self.state, payload, delivery.ack)
            if problems:
                self.server.record_violation("ack:view_submission", problems, delivery.ack or {})
        return delivery

    def view_closed(
        self,
        user_id: str,
        view: Mapping[str, Any] | str,
        *,
        is_cleared: bool = False,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Close a modal (Slack sends this only when the view set notify_on_close)."""
        user = self._active_user(user_id)
        ws = self.server.workspace
        shown = self._stored_view(view)
        payload: dict[str, Any] = {
            "type": "view_closed",
            "team": team(self.state),
            "user": interaction_user(user, ws.team_id),
            "api_app_id": ws.app_id,
            "token": ws.verification_token,
            "view": view_output(shown),
            "is_cleared": is_cleared,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        self.state.views.close_modal(user.id, clear=is_cleared)
        return self._deliver(
            "interactive", payload, via=via, timestamp=timestamp, signature=signature
        )

    # events -----------------------------------------------------------------------------------

    def event(
        self,
        event: Mapping[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        *,
        via: Via | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Delivery:
        """Deliver one Events API event; pass the first delivery's event_id to retry it."""
        event_id = event_id or self.state.next_id("Ev", 10)
        envelope = event_envelope(self.state, event, event_id, self.state.now())
        return self._deliver(
            "events_api",
            envelope,
            via=via,
            timestamp=timestamp,
            signature=signature,
            event_id=event_id,
            retry_num=retry_num,
            retry_reason=retry_reason,
        )

    def app_home_opened(self, user_id: str, tab: str = "home", **options: Any) -> Delivery:
        """The user opened the app's Home (or Messages) tab."""
        user = self._active_user(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user.id,
            "channel": self.server.workspace.dm_id(user.id),
            "tab": tab,
        }
        home = self.server.home_view(user.id)
        if home is not None and tab == "home":
            event["view"] = home
        return self.event(event, **options)

    def user_message(
        self, user_id: str, text: str, channel_id: str | None = None, **options: Any
    ) -> Delivery:
        """A person posts a message (by default in their DM with the bot); stored, then sent."""
        user = self._active_user(user_id)
        channel = channel_id or self.server.workspace.dm_id(user.id)
        ts = self.state.next_ts()
        message = {
            "type": "message",
            "user": user.id,
            "text": text,
            "ts": ts,
            "team": self.server.workspace.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        self.state.store_message(channel, copy.deepcopy(message))
        channel_type = "im" if channel.startswith("D") else "channel"
        event = {**message, "channel": channel, "event_ts": ts, "channel_type": channel_type}
        return self.event(event, **options)

    def url_verification(self, challenge: str = "sandbox-challenge") -> Delivery:
        """The challenge Slack sends when a Request URL is saved (HTTP only)."""
        payload = {
            "token": self.server.workspace.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._deliver("events_api", payload, via="http")

    # transport --------------------------------------------------------------------------------

    def _active_user(self, user_id: str) -> User:
        user = self.server.workspace.user(user_id)
        if user is None or user.deleted or user.is_bot:
            raise ValueError(f"{user_id} cannot act in Slack (unknown, deactivated or a bot)")
        return user

    def _stored_view(self, view: Mapping[str, Any] | str) -> dict[str, Any]:
        view_id = view if isinstance(view, str) else view.get("id")
        stored = self.server.view(str(view_id)) if view_id else None
        if stored is not None:
            return stored
        if isinstance(view, str):
            raise ValueError(f"the sandbox has no view {view!r}")
        # A view the sandbox never saw: render it as Slack would have stored it.
        return self.state.views.render(
            str(view.get("id") or self.state.next_id("V")),
            view,
            root_view_id=None,
            previous_view_id=None,
        )

    def _stored_message(
        self, message: Mapping[str, Any] | str | None, channel_id: str | None
    ) -> tuple[dict[str, Any] | None, str]:
        if message is None:
            if channel_id is None:
                raise ValueError("a block action needs a view, a message or a channel_id")
            return None, channel_id
        ts = message if isinstance(message, str) else str(message.get("ts"))
        channel = channel_id or self.state.locate_message(ts)
        if channel is None:
            raise ValueError(f"the sandbox has no message {ts}")
        stored = self.state.find_message(channel, ts)
        if stored is None:
            raise ValueError(f"the sandbox has no message {ts} in {channel}")
        return copy.deepcopy(stored), channel

    def _deliver(
        self,
        kind: EnvelopeType,
        payload: dict[str, Any],
        *,
        via: Via | None,
        timestamp: int | None = None,
        signature: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        outgoing = Outgoing(
            kind, payload, trigger_id, response_url, event_id, retry_num, retry_reason
        )
        if (via or self.via) == "socket":
            return self._transport.over_socket(outgoing)
        return self._transport.over_http(outgoing, timestamp=timestamp, signature=signature)
