"""The Web API methods the sandbox implements, as plain functions of decoded arguments.

No HTTP here: the server decodes a request into arguments and a token, and `WebApi.call`
answers with the JSON body Slack would send.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

from sandbox import oracle
from sandbox.state import Ephemeral, SandboxState, SlackError, Trigger, Upload, assign_ids

# Form posts carry these as JSON strings; decode them so handlers and the oracle see objects.
JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "files", "file_ids"})
# Form posts carry booleans as "1"/"0"/"true"/"false" (slack_sdk sends "1"/"0").
BOOL_ARGS = frozenset(
    {
        "as_user",
        "link_names",
        "mrkdwn",
        "unfurl_links",
        "unfurl_media",
        "reply_broadcast",
        "prevent_creation",
        "return_im",
        "include_all_metadata",
        "include_locale",
        "inclusive",
        "clear_on_close",
        "notify_on_close",
    }
)
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
HISTORY_LIMIT_DEFAULT = 100
HISTORY_LIMIT_MAX = 999
# Slack's documented default and maximum for conversations.replies (internal apps; apps
# distributed outside the Marketplace get 15).
REPLIES_LIMIT_DEFAULT = 1000
REPLIES_LIMIT_MAX = 1000

Handler = Callable[["WebApi", dict[str, Any]], dict[str, Any]]


def decode_form(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Turn form fields into typed arguments; returns (arguments, problems with the encoding)."""
    args: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key in JSON_ARGS and isinstance(value, str):
            try:
                args[key] = json.loads(value)
            except json.JSONDecodeError as e:
                problems.append(f"{key}: not valid JSON ({e.msg})")
                args[key] = value
        elif key in BOOL_ARGS and isinstance(value, str) and value.lower() in _BOOL_WORDS:
            args[key] = _BOOL_WORDS[value.lower()]
        else:
            args[key] = value
    return args, problems


_BOOL_WORDS = {"1": True, "true": True, "0": False, "false": False}


def flag(args: Mapping[str, Any], name: str) -> bool:
    """A boolean argument however it was sent."""
    value = args.get(name)
    if isinstance(value, str):
        return _BOOL_WORDS.get(value.lower(), False)
    return bool(value)


def _int_arg(args: Mapping[str, Any], name: str, default: int) -> int:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise SlackError("invalid_arguments", messages=[f"[ERROR] {name} must be a number"]) from e


def _required(args: Mapping[str, Any], name: str, error: str = "invalid_arguments") -> Any:
    value = args.get(name)
    if value in (None, ""):
        raise SlackError(error, messages=[f"[ERROR] missing required field: {name}"])
    return value


