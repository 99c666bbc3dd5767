"""Every change to a delegation republishes the App Home of everyone it concerns.

The transitions come from the lifecycle table itself, so a new edge (or a new action) that
this file cannot drive, or that forgets Home, fails here. Each case: reach the edge's start
state through the real services, count every Home publish so far as sent, take the action,
then check a publish is queued for the lead, the owner (and a previous owner) and that what
it would show is the new state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.lifecycle import TRANSITIONS, Action, Transition
from bot.domain.types import (
    OPEN_STATES,
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    TaskState,
    UpdateSource,
)
from bot.runtime import Runtime
from bot.services import checkins, completion, confirmation, conversation
from bot.services.common import Refusal
from bot.services.delegations import SlackUser
from bot.services.home import compose_home, gather
from bot.views.home import HomeData, HomeTask
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Outbox, Person, Task
from storage.outbox import ClaimedMessage
from tests.helpers.delegations import (
    LEAD,
    LONDON,
    MONDAY,
    NEW_OWNER,
    OTHER_LEAD,
    OWNER,
    TEAM,
    approve,
    create,
    ok,
    open_runtime,
    restate,
)

Driver = Callable[[Runtime, int], object]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite database, a manual clock, and four people who have opened Home."""
    with open_runtime(tmp_path) as opened:
        yield opened


def clarify(runtime: Runtime, task_id: int) -> None:
    """The lead asks for clarification."""
    ok(
        confirmation.clarify(
            runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, note="More on numbers"
        )
    )


def decline(runtime: Runtime, task_id: int) -> None:
    """The owner declines."""
    ok(
        conversation.decline(
            runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, text="No time"
        )
    )


def reassign(runtime: Runtime, task_id: int) -> None:
    """The lead hands the task to someone else."""
    ok(
        confirmation.reassign(
            runtime=runtime,
            team_id=TEAM,
            task_id=task_id,
            user_id=LEAD,
            new_owner=SlackUser(NEW_OWNER, "Nora", tz="Europe/London"),
        )
    )


def cancel(runtime: Runtime, task_id: int) -> None:
    """The lead cancels."""
    ok(confirmation.cancel(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD))


def mark_done(runtime: Runtime, task_id: int) -> None:
    """The owner marks the work done."""
    ok(
        checkins.mark_done(
            runtime=runtime,
            team_id=TEAM,
            task_id=task_id,
            user_id=OWNER,
            summary="Deck sent to Acme",
            link="",
        )
    )


def accept(runtime: Runtime, task_id: int) -> None:
    """The lead accepts the finished work."""
    ok(completion.accept(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD))


def reopen(runtime: Runtime, task_id: int) -> None:
    """The lead reopens the finished work."""
    ok(
        completion.reopen(
            runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, text="Needs numbers"
        )
    )


# How a test takes each action; the lifecycle table says where each may be taken.
DRIVERS: dict[Action, Callable[[Runtime, int], None]] = {
    Action.RESTATE: restate,
    Action.APPROVE: approve,
    Action.CLARIFY: clarify,
    Action.DECLINE: decline,
    Action.REASSIGN: reassign,
    Action.CANCEL: cancel,
    Action.MARK_DONE: mark_done,
    Action.ACCEPT: accept,
    Action.REOPEN: reopen,
}
# How a new task reaches each state an edge starts from.
PATHS: dict[TaskState, tuple[Action, ...]] = {
    TaskState.AWAITING_CONFIRMATION: (),
    TaskState.AWAITING_APPROVAL: (Action.RESTATE,),
    TaskState.ACTIVE: (Action.RESTATE, Action.APPROVE),
    TaskState.DECLINED: (Action.DECLINE,),
    TaskState.AWAITING_ACCEPTANCE: (Action.RESTATE, Action.APPROVE, Action.MARK_DONE),
}


def settle_homes(runtime: Runtime) -> None:
    """Every Home publish queued so far counts as sent, so only new ones are pending."""
    with session_scope(runtime.sessions) as session:
        session.execute(
            sa.update(Outbox)
            .where(Outbox.kind == OutboxKind.HOME, Outbox.state == OutboxState.PENDING)
            .values(state=OutboxState.SENT, sent_at=runtime.clock())
        )


def queued_homes(runtime: Runtime) -> dict[str, HomeData]:
    """Per person with a Home publish pending: what it shows when the sweep composes it."""
    shown: dict[str, HomeData] = {}
    with session_scope(runtime.sessions) as session:
        rows = session.scalars(
            sa.select(Outbox).where(
                Outbox.kind == OutboxKind.HOME, Outbox.state == OutboxState.PENDING
            )
        ).all()
        for row in rows:
            person = session.get(Person, row.recipient_id)
            assert person is not None
            message = ClaimedMessage(
                id=row.id,
                team_id=row.team_id,
                kind=row.kind,
                payload=row.payload,
                attempts=0,
                task_id=None,
                recipient_id=row.recipient_id,
            )
            composed = compose_home(runtime, session, message)
            assert composed is not None and composed["view"]["type"] == "home"
            assert person.slack_user_id not in shown, "one pending publish per person"
            shown[person.slack_user_id] = gather(runtime, session, TEAM, person)
    return shown


def line(tasks: tuple[HomeTask, ...], task_id: int) -> HomeTask | None:
    """The task's line in a Home section, if it is there."""
    return next((t for t in tasks if t.task_id == task_id), None)


def state_of(runtime: Runtime, task_id: int) -> TaskState:
    """The task's state in the database."""
    with session_scope(runtime.sessions) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.state


def test_every_action_in_the_lifecycle_table_has_a_driver() -> None:
    assert set(DRIVERS) == {edge.action for edge in TRANSITIONS.values()}
    assert set(PATHS) == {edge.from_state for edge in TRANSITIONS.values()}


