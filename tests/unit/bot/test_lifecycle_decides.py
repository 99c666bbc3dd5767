"""The lifecycle tables decide at run time: edit one and the services follow it.

Each case swaps one entry of a table in bot.domain.lifecycle for another and drives the real
services: a transition must land where the swapped edge says (and be recorded so), an
activity must be refused once its entry allows nobody. A service that set the state or
judged the role by hand would ignore the swap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain import lifecycle
from bot.domain.brief import BriefInput
from bot.domain.lifecycle import ACTIVITIES, TRANSITIONS, Action, Activity, Permit, Transition
from bot.domain.types import CheckinAnswer, TaskState, UpdateSource
from bot.runtime import Runtime
from bot.services import checkins, completion, confirmation, conversation
from bot.services.common import Refusal
from bot.services.delegations import SlackUser, create_delegation
from bot.settings import Settings
from bot.views.restatement import RestatementInput
from storage.db import make_engine, make_session_factory, session_scope
from storage.migrate import upgrade_to_head
from storage.models import AuditEvent, Task

TEAM, LEAD, OWNER, NEW_OWNER = "T1", "ULEAD", "UOWNER", "UNEWOWNER"
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
S = TaskState


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated SQLite database and a clock stopped on a Monday morning."""
    engine = make_engine(f"sqlite:///{tmp_path / 'decides.sqlite3'}")
    upgrade_to_head(engine)
    yield Runtime(
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        engine=engine,
        sessions=make_session_factory(engine, sqlite_begin="IMMEDIATE"),
        clock=lambda: MONDAY,
        kick_sweep=lambda: None,
    )
    engine.dispose()


def create(runtime: Runtime) -> int:
    """The lead delegates to the owner."""
    return create_delegation(
        runtime=runtime,
        team_id=TEAM,
        lead=SlackUser(LEAD, "Lena", tz="Europe/London"),
        owner=SlackUser(OWNER, "Marc", tz="Europe/London"),
        brief=BriefInput(
            owner_id=OWNER, title="Acme deck", goal="Keep Acme", due_date=dt.date(2026, 3, 20)
        ),
        lead_tz=ZoneInfo("Europe/London"),
    ).task_id


def take(runtime: Runtime, task_id: int, action: Action) -> object:
    """`action` taken through its service by whoever the table says takes it."""
    on: dict[str, Any] = {"runtime": runtime, "team_id": TEAM, "task_id": task_id}
    lead, owner = {**on, "user_id": LEAD}, {**on, "user_id": OWNER}
    if action is Action.RESTATE:
        words = RestatementInput(
            what="A slide story showing the value they got this year",
            how="Pull usage numbers first, then draft with the account team",
            why="Their budget review starts soon and they need a reason",
            estimate_days=3,
        )
        return confirmation.submit_restatement(**owner, restatement=words)
    if action is Action.REASSIGN:
        return confirmation.reassign(**lead, new_owner=SlackUser(NEW_OWNER, "Nora"))
    services: dict[Action, Callable[..., object]] = {
        Action.APPROVE: lambda: confirmation.approve(**lead),
        Action.CLARIFY: lambda: confirmation.clarify(**lead, note="More numbers"),
        Action.DECLINE: lambda: conversation.decline(**owner, text="No time"),
        Action.CANCEL: lambda: confirmation.cancel(**lead),
        Action.MARK_DONE: lambda: checkins.mark_done(**owner, summary="Sent", link=""),
        Action.ACCEPT: lambda: completion.accept(**lead),
        Action.REOPEN: lambda: completion.reopen(**lead, text="Needs numbers"),
    }
    return services[action]()


# How a new task reaches each state an edge starts from.
PATHS: dict[TaskState, tuple[Action, ...]] = {
    S.AWAITING_CONFIRMATION: (),
    S.AWAITING_APPROVAL: (Action.RESTATE,),
    S.ACTIVE: (Action.RESTATE, Action.APPROVE),
    S.DECLINED: (Action.DECLINE,),
    S.AWAITING_ACCEPTANCE: (Action.RESTATE, Action.APPROVE, Action.MARK_DONE),
    S.COMPLETED: (Action.RESTATE, Action.APPROVE, Action.MARK_DONE, Action.ACCEPT),
}


def reach(runtime: Runtime, state: TaskState) -> int:
    """A new task walked to `state` through the services, with the real table."""
    task_id = create(runtime)
    for step in PATHS[state]:
        assert take(runtime, task_id, step) is None
    assert state_of(runtime, task_id) is state
    return task_id


def state_of(runtime: Runtime, task_id: int) -> TaskState:
    with session_scope(runtime.sessions) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.state


def last_audit(runtime: Runtime, task_id: int) -> tuple[str, str | None, str | None]:
    with session_scope(runtime.sessions) as session:
        event = session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.task_id == task_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
        return event.action, event.from_state, event.to_state


