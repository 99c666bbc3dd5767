"""`delegate-bot`: run, migrate, manifest, sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import uvicorn
from pydantic import ValidationError
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.app import BotApp, create_app
from bot.local import DEFAULT_WEB_PORT, banner, start_workspace
from bot.logs import configure_logging, redact
from bot.manifest import build_manifest
from bot.server import SlackASGI
from bot.settings import Settings, describe_errors
from sandbox.__main__ import main as sandbox_main
from storage.db import database_is_reachable, make_engine
from storage.migrate import current_revision, head_revision, pending_diff, upgrade_to_head

EXIT_CONFIG = 2

logger = logging.getLogger("bot.cli")
socket_logger = logging.getLogger("bot.socket")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["sandbox"]:
        # The sandbox has its own options; argparse would swallow them here.
        return sandbox_main(arguments[1:])
    args = _parser().parse_args(arguments)
    command: str = args.command or "run"
    if command == "manifest":
        return _manifest(args.url, args.name)
    settings = _load_settings()
    if settings is None:
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    if command == "migrate":
        return _migrate(settings, check=args.check)
    # `delegate-bot` alone means `run` without its options.
    local: bool = getattr(args, "local", False)
    if local or settings.has_no_credentials():
        return _run_local(settings, web_port=getattr(args, "web_port", DEFAULT_WEB_PORT))
    return _run(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="delegate-bot", description="Delegate work in Slack: brief, confirm, follow up."
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser(
        "run",
        help="run the bot (Socket Mode or HTTP, from the environment; "
        "with no Slack credentials, the local workspace)",
    )
    run.add_argument(
        "--local",
        action="store_true",
        help="run against the built-in sandbox workspace, with a page to use it in a browser",
    )
    run.add_argument(
        "--web-port",
        type=int,
        default=DEFAULT_WEB_PORT,
        help=f"local mode: port of the sandbox and its page (default {DEFAULT_WEB_PORT})",
    )
    migrate = commands.add_parser("migrate", help="upgrade the database to the latest schema")
    migrate.add_argument("--check", action="store_true", help="only report pending migrations")
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument(
        "--url",
        help="public base URL for HTTP mode, e.g. https://bot.example.com (omit for Socket Mode)",
    )
    manifest.add_argument("--name", default="Delegate", help="the app's display name")
    commands.add_parser(
        "sandbox", help="run the local fake Slack workspace (see `delegate-bot sandbox --help`)"
    )
    return parser


def _load_settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as error:
        print("delegate-bot: invalid configuration:", file=sys.stderr)
        for line in describe_errors(error):
            print(f"  {line}", file=sys.stderr)
        return None


def _manifest(url: str | None, name: str) -> int:
    print(json.dumps(build_manifest(request_base_url=url, name=name), indent=2))
    return 0


def _migrate(settings: Settings, *, check: bool) -> int:
    engine = make_engine(settings.database_url)
    try:
        if check:
            behind = current_revision(engine) != head_revision()
            diff = [] if behind else pending_diff(engine)
            if behind or diff:
                print("The database needs `delegate-bot migrate`.", file=sys.stderr)
                return 1
            print("The database is up to date.")
            return 0
        upgrade_to_head(engine)
        print(f"Database at revision {current_revision(engine)}.")
        return 0
    finally:
        engine.dispose()


def _run(settings: Settings) -> int:
    missing = settings.missing_credentials()
    if missing:
        print("delegate-bot: cannot start; missing configuration:", file=sys.stderr)
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        print(
            "  Put them in the environment or a .env file. To try the bot without Slack, run "
            "`delegate-bot run --local`.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    engine = make_engine(settings.database_url)
    if not _schema_ready(engine):
        return EXIT_CONFIG
    with _sdk_quiet():
        try:
            bot = create_app(settings, engine=engine)
        except BoltError as error:
            print(_refused(settings, error), file=sys.stderr)
            return EXIT_CONFIG
        except OSError as error:  # urllib's URLError, a timeout, DNS: Slack is not reachable
            print(_unreachable(settings, error), file=sys.stderr)
            return EXIT_CONFIG
        socket_handler: SocketModeHandler | None = None
        if settings.socket_mode:
            opened = _open_socket(bot, settings)
            if isinstance(opened, str):
                bot.stop()
                print(opened, file=sys.stderr)
                return EXIT_CONFIG
            socket_handler = opened
    return _serve(bot, settings, socket_handler)


@contextmanager
def _sdk_quiet() -> Iterator[None]:
    """While starting, the SDK's own ERROR lines and retries are held back.

    A failure here is reported as one line that names the variable; the SDK would add a
    handful of lines (and Socket Mode a traceback) saying the same less clearly. Once
    running, its lines are wanted again: they explain reconnects and failed sends.
    """
    quieted = [logging.getLogger("slack_sdk"), socket_logger]
    levels = [each.level for each in quieted]
    for each in quieted:
        each.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for each, level in zip(quieted, levels, strict=True):
            each.setLevel(level)


def _refused(settings: Settings, error: BoltError) -> str:
    """auth.test failed: a wrong token, or SLACK_API_URL is not Slack's Web API at all."""
    cause = error.__cause__
    if isinstance(cause, SlackApiError) and cause.response.status_code != 200:
        return (
            f"delegate-bot: SLACK_API_URL {settings.slack_api_url} does not answer like Slack's "
            f"Web API (auth.test: HTTP {cause.response.status_code})"
        )
    return (
        "delegate-bot: Slack refused the credentials: SLACK_BOT_TOKEN "
        f"({redact(str(error))}); use the Bot User OAuth Token from OAuth & Permissions"
    )