def test_creating_a_delegation_publishes_both_homes(runtime: Runtime) -> None:
    task_id = create(runtime)
    homes = queued_homes(runtime)
    assert set(homes) == {LEAD, OWNER}
    delegated = line(homes[LEAD].delegated, task_id)
    assigned = line(homes[OWNER].assigned, task_id)
    assert delegated is not None and delegated.state is TaskState.AWAITING_CONFIRMATION
    assert assigned is not None and assigned.state is TaskState.AWAITING_CONFIRMATION
    assert [need.task_id for need in homes[OWNER].needs_you] == [task_id]


@pytest.mark.parametrize(
    "edge",
    list(TRANSITIONS.values()),
    ids=[f"{edge.from_state.value}-{edge.action.value}" for edge in TRANSITIONS.values()],
)
def test_each_transition_publishes_the_new_state_to_everyone_it_concerns(
    runtime: Runtime, edge: Transition
) -> None:
    task_id = create(runtime)
    for step in PATHS[edge.from_state]:
        DRIVERS[step](runtime, task_id)
    assert state_of(runtime, task_id) is edge.from_state
    settle_homes(runtime)

    DRIVERS[edge.action](runtime, task_id)

    assert state_of(runtime, task_id) is edge.to_state
    homes = queued_homes(runtime)
    owner = NEW_OWNER if edge.action is Action.REASSIGN else OWNER
    concerned = {LEAD, owner} | ({OWNER} if edge.action is Action.REASSIGN else set())
    assert concerned <= set(homes)
    delegated = line(homes[LEAD].delegated, task_id)
    assigned = line(homes[owner].assigned, task_id)
    if edge.to_state in OPEN_STATES:
        assert delegated is not None and delegated.state is edge.to_state
        assert assigned is not None and assigned.state is edge.to_state
    else:
        assert delegated is None and assigned is None
    if edge.action is Action.REASSIGN:
        assert line(homes[OWNER].assigned, task_id) is None  # no longer theirs


def test_a_change_of_load_reaches_the_other_leads_team_load(runtime: Runtime) -> None:
    with session_scope(runtime.sessions) as session:
        other, owner = (
            repo.get_person(session=session, team_id=TEAM, slack_user_id=user)
            for user in (OTHER_LEAD, OWNER)
        )
        assert other is not None and owner is not None
        repo.create_task(
            session=session,
            team_id=TEAM,
            lead_id=other.id,
            owner_id=owner.id,
            title="Earlier work",
            goal="g",
            due_at=MONDAY + dt.timedelta(days=9),
            due_tz="UTC",
            now=MONDAY,
        )
    task_id = create(runtime)
    homes = queued_homes(runtime)
    [load] = [entry for entry in homes[OTHER_LEAD].team_load if entry.user_id == OWNER]
    assert load.open_count == 2
    settle_homes(runtime)
    cancel(runtime, task_id)
    [load] = [entry for entry in queued_homes(runtime)[OTHER_LEAD].team_load]
    assert load.open_count == 1


def _answer(answer: CheckinAnswer, source: UpdateSource = UpdateSource.CHECKIN) -> Driver:
    def drive(runtime: Runtime, task_id: int) -> object:
        return checkins.answer_checkin(
            runtime=runtime,
            team_id=TEAM,
            task_id=task_id,
            user_id=OWNER,
            answer=answer,
            note="halfway",
            source=source,
        )

    return drive


def _snooze(runtime: Runtime, task_id: int) -> object:
    return checkins.snooze(
        runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, until=dt.date(2026, 3, 11)
    )


def _new_date(runtime: Runtime, task_id: int) -> object:
    return checkins.change_due_date(
        runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, new_date=dt.date(2026, 4, 3)
    )


def _expect_health(health: Health) -> Callable[[HomeTask], bool]:
    return lambda shown: shown.health is health and shown.last_update is not None


UPDATES: dict[str, tuple[Driver, Callable[[HomeTask], bool]]] = {
    "on-track": (_answer(CheckinAnswer.ON_TRACK), _expect_health(Health.ON_TRACK)),
    "at-risk": (_answer(CheckinAnswer.AT_RISK), _expect_health(Health.AT_RISK)),
    "blocked-unasked": (
        _answer(CheckinAnswer.BLOCKED, UpdateSource.UNPROMPTED),
        _expect_health(Health.BLOCKED),
    ),
    "snooze": (
        _snooze,
        lambda shown: (
            shown.next_checkin is not None
            and shown.next_checkin.astimezone(LONDON).date() == dt.date(2026, 3, 11)
        ),
    ),
    "new-due-date": (
        _new_date,
        lambda shown: shown.due_at.astimezone(LONDON).date() == dt.date(2026, 4, 3),
    ),
}


@pytest.mark.parametrize("name", list(UPDATES))
def test_status_updates_and_other_changes_publish_both_homes(runtime: Runtime, name: str) -> None:
    drive, shows_it = UPDATES[name]
    task_id = create(runtime)
    restate(runtime, task_id)
    approve(runtime, task_id)
    settle_homes(runtime)

    assert drive(runtime, task_id) is None

    homes = queued_homes(runtime)
    assert {LEAD, OWNER} <= set(homes)
    for shown in (line(homes[LEAD].delegated, task_id), line(homes[OWNER].assigned, task_id)):
        assert shown is not None and shows_it(shown), shown


def test_a_refused_action_publishes_nothing(runtime: Runtime) -> None:
    task_id = create(runtime)
    settle_homes(runtime)
    refused = confirmation.approve(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD)
    assert isinstance(refused, Refusal)
    assert queued_homes(runtime) == {}