def elsewhere(state: TaskState) -> TaskState:
    """Some other state for a swapped edge to lead to."""
    return S.DECLINED if state is not S.DECLINED else S.CANCELLED


def swap_table(
    monkeypatch: pytest.MonkeyPatch, edges: dict[tuple[TaskState, Action], Transition]
) -> None:
    monkeypatch.setattr(lifecycle, "TRANSITIONS", MappingProxyType(edges))


@pytest.mark.parametrize(
    "edge",
    list(TRANSITIONS.values()),
    ids=[f"{edge.from_state.value}-{edge.action.value}" for edge in TRANSITIONS.values()],
)
def test_each_transition_lands_where_the_table_says(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, edge: Transition
) -> None:
    task_id = reach(runtime, edge.from_state)
    moved = Transition(edge.from_state, edge.action, elsewhere(edge.to_state), edge.role)
    swap_table(monkeypatch, {**TRANSITIONS, (edge.from_state, edge.action): moved})

    assert take(runtime, task_id, edge.action) is None

    assert state_of(runtime, task_id) is moved.to_state
    recorded = last_audit(runtime, task_id)
    assert recorded == (lifecycle.RECORDED_AS[edge.action], edge.from_state, moved.to_state)


def test_an_edge_taken_out_of_the_table_is_refused(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = reach(runtime, S.ACTIVE)
    without = {
        key: edge for key, edge in TRANSITIONS.items() if key != (S.ACTIVE, Action.MARK_DONE)
    }
    swap_table(monkeypatch, without)

    refused = take(runtime, task_id, Action.MARK_DONE)

    assert isinstance(refused, Refusal)
    assert refused.message == "This delegation is under way, so that can't be done now."
    assert state_of(runtime, task_id) is S.ACTIVE


def activity_calls(runtime: Runtime, task_id: int) -> dict[Activity, list[Callable[[], object]]]:
    """Each activity's form and submit, by the person who may do it on an active task
    (thanks: on a completed one)."""
    on: dict[str, Any] = {"runtime": runtime, "team_id": TEAM, "task_id": task_id}
    lead, owner = {**on, "user_id": LEAD}, {**on, "user_id": OWNER}
    later = dt.date(2026, 3, 27)
    return {
        Activity.ANSWER_CHECKIN: [
            lambda: checkins.answer_checkin(**owner, answer=CheckinAnswer.ON_TRACK)
        ],
        Activity.REPORT_PROGRESS: [
            lambda: checkins.update_form(**owner),
            lambda: checkins.answer_checkin(
                **owner, answer=CheckinAnswer.AT_RISK, source=UpdateSource.UNPROMPTED
            ),
        ],
        Activity.SNOOZE: [lambda: checkins.snooze(**owner, days=1)],
        Activity.CHANGE_DUE_DATE: [
            lambda: checkins.date_form(**owner),
            lambda: checkins.change_due_date(**lead, new_date=later),
        ],
        Activity.REPLY_TO_ALERT: [
            lambda: checkins.alert_reply_form(**lead),
            lambda: checkins.reply_to_owner(**lead, text="On it"),
        ],
        Activity.ASK: [
            lambda: conversation.question_form(**owner),
            lambda: conversation.ask(**owner, text="Which numbers?"),
        ],
        Activity.REPLY: [
            lambda: conversation.reply_form(**lead),
            lambda: conversation.reply(**lead, text="Usage"),
        ],
        Activity.THANK: [
            lambda: completion.thanks_form(**lead),
            lambda: completion.thank(**lead, text="Great work", share=False),
        ],
    }


@pytest.mark.parametrize("nobody", [False, True], ids=["as-designed", "nobody-may"])
@pytest.mark.parametrize("activity", list(Activity), ids=[a.value for a in Activity])
def test_each_activity_is_judged_by_its_table_entry(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, activity: Activity, nobody: bool
) -> None:
    task_id = reach(runtime, S.COMPLETED if activity is Activity.THANK else S.ACTIVE)
    if nobody:
        closed = Permit(frozenset(), ACTIVITIES[activity].states)
        monkeypatch.setattr(
            lifecycle, "ACTIVITIES", MappingProxyType({**ACTIVITIES, activity: closed})
        )

    for call in activity_calls(runtime, task_id)[activity]:
        result = call()
        assert isinstance(result, Refusal) is nobody, result


def test_a_refusal_names_whoever_the_table_now_allows(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = reach(runtime, S.ACTIVE)
    lead_only = Permit(frozenset({lifecycle.Role.LEAD}), ACTIVITIES[Activity.SNOOZE].states)
    monkeypatch.setattr(
        lifecycle, "ACTIVITIES", MappingProxyType({**ACTIVITIES, Activity.SNOOZE: lead_only})
    )

    refused = checkins.snooze(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, days=1)

    assert refused == Refusal(f"Only <@{LEAD}> can do this.")
