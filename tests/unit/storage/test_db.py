"""Engine set-up, URL handling, session scope and the health probe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage.db import (
    SQLITE_BEGIN,
    database_is_reachable,
    make_engine,
    make_session_factory,
    normalise_database_url,
    session_scope,
)
from storage.migrate import upgrade_to_head
from storage.models import Person
from tests.helpers.clock import NOW


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u@db/app?sslmode=require", "postgresql+psycopg://u@db/app?sslmode=require"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("  postgresql://u:p%40ss@db/app\n", "postgresql+psycopg://u:p%40ss@db/app"),
        ("sqlite:///delegate-bot.sqlite3", "sqlite:///delegate-bot.sqlite3"),
        (
            "sqlite+pysqlite:////var/lib/bot/db.sqlite3",
            "sqlite+pysqlite:////var/lib/bot/db.sqlite3",
        ),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalise_database_url_maps_postgres_to_psycopg(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "empty"),
        ("not a url", "could not be parsed"),
        ("mysql://u:p@db/app", "not supported"),
        ("postgresql+psycopg2://u:p@db/app", "psycopg2"),
        ("postgresql://u:secret@db", "names no database"),
        ("sqlite+aiosqlite:///x.db", "not supported"),
    ],
)
def test_normalise_database_url_refuses_clearly(given: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        normalise_database_url(given)
    assert "secret" not in str(raised.value)


def test_sqlite_connections_get_the_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        engine.dispose()


def test_sqlite_reads_inside_a_transaction_are_repeatable(tmp_path: Path) -> None:
    # Proves BEGIN is ours: the legacy driver would not open a transaction for a SELECT,
    # and the second read would see the other connection's commit.
    engine = make_engine(f"sqlite:///{tmp_path / 'rr.sqlite3'}")
    try:
        with engine.begin() as setup:
            setup.exec_driver_sql("CREATE TABLE t (n INTEGER)")
            setup.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as reader, reader.begin():
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
            with engine.begin() as writer:
                writer.exec_driver_sql("INSERT INTO t VALUES (2)")
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
        with engine.connect() as fresh:
            assert fresh.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    finally:
        engine.dispose()


def test_sqlite_begin_immediate_takes_the_write_lock_up_front(tmp_path: Path) -> None:
    path = tmp_path / "lock.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with make_session_factory(engine)() as session:
            # Nothing written yet: only BEGIN IMMEDIATE can explain the lock below.
            session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            session.rollback()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_session_factory_can_begin_immediate(tmp_path: Path) -> None:
    path = tmp_path / "factory.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with make_session_factory(engine, sqlite_begin="IMMEDIATE")() as session:
            assert session.scalars(sa.select(Person)).all() == []  # a read, yet locked
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with make_session_factory(engine)() as session:
            session.scalars(sa.select(Person)).all()
            other.execute("BEGIN IMMEDIATE")  # a deferred reader does not block writers
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_sqlite_begin_mode_is_validated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mode.sqlite3'}")
    try:
        with pytest.raises(ValueError, match=SQLITE_BEGIN), engine.connect() as connection:
            connection.execution_options(**{SQLITE_BEGIN: "SOON; DROP TABLE x"}).begin()
    finally:
        engine.dispose()


def test_session_scope_commits_on_success_and_rolls_back_on_error(
    migrated_engine: Engine,
) -> None:
    factory = make_session_factory(migrated_engine)

    def person(slack_user_id: str) -> Person:
        return Person(
            team_id="T1", slack_user_id=slack_user_id, created_at=NOW, updated_at=NOW, skills=[]
        )

    with session_scope(factory) as session:
        session.add(person("UKEPT"))
    with pytest.raises(RuntimeError, match="boom"), session_scope(factory) as session:
        session.add(person("ULOST"))
        session.flush()
        raise RuntimeError("boom")

    with factory() as session:
        kept = session.scalars(sa.select(Person.slack_user_id)).all()
    assert kept == ["UKEPT"]


def test_database_is_reachable_when_up(engine: Engine) -> None:
    assert database_is_reachable(engine) is True


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-directory/for/sure/db.sqlite3",
        # Port 1 on loopback refuses at once, so this is quick and needs no server.
        "postgresql://nobody@127.0.0.1:1/nothing",
    ],
)
def test_database_is_reachable_is_false_not_an_exception_when_down(url: str) -> None:
    engine = make_engine(url)
    try:
        assert database_is_reachable(engine, timeout_seconds=5) is False
    finally:
        engine.dispose()
