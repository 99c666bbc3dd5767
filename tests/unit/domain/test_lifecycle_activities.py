"""The second table beside the lifecycle: who may do what leaves a task's state alone."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.lifecycle import (
    ACTION_ROLE,
    ACTIVITIES,
    RECORDED_AS,
    TRANSITIONS,
    Action,
    Activity,
    Permit,
    Role,
    answering_role,
    permitted,
    target,
)
from bot.domain.types import OPEN_STATES, TaskState

S = TaskState
OWNER, LEAD = Role.OWNER, Role.LEAD
EVERY_STATE = frozenset(TaskState)

# What the services allowed before the table existed, written out activity by activity.
DESIGNED: dict[Activity, tuple[set[Role], set[TaskState]]] = {
    Activity.ANSWER_CHECKIN: ({OWNER}, {S.ACTIVE}),
    Activity.REPORT_PROGRESS: ({OWNER}, {S.ACTIVE}),
    Activity.SNOOZE: ({OWNER}, {S.ACTIVE}),
    Activity.CHANGE_DUE_DATE: ({OWNER, LEAD}, {S.ACTIVE}),
    Activity.REPLY_TO_ALERT: ({LEAD}, {S.ACTIVE}),
    Activity.ASK: ({OWNER}, {S.AWAITING_CONFIRMATION, S.AWAITING_APPROVAL, S.ACTIVE}),
    Activity.REPLY: ({LEAD}, set(EVERY_STATE)),
    Activity.THANK: ({LEAD}, {S.COMPLETED}),
}
HOLDINGS: list[frozenset[Role]] = [
    frozenset(),
    frozenset({OWNER}),
    frozenset({LEAD}),
    frozenset({OWNER, LEAD}),
]


def test_every_activity_and_every_action_has_its_entries() -> None:
    assert set(ACTIVITIES) == set(Activity)
    assert set(ACTION_ROLE) == set(Action)
    assert set(RECORDED_AS) == set(Action)
    # An audit word names one thing: no activity is spelled like a transition.
    assert not {a.value for a in Activity} & {a.value for a in Action}
    for permit in ACTIVITIES.values():
        assert permit.roles and permit.roles <= set(Role)
        assert permit.states and permit.states <= EVERY_STATE


def test_the_activity_table_is_exactly_the_design() -> None:
    assert {a: (set(p.roles), set(p.states)) for a, p in ACTIVITIES.items()} == DESIGNED


def test_the_activity_table_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        ACTIVITIES[Activity.THANK] = Permit(frozenset(Role), EVERY_STATE)  # type: ignore[index]


def test_only_open_work_takes_activities_but_replies_and_thanks() -> None:
    for activity, permit in ACTIVITIES.items():
        if activity not in (Activity.REPLY, Activity.THANK):
            assert permit.states <= OPEN_STATES


@pytest.mark.parametrize(
    ("activity", "state", "held"), list(itertools.product(Activity, TaskState, HOLDINGS))
)
def test_permitted_agrees_with_the_table_everywhere(
    activity: Activity, state: TaskState, held: frozenset[Role]
) -> None:
    permit = ACTIVITIES[activity]
    reason = permitted(activity, state, held)
    if not permit.roles & held:
        # The role comes first: a watcher learns nothing about the state.
        assert reason == "wrong_role"
    elif state not in permit.states:
        assert reason == "wrong_state"
    else:
        assert reason is None


def test_target_is_the_edges_to_state() -> None:
    for (state, action), edge in TRANSITIONS.items():
        assert target(state, action) is edge.to_state
    with pytest.raises(KeyError):
        target(S.COMPLETED, Action.REOPEN)


def test_a_refusal_names_the_lead_for_what_both_may_do() -> None:
    for activity, permit in ACTIVITIES.items():
        expected = LEAD if LEAD in permit.roles else OWNER
        assert answering_role(activity) is expected
    assert answering_role(Activity.CHANGE_DUE_DATE) is LEAD
    assert answering_role(Activity.SNOOZE) is OWNER
