"""The mutable side of the fake workspace: messages, views, triggers, response URLs and uploads.

Everything here is guarded by one re-entrant lock, because the server thread mutates it while
the test thread issues triggers and reads messages.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.workspace import User, Workspace

if TYPE_CHECKING:
    from sandbox.views_store import ViewStore

# Slack drops a trigger_id after three seconds and accepts it once.
TRIGGER_TTL = 3.0
# A response_url takes five posts within thirty minutes.
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0


class SlackError(Exception):
    """A Web API refusal: the error code, plus what Slack puts next to it."""

    def __init__(
        self,
        error: str,
        *,
        messages: list[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Trigger:
    """A trigger_id handed to the app with an interaction."""

    id: str
    user_id: str
    issued_at: float
    view_id: str | None = None
    used: bool = False


@dataclass
class ResponseUrl:
    """A response_url handed to the app, and where posts to it land."""

    key: str
    kind: str
    channel_id: str
    user_id: str
    issued_at: float
    message_ts: str | None = None
    uses: int = 0


@dataclass
class Upload:
    """A file announced with files.getUploadURLExternal."""

    id: str
    filename: str
    length: int
    user_id: str
    created: int
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    title: str | None = None
    shared_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ephemeral:
    """A message only one user saw: chat.postEphemeral, a response_url post or an ack body."""

    channel: str
    user: str
    message: dict[str, Any]
    source: str


_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(n: int, width: int) -> str:
    digits = ""
    while n:
        n, rem = divmod(n, 36)
        digits = _ID_ALPHABET[rem] + digits
    return digits.rjust(width, "0")


def _short_hash(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return base64.b64encode(digest).decode()[:length]


def assign_ids(blocks: list[Any], seed: str) -> list[Any]:
    """Copy blocks, filling in block_id and action_id where the app left them out, as Slack does."""
    filled = copy.deepcopy(blocks)
    for index, block in enumerate(filled):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _short_hash(f"{seed}:{index}", 5))
        elements: list[Any] = []
        if block.get("type") == "actions":
            elements = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for position, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") not in ("image", None):
                element.setdefault("action_id", _short_hash(f"{seed}:{index}:{position}", 5))
    return filled


class SandboxState:
    """Messages per channel, open DMs, views, triggers, response URLs and uploads."""

    def __init__(
        self,
        workspace: Workspace,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self.workspace = workspace
        self.clock = clock
        self.wall_clock = wall_clock
        self.lock = threading.RLock()
        self.base_url = ""
        self._last_ts = 0
        self._counters: dict[str, int] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._open_dms: set[str] = set()
        self._mpims: dict[str, tuple[str, ...]] = {}
        self._ephemerals: list[Ephemeral] = []
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._uploads: dict[str, Upload] = {}
        self._tickets: set[str] = set()
        # Imported here: views_store builds on this module's errors and triggers.
        from sandbox.views_store import ViewStore

        self.views: ViewStore = ViewStore(self)

    # ids -------------------------------------------------------------------------------------

    def next_id(self, prefix: str, width: int = 8) -> str:
        """A fresh Slack-looking id such as V0000001A (deterministic per server)."""
        with self.lock:
            n = self._counters.get(prefix, 0) + 1
            self._counters[prefix] = n
        return prefix + _base36(n, width)

    def next_ts(self) -> str:
        """A message timestamp like Slack's: wall-clock seconds and a strictly increasing suffix."""
        with self.lock:
            micros = max(self._last_ts + 1, int(self.wall_clock() * 1_000_000))
            self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def now(self) -> int:
        """Wall-clock seconds, for the `created`/`event_time` fields."""
        return int(self.wall_clock())

    # users and conversations -------------------------------------------------------------------

    def user(self, user_id: str) -> User:
        """The user, or user_not_found."""
        user = self.workspace.user(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def members_of(self, channel_id: str) -> tuple[str, ...]:
        """Who is in a channel, DM or group DM (empty when unknown)."""
        channel = self.workspace.channel(channel_id)
        if channel is not None:
            return channel.members
        if channel_id in self._mpims:
            return self._mpims[channel_id]
        other = self.workspace.dm_user(channel_id)
        return (other.id, self.workspace.bot_user_id) if other is not None else ()

    def channel_name(self, channel_id: str) -> str:
        """The name Slack puts in payloads: the channel name, or "directmessage" for a DM."""
        channel = self.workspace.channel(channel_id)
        if channel is not None:
            return channel.name
        if channel_id in self._mpims:
            return "mpdm-" + "--".join(self.user(u).name for u in self._mpims[channel_id]) + "-1"
        return "directmessage"

    def resolve_conversation(self, channel: str) -> str:
        """Turn a channel argument (C/G/D id, user id or #name) into a conversation the bot can use.

        Raises the error Slack gives when it cannot.
        """
        ws = self.workspace
        if not channel:
            raise SlackError("channel_not_found")
        if channel[0] in "UW":
            user = ws.user(channel)
            if user is None or user.is_bot:
                raise SlackError("channel_not_found")
            channel = ws.dm_id(user.id)
        if channel.startswith("D"):
            other = ws.dm_user(channel)
            if other is None or other.is_bot:
                raise SlackError("channel_not_found")
            if other.deleted:
                raise SlackError("account_inactive")
            with self.lock:
                self._open_dms.add(channel)
            return channel
        if channel in self._mpims:
            return channel
        found = ws.channel(channel) or ws.channel_named(channel)
        if found is None:
            raise SlackError("channel_not_found")
        if found.is_archived:
            raise SlackError("is_archived")
        if ws.bot_user_id not in found.members:
            raise SlackError("not_in_channel")
        return found.id

    def open_dm(self, user_ids: list[str]) -> tuple[str, bool]:
        """Open (or find) the DM or group DM with these users; returns (id, already_open)."""
        ws = self.workspace
        people: list[str] = []
        for user_id in user_ids:
            user = self.user(user_id)
            if user.deleted:
                raise SlackError("user_disabled")
            if user.id != ws.bot_user_id and user.id not in people:
                people.append(user.id)
        if not people:
            raise SlackError("cannot_dm_bot")
        with self.lock:
            if len(people) == 1:
                channel_id = ws.dm_id(people[0])
                already = channel_id in self._open_dms
                self._open_dms.add(channel_id)
                return channel_id, already
            members = (*sorted(people), ws.bot_user_id)
            for existing, who in self._mpims.items():
                if who == members:
                    return existing, True
            channel_id = "G" + _short_hash("|".join(members), 8).upper().replace("+", "P")
            channel_id = channel_id.replace("/", "S")
            self._mpims[channel_id] = members
            return channel_id, False

    def dm_object(self, channel_id: str) -> dict[str, Any]:
        """The full IM definition conversations.open returns with return_im."""
        other = self.workspace.dm_user(channel_id)
        return {
            "id": channel_id,
            "created": self.workspace.created,
            "is_im": True,
            "is_org_shared": False,
            "user": other.id if other else None,
            "last_read": "0000000000.000000",
            "latest": None,
            "unread_count": 0,
            "unread_count_display": 0,
            "is_open": True,
            "priority": 0,
        }

    # messages ---------------------------------------------------------------------------------

    def bot_profile(self) -> dict[str, Any]:
        """The bot_profile Slack attaches to the bot's messages."""
        ws = self.workspace
        return {
            "id": ws.bot_id,
            "app_id": ws.app_id,
            "name": ws.bot.real_name,
            "icons": {"image_36": "https://avatars.sandbox.invalid/bot_36.png"},
            "deleted": False,
            "updated": ws.created,
            "team_id": ws.team_id,
        }

    def bot_message(
        self,
        *,
        ts: str,
        text: str,
        blocks: list[Any] | None,
        metadata: Mapping[str, Any] | None = None,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message as the bot's post is stored and returned."""
        ws = self.workspace
        message: dict[str, Any] = {
            "user": ws.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "text": text,
            "team": ws.team_id,
            "bot_profile": self.bot_profile(),
        }
        if blocks is not None:
            message["blocks"] = assign_ids(blocks, ts)
        if metadata is not None:
            message["metadata"] = dict(metadata)
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        if files:
            message["files"] = files
            message["upload"] = True
        return message

    def store_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Append a message to a conversation, and count it as a reply on its thread parent."""
        with self.lock:
            history = self._messages.setdefault(channel_id, [])
            history.append(message)
            thread_ts = message.get("thread_ts")
            if thread_ts and thread_ts != message["ts"]:
                parent = self.find_message(channel_id, thread_ts)
                if parent is not None:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = message["ts"]
                    users = parent.setdefault("reply_users", [])
                    if message.get("user") not in users:
                        users.append(message.get("user"))
        return message

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Every message in a conversation, thread replies included, oldest first (copies)."""
        with self.lock:
            return copy.deepcopy(self._messages.get(channel_id, []))

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]] | None:
        """The thread holding message `ts`: its parent, then its replies oldest first (copies).

        A message with no replies is a thread of one; None when there is no such message.
        """
        with self.lock:
            message = self.find_message(channel_id, ts)
            if message is None:
                return None
            parent_ts = str(message.get("thread_ts") or ts)
            parent = self.find_message(channel_id, parent_ts) or message
            replies = [
                m
                for m in self._messages.get(channel_id, [])
                if m.get("thread_ts") == parent_ts and m["ts"] != parent_ts
            ]
            return copy.deepcopy([parent, *replies])

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        """The stored message itself (not a copy), or None."""
        with self.lock:
            for message in self._messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
        return None

    def locate_message(self, ts: str) -> str | None:
        """The conversation holding the message with this ts, if any."""
        with self.lock:
            for channel_id, history in self._messages.items():
                if any(m["ts"] == ts for m in history):
                    return channel_id
        return None

    def delete_message(self, channel_id: str, ts: str) -> None:
        """Remove a message (message_not_found when it is not there)."""
        with self.lock:
            history = self._messages.get(channel_id, [])
            for index, message in enumerate(history):
                if message["ts"] == ts:
                    del history[index]
                    return
        raise SlackError("message_not_found")

    def add_ephemeral(self, ephemeral: Ephemeral) -> None:
        """Remember a message only one user saw."""
        with self.lock:
            self._ephemerals.append(ephemeral)

    def ephemerals(self) -> list[Ephemeral]:
        """Every ephemeral message so far, oldest first."""
        with self.lock:
            return list(self._ephemerals)

    # triggers ---------------------------------------------------------------------------------

    def issue_trigger(self, user_id: str, view_id: str | None = None) -> str:
        """A fresh trigger_id for an interaction by `user_id` (from inside `view_id`, if any)."""
        with self.lock:
            n = self._counters.get("trigger", 0) + 1
            self._counters["trigger"] = n
            number = 1_000_000_000 + n
            trigger_id = f"{number}.{self.workspace.created}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(trigger_id, user_id, self.clock(), view_id)
        return trigger_id

    def exchange_trigger(self, trigger_id: str) -> Trigger:
        """Use a trigger once, within three seconds; otherwise the error views.* returns."""
        with self.lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is None:
                raise SlackError("invalid_trigger_id")
            if trigger.used:
                raise SlackError("exchanged_trigger_id")
            if self.clock() - trigger.issued_at > TRIGGER_TTL:
                raise SlackError("expired_trigger_id")
            trigger.used = True
            return trigger

    # response urls ----------------------------------------------------------------------------

    def issue_response_url(
        self, kind: str, channel_id: str, user_id: str, message_ts: str | None = None
    ) -> str:
        """A fresh response_url on this server, bound to the conversation (and message)."""
        with self.lock:
            n = self._counters.get("response_url", 0) + 1
            self._counters["response_url"] = n
            key = f"{1_000_000 + n}/{secrets.token_urlsafe(18)}"
            self._response_urls[key] = ResponseUrl(
                key, kind, channel_id, user_id, self.clock(), message_ts
            )
        return f"{self.base_url}/{kind}/{self.workspace.team_id}/{key}"

    def use_response_url(self, key: str) -> ResponseUrl:
        """Spend one use of a response_url (used_url / expired_url when it has none left)."""
        with self.lock:
            found = self._response_urls.get(key)
            if found is None:
                raise SlackError("no_service")
            if self.clock() - found.issued_at > RESPONSE_URL_TTL:
                raise SlackError("expired_url")
            if found.uses >= RESPONSE_URL_USES:
                raise SlackError("used_url")
            found.uses += 1
            return found

    # socket mode ------------------------------------------------------------------------------

    def issue_ticket(self) -> str:
        """A one-time ticket for the Socket Mode URL apps.connections.open hands out."""
        ticket = secrets.token_hex(16)
        with self.lock:
            self._tickets.add(ticket)
        return ticket

    def redeem_ticket(self, ticket: str) -> bool:
        """Use a ticket once; False when it was never issued or is already spent."""
        with self.lock:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return True
        return False

    # uploads ----------------------------------------------------------------------------------

    def announce_upload(
        self,
        filename: str,
        length: int,
        *,
        alt_txt: str | None,
        snippet_type: str | None,
    ) -> Upload:
        """Register a file the app is about to upload."""
        upload = Upload(
            self.next_id("F"),
            filename,
            length,
            self.workspace.bot_user_id,
            self.now(),
            alt_txt,
            snippet_type,
        )
        with self.lock:
            self._uploads[upload.id] = upload
        return upload

    def receive_upload(self, file_id: str, data: bytes) -> Upload | None:
        """Store the bytes posted to an upload URL (None when the URL is unknown)."""
        with self.lock:
            upload = self._uploads.get(file_id)
            if upload is not None:
                upload.data = data
            return upload

    def upload(self, file_id: str) -> Upload | None:
        """An announced upload, or None."""
        with self.lock:
            return self._uploads.get(file_id)
