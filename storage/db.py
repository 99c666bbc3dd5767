"""Engine and session handling: one engine per process, short-lived sessions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

# Execution option naming how an SQLite transaction begins. The outbox sweep asks for
# "IMMEDIATE" so that its claim takes the write lock up front, instead of failing with
# SQLITE_BUSY when a deferred read transaction later tries to upgrade to a write:
#     session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})  # first call
# Ignored on PostgreSQL.
SQLITE_BEGIN = "sqlite_begin"
_SQLITE_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})

_SQLITE_BUSY_TIMEOUT_MS = 5000
_PG_CONNECT_TIMEOUT_S = 10
_SUPPORTED = "sqlite:///path/to/file.sqlite3 or postgresql://user:password@host:5432/dbname"


def normalise_database_url(url: str) -> str:
    """Return the URL with PostgreSQL schemes mapped to psycopg 3; raise ValueError if unusable."""
    text = url.strip()
    if not text:
        raise ValueError(f"database URL is empty; expected {_SUPPORTED}")
    try:
        parsed = make_url(text)
    except ArgumentError:
        # The text may hold a password, so it is not echoed back.
        raise ValueError(f"database URL could not be parsed; expected {_SUPPORTED}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise ValueError(
                f"SQLite driver {driver!r} is not supported; use sqlite:///path/to/file.sqlite3"
            )
        return text
    if backend in ("postgres", "postgresql"):
        if driver not in ("", "psycopg"):
            raise ValueError(
                f"PostgreSQL driver {driver!r} is not installed; use postgresql:// "
                "(psycopg 3 is used)"
            )
        if not parsed.database:
            raise ValueError(
                f"PostgreSQL URL names no database: {parsed.render_as_string(hide_password=True)}"
            )
        # Rewrite the scheme only, so the rest (escapes, query options) stays as given.
        _, _, rest = text.partition("://")
        return f"postgresql+psycopg://{rest}"
    raise ValueError(f"database backend {backend!r} is not supported; expected {_SUPPORTED}")


def make_engine(url: str) -> Engine:
    """Create the process's engine, with SQLite made safe for concurrent use."""
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed)
        _configure_sqlite(engine)
        return engine
    # libpq waits forever for an unreachable host unless told; a URL's own value wins.
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = _PG_CONNECT_TIMEOUT_S
    return sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # The legacy sqlite3 module only begins transactions before DML and never before
        # SELECT or DDL; taking BEGIN over (below) makes reads repeatable, DDL transactional,
        # and lets a caller ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
            # Safe with WAL: a power cut may lose the last commits but never corrupts.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = str(connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")).upper()
        if mode not in _SQLITE_BEGIN_MODES:
            raise ValueError(f"{SQLITE_BEGIN} must be one of {sorted(_SQLITE_BEGIN_MODES)}")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(
    engine: Engine, *, sqlite_begin: str | None = None
) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    # On SQLite a transaction that reads and then writes fails at once with "database is
    # locked" if another connection committed in between (its snapshot is stale and
    # busy_timeout does not apply); sqlite_begin="IMMEDIATE" trades that for waiting.
    options = {SQLITE_BEGIN: sqlite_begin} if sqlite_begin else {}
    return sessionmaker(bind=engine, expire_on_commit=False, execution_options=options)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_is_reachable(engine: Engine, timeout_seconds: float = 2.0) -> bool:
    """Whether SELECT 1 succeeds within the timeout; never raises."""
    outcome: list[bool] = []

    def probe() -> None:
        try:
            with engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    # The server abandons the query too, not only this caller.
                    millis = max(1, int(timeout_seconds * 1000))
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {millis}")
                connection.execute(sa.text("SELECT 1")).scalar_one()
            outcome.append(True)
        except Exception as exc:
            # The class only: driver messages can quote the URL.
            log.warning("database is not reachable: %s", type(exc).__name__)
            outcome.append(False)

    # A thread bounds the wait even when the pool is exhausted or the network hangs;
    # daemon, so a stuck probe cannot hold up interpreter exit.
    worker = threading.Thread(target=probe, name="database-probe", daemon=True)
    worker.start()
    worker.join(timeout_seconds)
    return bool(outcome) and outcome[0]


def describe_url(url: str | URL) -> str:
    """The URL with any password masked, for logs and messages."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparsable database URL>"
    return parsed.render_as_string(hide_password=True)
