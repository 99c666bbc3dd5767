"""Alembic, driven from code: no alembic.ini, the migrations ship inside the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from storage.db import SQLITE_BEGIN
from storage.models import Base, UTCDateTime

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary, fixed: names the PostgreSQL advisory lock that serialises migrators.
_MIGRATION_LOCK_KEY = 0x64656C6567617465


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # The config is a ConfigParser: a literal % (as in a percent-encoded password) must be
    # doubled or interpolation fails.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def context_options(dialect_name: str) -> dict[str, Any]:
    """Options for Alembic's context, shared by env.py and `pending_diff` so both agree."""
    return {
        "target_metadata": Base.metadata,
        "compare_type": True,
        "compare_server_default": True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "render_item": render_item,
    }


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render app-specific column types as plain SQLAlchemy types in revision files."""
    # Revisions must not import application code that later changes under them; the
    # database sees a timestamptz and a VARCHAR(32) either way.
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.Enum) and not obj.native_enum:
        return f"sa.String(length={obj.length})"
    return False


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding one exclusive transaction for running migrations."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                # Instances starting together queue here; the later ones then find the
                # schema at head instead of repeating its DDL.
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
                yield connection
            return
        # IMMEDIATE for the same reason as the lock above: the writer is decided before
        # anyone reads alembic_version.
        connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        # A batch migration rebuilds a table by copy, drop and rename; with foreign keys on,
        # the drop would cascade into or be refused by referencing rows. The pragma is a
        # no-op inside a transaction, so it is set on the raw connection before BEGIN.
        _set_sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            try:
                _set_sqlite_foreign_keys(connection, enabled=True)
            except Exception:
                # Never hand a connection without foreign keys back to the pool.
                connection.invalidate()
                raise


def _set_sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration in one transaction."""
    with migration_connection(engine) as connection:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def pending_diff(engine: Engine) -> list[Any]:
    """Differences autogenerate finds between the models and the live schema; empty if none."""
    with engine.connect() as connection:
        options = context_options(connection.dialect.name)
        context = MigrationContext.configure(
            connection,
            opts={key: value for key, value in options.items() if key != "target_metadata"},
        )
        return list(compare_metadata(context, Base.metadata))
