"""The baseline: a Bolt app that only acks /delegate, on the same ASGI layer and server."""

from __future__ import annotations

import os

import uvicorn
from slack_bolt import Ack, App

from bot.app import make_web_client
from bot.server import SlackASGI
from bot.settings import Settings


def ack_only(ack: Ack) -> None:
    """Acknowledge and do nothing else."""
    ack()


def main() -> int:
    """Serve the bare app on HOST:PORT until SIGTERM."""
    settings = Settings()
    secret = settings.slack_signing_secret
    assert secret is not None
    bolt = App(
        client=make_web_client(settings),
        signing_secret=secret.get_secret_value(),
        # BARE_PROCESS_BEFORE_RESPONSE=1 matches the bot's Bolt configuration; unset is Bolt's
        # default, where the request thread polls every 10 ms for the listener's ack.
        process_before_response=os.environ.get("BARE_PROCESS_BEFORE_RESPONSE") == "1",
    )
    bolt.command("/delegate")(ack_only)
    asgi = SlackASGI(
        bolt,
        database_is_reachable=lambda: True,
        signing_secret=secret.get_secret_value(),
        threads=settings.worker_threads,
    )
    config = uvicorn.Config(
        asgi, host=settings.host, port=settings.port, log_config=None, access_log=False
    )
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
