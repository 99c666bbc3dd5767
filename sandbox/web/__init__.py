"""The browser client of the local workspace: a page and the small JSON API it calls."""

from sandbox.web.routes import BrowserClient, Clockwork, CommandHint

__all__ = ["BrowserClient", "Clockwork", "CommandHint"]
