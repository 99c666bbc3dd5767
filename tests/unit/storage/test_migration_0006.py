"""Migration 0006 drops workspaces' unused default_* columns and keeps each workspace's row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from storage.migrate import alembic_config, migration_connection
from tests.helpers.clock import NOW

DROPPED = {
    "default_checkin_hour",
    "default_checkin_minute",
    "default_working_days",
    "default_work_start",
    "default_work_end",
    "open_delegation_limit",
    "digest_hour",
}


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _columns(engine: Engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("workspaces")}


def test_the_row_and_its_threshold_survive_and_the_check_still_holds(engine: Engine) -> None:
    _migrate(engine, "0005")
    workspaces = sa.Table("workspaces", sa.MetaData(), autoload_with=engine)
    with engine.begin() as db:
        db.execute(
            workspaces.insert().values(
                team_id="T1",
                name="Acme",
                default_checkin_hour=10,
                default_checkin_minute=0,
                default_working_days="01234",
                default_work_start=NOW.time(),
                default_work_end=NOW.time(),
                open_delegation_limit=5,
                digest_hour=17,
                anonymity_threshold=4,
                installed_at=NOW,
                updated_at=NOW,
            )
        )
    _migrate(engine, "0006")
    assert not DROPPED & _columns(engine)
    after = sa.Table("workspaces", sa.MetaData(), autoload_with=engine)
    with engine.begin() as db:
        assert db.execute(sa.select(after.c.team_id, after.c.anonymity_threshold)).all() == [
            ("T1", 4)
        ]
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)check"), engine.begin() as db:
        db.execute(after.update().values(anonymity_threshold=1))
    _migrate(engine, "0005", down=True)
    assert _columns(engine) >= DROPPED
    with engine.begin() as db:
        restored = db.execute(sa.text("SELECT digest_hour, open_delegation_limit FROM workspaces"))
        assert restored.all() == [(17, 5)]
