"""Migration 0005 keeps the first answer of a check-in answered twice before it existed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from storage.migrate import alembic_config, migration_connection, upgrade_to_head
from tests.helpers.clock import NOW


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_double_answers_from_before_keep_the_first_and_the_index_holds(engine: Engine) -> None:
    _upgrade(engine, "0004")
    tables = sa.MetaData()
    tables.reflect(engine, only=["people", "tasks", "outbox", "status_updates"])
    people, tasks, outbox, updates = (
        tables.tables[name] for name in ("people", "tasks", "outbox", "status_updates")
    )
    with engine.begin() as db:
        person = db.execute(
            people.insert()
            .values(
                team_id="T1",
                slack_user_id="U1",
                display_name="",
                real_name="",
                skills=[],
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(people.c.id)
        ).scalar_one()
        task = db.execute(
            tasks.insert()
            .values(
                team_id="T1",
                lead_id=person,
                owner_id=person,
                title="Deck",
                goal="Keep Acme",
                expectations="",
                non_negotiables="",
                freedoms="",
                risks="",
                skills=[],
                due_at=NOW,
                due_tz="UTC",
                state="active",
                rhythm="weekly",
                created_at=NOW,
                updated_at=NOW,
                version=1,
            )
            .returning(tasks.c.id)
        ).scalar_one()
        checkin = db.execute(
            outbox.insert()
            .values(
                team_id="T1",
                kind="checkin",
                payload={},
                due_at=NOW,
                state="sent",
                attempts=0,
                task_id=task,
                created_at=NOW,
            )
            .returning(outbox.c.id)
        ).scalar_one()
        for answer in ("at_risk", "at_risk", "blocked"):
            db.execute(
                updates.insert().values(
                    team_id="T1",
                    task_id=task,
                    person_id=person,
                    answer=answer,
                    note="",
                    source="checkin",
                    outbox_id=checkin,
                    created_at=NOW,
                )
            )

    upgrade_to_head(engine)

    with engine.connect() as db:
        rows = db.execute(sa.select(updates.c.id, updates.c.outbox_id).order_by(updates.c.id)).all()
    assert [outbox_id for _, outbox_id in rows] == [checkin, None, None]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as db:
        db.execute(
            updates.insert().values(
                team_id="T1",
                task_id=task,
                person_id=person,
                answer="on_track",
                note="",
                source="checkin",
                outbox_id=checkin,
                created_at=NOW,
            )
        )
