"""What the app listens to, read from the app itself rather than from a list kept by hand.

The Bolt app is built with `create_app` while every listener-registering method of
`slack_bolt.App` is wrapped to note its constraints; a new `app.action("x")` anywhere in
handlers/ is therefore fuzzed without touching this suite. The count of noted registrations
is checked against the listeners the app really holds, so a listener registered some other
way (which the fuzzer could not target) fails discovery instead of going unfuzzed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr
from slack_bolt import App

from bot.app import create_app
from bot.domain.command_text import SUBCOMMANDS
from bot.settings import Settings
from sandbox.server import SandboxServer

Kind = Literal[
    "command",
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "event",
]

# Bolt's methods that add a listener, and the payload kinds each one's constraint is about.
_REGISTRARS: dict[str, tuple[Kind, ...]] = {
    "command": ("command",),
    "action": ("block_actions",),
    "block_action": ("block_actions",),
    # A view callback is fuzzed both as a submission and as a close, whichever was registered:
    # Slack sends view_closed for any modal with notify_on_close, and a forger sends it anyway.
    "view": ("view_submission", "view_closed"),
    "view_submission": ("view_submission", "view_closed"),
    "view_closed": ("view_submission", "view_closed"),
    "shortcut": ("shortcut", "message_action"),
    "global_shortcut": ("shortcut",),
    "message_shortcut": ("message_action",),
    "event": ("event",),
    "message": ("event",),
}
# Registrars whose constraints the fuzzer cannot turn into payloads yet; using one fails
# discovery (through the listener count) until this module learns it.
_UNSUPPORTED = (
    "options",
    "block_suggestion",
    "attachment_action",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "function",
    "step",
)


@dataclass(frozen=True, order=True)
class Target:
    """One thing Slack can send the app: a payload kind and the id its listener matches."""

    kind: Kind
    id: str


@dataclass
class Surface:
    """Every fuzzable target, the /delegate subcommands, and what discovery could not read."""

    targets: list[Target] = field(default_factory=list)
    subcommands: list[str] = field(default_factory=list)
    registrations: int = 0
    listeners: int = 0
    unreadable: list[str] = field(default_factory=list)

    def ids(self, kind: Kind) -> set[str]:
        """The ids discovered for one payload kind."""
        return {t.id for t in self.targets if t.kind == kind}


def _constraint_ids(method: str, constraints: Any) -> list[str] | None:
    """The literal ids a registration matches, or None when they cannot be enumerated."""
    if isinstance(constraints, str):
        if method == "message":
            return ["message"]
        return [constraints]
    if isinstance(constraints, dict):
        for key in ("action_id", "callback_id", "type"):
            value = constraints.get(key)
            if isinstance(value, str) and not (key == "type" and method not in ("event",)):
                return [value]
        return None
    if isinstance(constraints, re.Pattern) and method == "message":
        return ["message"]
    return None


@contextmanager
def _recording(noted: list[tuple[str, Any]]) -> Iterator[None]:
    """Wrap App's listener registrars so every call is noted, then restore them."""
    originals: dict[str, Callable[..., Any]] = {}
    for name in (*_REGISTRARS, *_UNSUPPORTED):
        original = getattr(App, name, None)
        if original is None:
            continue
        originals[name] = original

        def wrapper(
            self: App, *args: Any, _name: str = name, _orig: Any = original, **kwargs: Any
        ) -> Any:
            constraints = args[0] if args else kwargs.get("constraints", kwargs.get("keyword"))
            noted.append((_name, constraints))
            return _orig(self, *args, **kwargs)

        setattr(App, name, wrapper)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(App, name, original)


def discover(database_url: str = "sqlite://") -> Surface:
    """Build the app as `delegate-bot run` would (against a sandbox) and read what it registered."""
    # Bolt calls auth.test while it is built, so a workspace must answer.
    with SandboxServer() as sandbox:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=SecretStr(sandbox.workspace.bot_token),
            slack_signing_secret=SecretStr(sandbox.workspace.signing_secret),
            slack_api_url=sandbox.api_url,
            database_url=database_url,
        )
        noted: list[tuple[str, Any]] = []
        with _recording(noted):
            built = create_app(settings)
    try:
        # Bolt keeps its listeners privately; the count is all that is read from it.
        listeners = len(built.bolt._listeners)
    finally:
        built.listeners.shutdown(wait=False)
        built.sender.close()
        built.runtime.engine.dispose()
    surface = Surface(registrations=len(noted), listeners=listeners)
    found: set[Target] = set()
    for method, constraints in noted:
        ids = _constraint_ids(method, constraints) if method in _REGISTRARS else None
        if ids is None:
            surface.unreadable.append(f"app.{method}({constraints!r})")
            continue
        for kind in _REGISTRARS[method]:
            found.update(Target(kind, value) for value in ids)
    surface.targets = sorted(found)
    surface.subcommands = sorted(SUBCOMMANDS)
    return surface