def _unreachable(settings: Settings, error: OSError) -> str:
    """One line naming the address that did not answer and why, from the network error."""
    reason: object = getattr(error, "reason", None) or error
    detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
    return (
        f"delegate-bot: cannot reach Slack's Web API at {settings.slack_api_url} "
        f"(SLACK_API_URL): {redact(str(detail) or type(reason).__name__)}"
    )


def _open_socket(bot: BotApp, settings: Settings) -> SocketModeHandler | str:
    """Connect to Slack over Socket Mode before serving, or say in one line why not."""
    assert settings.slack_app_token is not None
    token = settings.slack_app_token.get_secret_value()
    handler = SocketModeHandler(bot.bolt, token, logger=socket_logger)
    client = handler.client
    problem: str | None = None
    try:
        # apps.connections.open is called here rather than inside connect() so a refusal
        # arrives as an answer to read, not as a logged traceback.
        client.wss_uri = client.web_client.apps_connections_open(app_token=token)["url"]
        handler.connect()  # type: ignore[no-untyped-call]
        if not client.is_connected():
            problem = (
                "delegate-bot: Slack's Socket Mode server did not accept the connection "
                f"(from apps.connections.open at {settings.slack_api_url}, SLACK_API_URL)"
            )
    except SlackApiError as error:
        problem = (
            "delegate-bot: Slack refused the credentials: SLACK_APP_TOKEN "
            f"(apps.connections.open: {redact(str(error.response.get('error')))}); use an "
            "App-Level Token with connections:write from Basic Information"
        )
    except OSError as error:
        problem = _unreachable(settings, error)
    if problem is None:
        logger.info("Socket Mode: connected to Slack")
        return handler
    handler.close()  # type: ignore[no-untyped-call]
    return problem


def _run_local(settings: Settings, *, web_port: int) -> int:
    """The bot against the sandbox workspace and its browser client, sharing a movable clock."""
    try:
        local = start_workspace(settings, web_port=web_port)
    except OSError as error:
        print(
            f"delegate-bot: cannot listen on {settings.host}:{web_port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    try:
        engine = make_engine(local.settings.database_url)
        if not _schema_ready(engine):
            return EXIT_CONFIG
        # The movable clock goes to this bot only; _run never passes one.
        bot = create_app(local.settings, engine=engine, clock=local.clock.utc)
        local.clockwork.bot = bot
        print(banner(local), flush=True)
        return _serve(bot, local.settings, None)
    finally:
        local.stop()


def _schema_ready(engine: Engine) -> bool:
    if not database_is_reachable(engine):
        print(
            f"delegate-bot: cannot reach the database at {engine.url.render_as_string()}",
            file=sys.stderr,
        )
        return False
    if engine.dialect.name == "sqlite":
        upgrade_to_head(engine)
        return True
    if current_revision(engine) != head_revision():
        print(
            "delegate-bot: the database schema is not current; run `delegate-bot migrate` first.",
            file=sys.stderr,
        )
        return False
    return True


def _serve(bot: BotApp, settings: Settings, socket_handler: SocketModeHandler | None) -> int:
    """Serve /healthz (and /slack/events in HTTP mode) until SIGTERM or SIGINT."""

    def start() -> None:
        bot.start_background_work()

    def stop() -> None:
        if socket_handler is not None:
            socket_handler.close()  # type: ignore[no-untyped-call]
        bot.stop()

    engine = bot.runtime.engine
    secret = settings.slack_signing_secret
    asgi = SlackASGI(
        bot.bolt,
        database_is_reachable=lambda: database_is_reachable(engine),
        signing_secret=secret.get_secret_value() if secret and not socket_handler else None,
        clock=lambda: bot.runtime.clock().timestamp(),
        on_startup=start,
        on_shutdown=stop,
        threads=settings.worker_threads,
        serve_events=socket_handler is None,
        slack_is_connected=socket_handler.client.is_connected if socket_handler else None,
    )
    config = uvicorn.Config(
        asgi,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) or None,
    )
    server = uvicorn.Server(config)
    received: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    # Uvicorn re-raises the stop signal once it has shut down gracefully; these handlers
    # receive it, so a clean SIGTERM ends with exit code 0 instead of death by signal.
    signal.signal(signal.SIGTERM, remember)
    signal.signal(signal.SIGINT, remember)
    mode = "Socket Mode" if socket_handler else "HTTP mode (POST /slack/events)"
    logger.info("%s; health at http://%s:%d/healthz", mode, settings.host, settings.port)
    server.run()
    if not server.started and socket_handler is not None:
        socket_handler.close()  # type: ignore[no-untyped-call]  # e.g. the port was taken
    return 0 if server.started else 1


if __name__ == "__main__":
    raise SystemExit(main())
