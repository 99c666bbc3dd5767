"""Migrations reach head on both backends and match the models exactly."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    migration_connection,
    pending_diff,
    upgrade_to_head,
)
from storage.models import Base

POSTGRES_IDENTIFIER_LIMIT = 63


def test_upgrade_reaches_head_and_autogenerate_finds_no_difference(engine: Engine) -> None:
    assert current_revision(engine) is None
    assert pending_diff(engine)  # an empty database differs from the models

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision() is not None
    assert pending_diff(engine) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()


def test_pending_diff_notices_drift(migrated_engine: Engine) -> None:
    expected = {"remove_column", "remove_index"}
    with migrated_engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE people ADD COLUMN nickname VARCHAR(20)")
        connection.exec_driver_sql("CREATE INDEX ix_stray ON tasks (title)")
        if connection.dialect.name == "postgresql":  # SQLite cannot alter a column in place
            connection.exec_driver_sql("ALTER TABLE tasks ALTER COLUMN due_at TYPE timestamp")
            expected.add("modify_type")

    diff = pending_diff(migrated_engine)

    # Column modifications come wrapped in a list, the rest as tuples.
    flat = [item for entry in diff for item in (entry if isinstance(entry, list) else [entry])]
    assert expected <= {item[0] for item in flat}


def test_downgrade_to_base_then_up_again(migrated_engine: Engine) -> None:
    config = alembic_config(migrated_engine.url.render_as_string(hide_password=False))
    with migration_connection(migrated_engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(migrated_engine) is None
    assert set(sa.inspect(migrated_engine).get_table_names()) <= {"alembic_version"}

    upgrade_to_head(migrated_engine)
    assert pending_diff(migrated_engine) == []


def test_constraint_and_index_names_fit_postgres_and_follow_the_convention() -> None:
    names: list[str] = []
    for table in Base.metadata.tables.values():
        names += [str(index.name) for index in table.indexes]
        names += [str(constraint.name) for constraint in table.constraints]
    assert names
    too_long = [name for name in names if len(name) > POSTGRES_IDENTIFIER_LIMIT]
    assert too_long == []
    assert all(name.split("_", 1)[0] in {"ix", "uq", "ck", "fk", "pk"} for name in names), names


def test_every_table_carries_a_non_null_team_id() -> None:
    for table in Base.metadata.tables.values():
        column = table.columns.get("team_id")
        assert column is not None, table.name
        assert column.nullable is False, table.name


def test_foreign_keys_are_back_on_after_a_sqlite_migration(tmp_path: Path) -> None:
    # Nothing else has a connection checked out, so the pool hands back the migration's one.
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_instances_migrating_at_once_both_succeed(engine: Engine) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            start.wait()
            upgrade_to_head(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=migrate, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: without the migration lock the two can deadlock instead of failing.
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "migrators deadlocked"
    assert errors == []
    assert current_revision(engine) == head_revision()
    assert pending_diff(engine) == []
