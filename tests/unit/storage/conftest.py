"""Storage fixtures: each test gets an empty database on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from tests.helpers.pg import postgres_url, throwaway_database, throwaway_schema


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """One throwaway PostgreSQL database for the test session (skip or fail if none)."""
    with throwaway_database(postgres_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'storage.sqlite3'}")
        try:
            yield sqlite_engine
        finally:
            sqlite_engine.dispose()
        return
    database_url: str = request.getfixturevalue("postgres_database_url")
    with throwaway_schema(database_url) as url:
        pg_engine = make_engine(url)
        try:
            yield pg_engine
        finally:
            pg_engine.dispose()


@pytest.fixture
def migrated_engine(engine: Engine) -> Engine:
    """The same engine after all migrations ran."""
    upgrade_to_head(engine)
    return engine


@pytest.fixture
def session(migrated_engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; whatever the test left uncommitted is rolled back."""
    factory = make_session_factory(migrated_engine)
    with factory() as db_session:
        yield db_session
