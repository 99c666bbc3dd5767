"""Finding a PostgreSQL server for tests, and throwaway databases and schemas on it.

Outside CI a missing server skips the PostgreSQL tests with the reason; with CI=true it fails
them, because CI is where they must run.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import describe_url, normalise_database_url

DEFAULT_URLS: tuple[str, ...] = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
PROBE_TIMEOUT_SECONDS = 3


def running_in_ci() -> bool:
    """Whether the environment says this is a CI run (CI=true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def candidate_urls() -> tuple[str, ...]:
    """TEST_DATABASE_URL when set, else the local defaults (user postgres, then root)."""
    explicit = os.environ.get("TEST_DATABASE_URL", "").strip()
    return (explicit,) if explicit else DEFAULT_URLS


@functools.cache
def probe_postgres() -> tuple[str | None, str]:
    """The first candidate URL that answers SELECT 1, or None and why none did (cached)."""
    failures: list[str] = []
    for candidate in candidate_urls():
        try:
            url = normalise_database_url(candidate)
        except ValueError as exc:
            failures.append(f"{describe_url(candidate)}: {exc}")
            continue
        engine = sa.create_engine(
            url, poolclass=NullPool, connect_args={"connect_timeout": PROBE_TIMEOUT_SECONDS}
        )
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            first_line = str(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc)
            failures.append(f"{describe_url(url)}: {first_line.strip().splitlines()[0]}")
            continue
        finally:
            engine.dispose()
        return url, ""
    return None, "; ".join(failures)


def postgres_url() -> str:
    """A reachable server's URL; skips the calling test if none answers, fails it under CI."""
    url, reason = probe_postgres()
    if url is not None:
        return url
    hint = "set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432"
    if running_in_ci():
        pytest.fail(f"CI=true and no PostgreSQL answered ({reason}); {hint}", pytrace=False)
    pytest.skip(f"no PostgreSQL answered ({reason}); {hint}")


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """Create an empty, uniquely named database, yield its URL, then drop it."""
    name = f"delegate_test_{uuid.uuid4().hex[:12]}"
    # CREATE/DROP DATABASE cannot run inside a transaction; any existing database will do
    # to issue them from.
    admin = sa.create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                # FORCE: a test that leaked a connection must not leave the database behind.
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def throwaway_schema(database_url: str) -> Iterator[str]:
    """Create a uniquely named schema, yield a URL whose connections see only it, then drop it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url, poolclass=NullPool)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        # search_path in the URL itself, so every engine built from it (the app's, Alembic's,
        # a subprocess's) lands in the schema without knowing about it.
        scoped = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield scoped.render_as_string(hide_password=False)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        admin.dispose()