def _encode_cursor(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def _decode_cursor(kind: str, cursor: str) -> str:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as e:
        raise SlackError("invalid_cursor") from e
    prefix, _, value = decoded.partition(":")
    if prefix != kind or not value:
        raise SlackError("invalid_cursor")
    return value


def refusal(method: str, args: Mapping[str, Any], problems: list[str]) -> SlackError:
    """The error real Slack answers a call with when the oracle finds problems in it."""
    messages = [f"[ERROR] {p}" for p in problems]
    if method in oracle.MESSAGE_METHODS:
        if not args.get("channel"):
            return SlackError("channel_not_found")
        content = ("text", "blocks", "attachments", "markdown_text")
        if not any(args.get(k) not in (None, "", []) for k in content):
            return SlackError("no_text")
        text = args.get("text")
        if isinstance(text, str) and len(text) > oracle.MESSAGE_TEXT_MAX:
            return SlackError("msg_too_long")
        if any("blocks" in p for p in problems):
            return SlackError("invalid_blocks", messages=messages, extra={"errors": problems})
    return SlackError("invalid_arguments", messages=messages)


class WebApi:
    """Dispatches Web API methods against the sandbox state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def methods(self) -> frozenset[str]:
        """Names of the implemented methods."""
        return frozenset(_HANDLERS)

    def authenticate(self, method: str, token: str | None) -> None:
        """Raise the error Slack gives for a missing, unknown or wrong kind of token."""
        ws = self.state.workspace
        if not token:
            raise SlackError("not_authed")
        if token == ws.bot_token:
            kind = "bot"
        elif token == ws.app_token:
            kind = "app"
        else:
            raise SlackError("invalid_auth")
        wanted = "app" if method in APP_TOKEN_METHODS else "bot"
        if kind != wanted:
            raise SlackError("not_allowed_token_type")

    def call(
        self, method: str, args: dict[str, Any], token: str | None, problems: list[str]
    ) -> dict[str, Any]:
        """Answer one call: auth first, then the oracle's verdict, then the method itself."""
        handler = _HANDLERS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        try:
            self.authenticate(method, token)
            if problems:
                raise refusal(method, args, problems)
            with self.state.lock:
                return handler(self, args)
        except SlackError as e:
            return e.body()

    # auth and users ---------------------------------------------------------------------------

    def auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        """auth.test for the bot token."""
        ws = self.state.workspace
        return {
            "ok": True,
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.info, with the time zone as of the sandbox's wall clock."""
        user = self.state.user(str(args.get("user") or ""))
        rendered = user.to_api(self.state.workspace, self.state.wall_clock())
        if flag(args, "include_locale"):
            rendered["locale"] = "en-GB"
        return {"ok": True, "user": rendered}

    def users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.list with cursor pagination (limit 0 means everyone)."""
        users = list(self.state.workspace.users)
        start = 0
        cursor = str(args.get("cursor") or "")
        if cursor:
            after = _decode_cursor("user", cursor)
            ids = [u.id for u in users]
            if after not in ids:
                raise SlackError("invalid_cursor")
            start = ids.index(after)
        limit = _int_arg(args, "limit", 0)
        end = len(users) if limit <= 0 else min(len(users), start + limit)
        at = self.state.wall_clock()
        page = [u.to_api(self.state.workspace, at) for u in users[start:end]]
        next_cursor = _encode_cursor("user", users[end].id) if end < len(users) else ""
        return {
            "ok": True,
            "members": page,
            "cache_ts": int(at),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # conversations ----------------------------------------------------------------------------

    def conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.open for a DM (D...) or group DM (G...)."""
        state = self.state
        users = str(args.get("users") or "")
        channel = str(args.get("channel") or "")
        if users:
            channel_id, already = state.open_dm([u.strip() for u in users.split(",") if u.strip()])
        elif channel:
            if state.workspace.channel(channel) is not None:
                raise SlackError("method_not_supported_for_channel_type")
            if not state.members_of(channel):
                raise SlackError("channel_not_found")
            channel_id, already = channel, True
        else:
            raise SlackError("users_list_not_supplied")
        body: dict[str, Any] = {"ok": True}
        if already:
            body.update({"no_op": True, "already_open": True})
        if flag(args, "return_im") and channel_id.startswith("D"):
            body["channel"] = state.dm_object(channel_id)
        else:
            body["channel"] = {"id": channel_id}
        return body

    def conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.info: a channel's details, with whether the bot is a member."""
        state = self.state
        ws = state.workspace
        channel_id = str(args.get("channel") or "")
        channel = ws.channel(channel_id)
        if channel is None:
            if channel_id.startswith("D") and state.members_of(channel_id):
                return {"ok": True, "channel": state.dm_object(channel_id)}
            raise SlackError("channel_not_found")
        is_member = ws.bot_user_id in channel.members
        if channel.is_private and not is_member:
            # Private channels are invisible to a bot that is not in them.
            raise SlackError("channel_not_found")
        return {
            "ok": True,
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "name_normalized": channel.name,
                "is_channel": not channel.is_private,
                "is_group": channel.is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": channel.is_private,
                "is_archived": channel.is_archived,
                "is_general": channel.name == "general",
                "is_member": is_member,
                "created": ws.created,
                "creator": ws.lead.id,
                "topic": {"value": channel.topic, "creator": "", "last_set": 0},
                "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
            },
        }

    def chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.getPermalink for a stored message."""
        channel_id = str(args.get("channel") or "")
        ts = str(args.get("message_ts") or "")
        if self.state.workspace.channel(channel_id) is None and not self.state.members_of(
            channel_id
        ):
            raise SlackError("channel_not_found")
        if self.state.find_message(channel_id, ts) is None:
            raise SlackError("message_not_found")
        permalink = (
            f"https://{self.state.workspace.domain}.slack.com/archives/{channel_id}/"
            f"p{ts.replace('.', '')}"
        )
        return {"ok": True, "channel": channel_id, "permalink": permalink}

    def _readable(self, channel: str) -> str:
        state = self.state
        ws = state.workspace
        if ws.channel(channel) is not None:
            if ws.bot_user_id not in state.members_of(channel):
                raise SlackError("not_in_channel")
            return channel
        if state.members_of(channel):
            return channel
        raise SlackError("channel_not_found")

    def conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history, newest first; metadata only with include_all_metadata."""
        channel_id = self._readable(str(args.get("channel") or ""))
        messages = [
            m
            for m in self.state.messages(channel_id)
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        messages.reverse()
        inclusive = flag(args, "inclusive")
        latest = args.get("latest")
        oldest = args.get("oldest")
        if latest:
            messages = [m for m in messages if _ts_before(m["ts"], str(latest), inclusive)]
        if oldest:
            messages = [m for m in messages if _ts_before(str(oldest), m["ts"], inclusive)]
        cursor = str(args.get("cursor") or "")
        if cursor:
            start_ts = _decode_cursor("next_ts", cursor)
            messages = [m for m in messages if ts_key(m["ts"]) <= ts_key(start_ts)]
        limit = _int_arg(args, "limit", HISTORY_LIMIT_DEFAULT)
        limit = HISTORY_LIMIT_DEFAULT if limit <= 0 else min(limit, HISTORY_LIMIT_MAX)
        page, rest = messages[:limit], messages[limit:]
        if not flag(args, "include_all_metadata"):
            for message in page:
                message.pop("metadata", None)
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(rest),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {
                "next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""
            },
        }

    def conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies: the thread's parent first, then its replies oldest first.

        Like Slack, `ts` may be the parent's or any reply's, oldest/latest bound the replies
        only (the parent always leads the first page), and later pages hold replies alone.
        """
        channel_id = self._readable(str(args.get("channel") or ""))
        ts = str(_required(args, "ts"))
        thread = self.state.thread(channel_id, ts)
        if thread is None:
            raise SlackError("thread_not_found")
        parent, replies = thread[0], thread[1:]
        inclusive = flag(args, "inclusive")
        latest = args.get("latest")
        oldest = args.get("oldest")
        try:
            if latest:
                replies = [m for m in replies if _ts_before(m["ts"], str(latest), inclusive)]
        except SlackError as e:
            raise SlackError("invalid_ts_latest") from e
        try:
            if oldest:
                replies = [m for m in replies if _ts_before(str(oldest), m["ts"], inclusive)]
        except SlackError as e:
            raise SlackError("invalid_ts_oldest") from e
        limit = _int_arg(args, "limit", REPLIES_LIMIT_DEFAULT)
        limit = REPLIES_LIMIT_DEFAULT if limit <= 0 else min(limit, REPLIES_LIMIT_MAX)
        cursor = str(args.get("cursor") or "")
        if cursor:
            start_ts = _decode_cursor("next_ts", cursor)
            page = [m for m in replies if ts_key(m["ts"]) >= ts_key(start_ts)]
        else:
            page = [parent, *replies]
        page, rest = page[:limit], page[limit:]
        if not flag(args, "include_all_metadata"):
            for message in page:
                message.pop("metadata", None)
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(rest),
            "response_metadata": {
                "next_cursor": _encode_cursor("next_ts", rest[0]["ts"]) if rest else ""
            },
        }

    # chat -------------------------------------------------------------------------------------

    def chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.postMessage as the bot."""
        state = self.state
        channel_id = state.resolve_conversation(
            str(_required(args, "channel", "channel_not_found"))
        )
        ts = state.next_ts()
        thread_ts = args.get("thread_ts") or None
        message = state.bot_message(
            ts=ts,
            text=str(args.get("text") or args.get("markdown_text") or ""),
            blocks=args.get("blocks"),
            metadata=args.get("metadata"),
            thread_ts=str(thread_ts) if thread_ts else None,
        )
        if thread_ts and flag(args, "reply_broadcast"):
            message["subtype"] = "thread_broadcast"
        if args.get("attachments"):
            message["attachments"] = args["attachments"]
        state.store_message(channel_id, message)
        return {"ok": True, "channel": channel_id, "ts": ts, "message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.postEphemeral: recorded, never in history."""
        state = self.state
        channel_id = state.resolve_conversation(
            str(_required(args, "channel", "channel_not_found"))
        )
        user = state.user(str(args.get("user") or ""))
        if user.deleted or user.id not in state.members_of(channel_id):
            raise SlackError("user_not_in_channel")
        ts = state.next_ts()
        message = state.bot_message(
            ts=ts,
            text=str(args.get("text") or args.get("markdown_text") or ""),
            blocks=args.get("blocks"),
            thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
        )
        state.add_ephemeral(Ephemeral(channel_id, user.id, message, "chat.postEphemeral"))
        return {"ok": True, "message_ts": ts}

    def _own_message(self, args: dict[str, Any], refused: str) -> tuple[str, dict[str, Any]]:
        state = self.state
        channel_id = state.resolve_conversation(
            str(_required(args, "channel", "channel_not_found"))
        )
        message = state.find_message(channel_id, str(args.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != state.workspace.bot_id:
            raise SlackError(refused)
        return channel_id, message

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.update; blocks and metadata are kept unless replaced, like Slack."""
        state = self.state
        channel_id, message = self._own_message(args, "cant_update_message")
        if "text" in args or "markdown_text" in args:
            message["text"] = str(args.get("text") or args.get("markdown_text") or "")
        if "blocks" in args:
            message["blocks"] = assign_ids(list(args["blocks"] or []), state.next_ts())
        if "attachments" in args:
            message["attachments"] = args["attachments"]
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": state.workspace.bot_user_id, "ts": state.next_ts()}
        shown = copy.deepcopy(message)
        shown.pop("ts", None)
        return {
            "ok": True,
            "channel": channel_id,
            "ts": message["ts"],
            "text": message["text"],
            "message": shown,
        }

    def chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.delete of one of the bot's messages."""
        channel_id, message = self._own_message(args, "cant_delete_message")
        self.state.delete_message(channel_id, message["ts"])
        return {"ok": True, "channel": channel_id, "ts": message["ts"]}

    # views ------------------------------------------------------------------------------------

    def _trigger(self, args: dict[str, Any]) -> Trigger:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise SlackError("invalid_arguments", messages=["[ERROR] missing trigger_id"])
        return self.state.exchange_trigger(str(trigger_id))

    def views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.open with a trigger_id that is fresh and unused."""
        trigger = self._trigger(args)
        return {"ok": True, "view": self.state.views.open_modal(trigger.user_id, args["view"])}

    def views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.push onto the stack of the modal the trigger came from."""
        trigger = self._trigger(args)
        return {"ok": True, "view": self.state.views.push_modal(trigger, args["view"])}

    def views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.update by view_id or external_id, honouring hash."""
        view_id = args.get("view_id") or None
        external_id = args.get("external_id") or None
        if view_id is None and external_id is None:
            raise SlackError(
                "invalid_arguments", messages=["[ERROR] either view_id or external_id is required"]
            )
        current = self.state.views.find(
            view_id=str(view_id) if view_id else None,
            external_id=str(external_id) if external_id else None,
        )
        expected = str(args["hash"]) if args.get("hash") else None
        return {"ok": True, "view": self.state.views.update(current, args["view"], expected)}

    def views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.publish of a user's Home tab."""
        user = self.state.user(str(args.get("user_id") or ""))
        view = args["view"]
        if view.get("type") != "home":
            raise SlackError("invalid_arguments", messages=["[ERROR] view type must be home"])
        expected = str(args["hash"]) if args.get("hash") else None
        return {"ok": True, "view": self.state.views.publish_home(user.id, view, expected)}

    # socket mode ------------------------------------------------------------------------------

    def apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """apps.connections.open: a one-time WebSocket URL on this server."""
        state = self.state
        ws_base = "ws" + state.base_url.removeprefix("http")
        ticket = state.issue_ticket()
        return {
            "ok": True,
            "url": f"{ws_base}/link/?ticket={ticket}&app_id={state.workspace.app_id}",
        }

    # files ------------------------------------------------------------------------------------

    def files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: announce a file and get where to post its bytes."""
        filename = str(_required(args, "filename"))
        length = _int_arg(args, "length", 0)
        if length <= 0:
            raise SlackError("invalid_arguments", messages=["[ERROR] length must be positive"])
        upload = self.state.announce_upload(
            filename,
            length,
            alt_txt=args.get("alt_txt") or None,
            snippet_type=args.get("snippet_type") or None,
        )
        return {
            "ok": True,
            "upload_url": f"{self.state.base_url}/upload/v1/{upload.id}",
            "file_id": upload.id,
        }

    def files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: finish uploads and optionally share them in a channel."""
        state = self.state
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments", messages=["[ERROR] files must be a JSON array"])
        channels: list[str] = []
        if args.get("channel_id"):
            channels.append(state.resolve_conversation(str(args["channel_id"])))
        for name in str(args.get("channels") or "").split(","):
            if name.strip():
                channels.append(state.resolve_conversation(name.strip()))
        files: list[dict[str, Any]] = []
        for entry in entries:
            upload = state.upload(str(entry.get("id") if isinstance(entry, dict) else ""))
            if upload is None or upload.data is None:
                raise SlackError("file_not_found")
            upload.title = str(entry.get("title") or upload.filename)
            upload.shared_to.extend(channels)
            files.append(_file_object(state, upload))
        for channel_id in channels:
            ts = state.next_ts()
            message = state.bot_message(
                ts=ts,
                text=str(args.get("initial_comment") or ""),
                blocks=args.get("blocks"),
                thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
                files=copy.deepcopy(files),
            )
            state.store_message(channel_id, message)
        return {"ok": True, "files": files}


def _file_object(state: SandboxState, upload: Upload) -> dict[str, Any]:
    ws = state.workspace
    extension = upload.filename.rpartition(".")[2] if "." in upload.filename else "text"
    url = f"{state.base_url}/files/{ws.team_id}/{upload.id}/{upload.filename}"
    return {
        "id": upload.id,
        "created": upload.created,
        "timestamp": upload.created,
        "name": upload.filename,
        "title": upload.title,
        "mimetype": "application/octet-stream",
        "filetype": extension,
        "pretty_type": extension.upper(),
        "user": upload.user_id,
        "user_team": ws.team_id,
        "editable": False,
        "size": len(upload.data or b""),
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": any(c.startswith("C") for c in upload.shared_to),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": url,
        "url_private_download": url + "?download=1",
        "permalink": f"https://{ws.domain}.slack.com/files/{upload.user_id}/{upload.id}",
        "alt_txt": upload.alt_txt,
        "channels": [c for c in upload.shared_to if c.startswith("C")],
        "groups": [c for c in upload.shared_to if c.startswith("G")],
        "ims": [c for c in upload.shared_to if c.startswith("D")],
        "comments_count": 0,
    }


def ts_key(ts: str) -> tuple[int, int]:
    """Order message timestamps exactly (floats lose the microseconds)."""
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds or 0), int((fraction + "000000")[:6])
    except ValueError as e:
        raise SlackError("invalid_ts_latest") from e


def _ts_before(earlier: str, later: str, inclusive: bool) -> bool:
    a, b = ts_key(earlier), ts_key(later)
    return a <= b if inclusive else a < b


_HANDLERS: dict[str, Handler] = {
    "auth.test": WebApi.auth_test,
    "users.info": WebApi.users_info,
    "users.list": WebApi.users_list,
    "conversations.open": WebApi.conversations_open,
    "conversations.history": WebApi.conversations_history,
    "conversations.replies": WebApi.conversations_replies,
    "conversations.info": WebApi.conversations_info,
    "chat.getPermalink": WebApi.chat_get_permalink,
    "chat.postMessage": WebApi.chat_post_message,
    "chat.postEphemeral": WebApi.chat_post_ephemeral,
    "chat.update": WebApi.chat_update,
    "chat.delete": WebApi.chat_delete,
    "views.open": WebApi.views_open,
    "views.push": WebApi.views_push,
    "views.update": WebApi.views_update,
    "views.publish": WebApi.views_publish,
    "apps.connections.open": WebApi.apps_connections_open,
    "files.getUploadURLExternal": WebApi.files_get_upload_url_external,
    "files.completeUploadExternal": WebApi.files_complete_upload_external,
}
