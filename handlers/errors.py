"""One place for what goes wrong while handling a request.

Bolt hands exceptions from ack functions and middleware to `app.error`; exceptions from
lazy listeners it only logs, so those go through GuardedLazyRunner to the same report().
Each failure is logged as ONE line with the request's ids: WARNING when the request was at
fault (malformed, stale, an expired trigger, Slack refusing for a reason outside the code),
ERROR when the code was. Slack gets a non-5xx answer, and the person hears privately when
they can be identified.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import ThreadLazyListenerRunner
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk.errors import SlackApiError

from bot.views.errors import (
    failed_modal,
    failed_text,
    slack_refused_text,
    try_again_text,
    unreadable_request_text,
)
from handlers.payload import SLACK_USER_ID, MalformedPayload, channel_of, mapping
from handlers.shape import problem
from handlers.tenancy import Home, foreign

logger = logging.getLogger("bot.errors")

# views.open and views.push refuse a trigger older than 3 seconds or used twice.
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"})
# Slack errors caused by the request or by Slack itself, not by the bot's code.
OUTSIDE_ERRORS = TRIGGER_ERRORS | frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "hash_conflict",
        "not_found",
        "view_not_found",
        "user_not_visible",
        "cannot_dm_bot",
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


def describe(body: dict[str, Any]) -> str:
    """The request's ids for a log line (team, user, kind and which action/callback/command)."""
    user = mapping(body.get("user"))
    team = mapping(body.get("team"))
    parts = {
        "team": team.get("id") or body.get("team_id") or user.get("team_id"),
        "user": user.get("id") or body.get("user_id") or mapping(body.get("event")).get("user"),
    }
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    parts["type"] = kind
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else {}
        parts["action_id"] = mapping(first).get("action_id")
    elif kind in ("view_submission", "view_closed"):
        parts["callback_id"] = mapping(body.get("view")).get("callback_id")
    elif kind in ("shortcut", "message_action"):
        parts["callback_id"] = body.get("callback_id")
    elif kind == "command":
        parts["command"] = body.get("command")
    elif kind == "event_callback":
        parts["event"] = mapping(body.get("event")).get("type")
    # repr() keeps a hostile value on one line; the cut keeps the line short.
    return " ".join(f"{key}={_short(value)}" for key, value in parts.items())


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:60]) if not text.isascii() or not text.isprintable() else text[:60]


def _where(error: BaseException) -> str:
    """The innermost frame of our own code, as file:line, for the one-line bug report."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "site-packages" not in f.filename] or frames
    if not ours:
        return "?"
    path = Path(ours[-1].filename)
    return f"{path.parent.name}/{path.name}:{ours[-1].lineno}"


def classify(error: Exception, body: dict[str, Any]) -> tuple[int, str, str]:
    """(log level, what happened, what to tell the person) for an exception."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "unknown")
        level = logging.WARNING if code in OUTSIDE_ERRORS else logging.ERROR
        told = try_again_text() if code in TRIGGER_ERRORS else slack_refused_text()
        return level, f"Slack answered {code}", told
    if isinstance(error, MalformedPayload):
        return logging.WARNING, f"Malformed request: {error}", unreadable_request_text()
    shape = problem(body)
    if shape is not None:
        return logging.WARNING, f"Malformed request: {shape}", unreadable_request_text()
    return (
        logging.ERROR,
        f"Failed: {type(error).__name__}: {_short(str(error))} at {_where(error)}",
        failed_text(),
    )


class Reporter:
    """Logs a failure once, tells the person privately, and picks Slack's answer."""

    def __init__(self, home: Home) -> None:
        self.home = home

    def on_error(
        self, error: Exception, request: BoltRequest, response: BoltResponse | None
    ) -> BoltResponse | None:
        """Bolt's global error handler (ack functions and middleware)."""
        body = request.body if isinstance(request.body, dict) else {}
        if isinstance(error, BoltUnhandledRequestError):
            # No listener for it: an event type we don't use, or an id not from our views.
            level = logging.INFO if body.get("type") == "event_callback" else logging.WARNING
            logger.log(level, "No listener for this request (%s)", describe(body))
            status = 200 if body.get("type") == "event_callback" else 404
            return BoltResponse(status=status, body="")
        level, what, told = classify(error, body)
        logger.log(level, "%s (%s)", what, describe(body))
        kind = body.get("type")
        if kind is None and "command" in body:
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": told})
        if kind == "view_submission":
            return BoltResponse(status=200, body=_view_answer(body, told))
        if kind != "event_callback":
            self.tell(request, told)
        return BoltResponse(status=200, body="")

    def on_lazy_error(self, error: Exception, request: BoltRequest) -> None:
        """A lazy listener failed after Slack had its answer: log once, tell privately."""
        body = request.body if isinstance(request.body, dict) else {}
        level, what, told = classify(error, body)
        logger.log(level, "%s (%s)", what, describe(body))
        if body.get("type") != "event_callback":
            self.tell(request, told)

    def tell(self, request: BoltRequest, text: str) -> None:
        """An ephemeral note to the person, if they are identifiable and in our workspace."""
        body = request.body if isinstance(request.body, dict) else {}
        if foreign(body, self.home) is not None:
            return
        user = mapping(body.get("user")).get("id") or body.get("user_id")
        if not isinstance(user, str) or not SLACK_USER_ID.fullmatch(user):
            return
        try:
            respond = request.context.respond
            if respond is not None and request.context.response_url:
                respond(text=text, response_type="ephemeral", replace_original=False)
                return
            client = request.context.client
            if client is not None:
                client.chat_postEphemeral(channel=channel_of(body) or user, user=user, text=text)
        except Exception as failure:  # telling is best effort; the failure is already logged
            logger.debug("Could not tell %s: %s", user, type(failure).__name__)


def _view_answer(body: dict[str, Any], text: str) -> dict[str, Any]:
    """Keep the modal open with an inline error on its first input (nothing typed is lost)."""
    view = mapping(body.get("view"))
    blocks = view.get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        if mapping(block).get("type") == "input" and isinstance(block.get("block_id"), str):
            return {"response_action": "errors", "errors": {block["block_id"]: text}}
    return {"response_action": "update", "view": failed_modal(text)}


class GuardedLazyRunner(ThreadLazyListenerRunner):
    """Bolt's lazy runner, with failures reported by Reporter instead of Bolt's bare ERROR."""

    def __init__(
        self,
        logger: logging.Logger,
        executor: Executor,
        on_error: Callable[[Exception, BoltRequest], None],
    ) -> None:
        super().__init__(logger=logger, executor=executor)
        self._on_error = on_error

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        """Run `function` on the listener pool."""
        self.executor.submit(self._runnable(function, request))

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        """Run `function` here."""
        self._runnable(function, request)()

    def _runnable(self, function: Callable[..., None], request: BoltRequest) -> Callable[[], None]:
        names = get_arg_names_of_callable(function)

        def run() -> None:
            try:
                function(
                    **build_required_kwargs(
                        logger=self.logger,
                        required_arg_names=names,
                        request=request,
                        response=None,
                        this_func=function,
                    )
                )
            except Exception as error:
                self._on_error(error, request)

        return run


def register(app: App, home: Home) -> None:
    """Route every listener and middleware failure through one Reporter."""
    reporter = Reporter(home)
    app.error(reporter.on_error)
    runner = app.listener_runner
    runner.lazy_listener_runner = GuardedLazyRunner(
        logger=runner.logger, executor=runner.listener_executor, on_error=reporter.on_lazy_error
    )
