from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.lifecycle import (
    ACTION_ROLE,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Role,
    Transition,
    TransitionRefused,
    allowed_actions,
    refusal_message,
    transition,
)
from bot.domain.types import OPEN_STATES, TaskState

S, A = TaskState, Action
OWNER, LEAD = Role.OWNER, Role.LEAD

# DESIGN.md, Lifecycle, written out edge by edge: (from, action, to, who).
DESIGNED: set[tuple[TaskState, Action, TaskState, Role]] = {
    (S.AWAITING_CONFIRMATION, A.RESTATE, S.AWAITING_APPROVAL, OWNER),
    (S.AWAITING_APPROVAL, A.APPROVE, S.ACTIVE, LEAD),
    (S.AWAITING_APPROVAL, A.CLARIFY, S.AWAITING_CONFIRMATION, LEAD),
    (S.AWAITING_CONFIRMATION, A.DECLINE, S.DECLINED, OWNER),
    (S.DECLINED, A.REASSIGN, S.AWAITING_CONFIRMATION, LEAD),
    (S.AWAITING_CONFIRMATION, A.REASSIGN, S.AWAITING_CONFIRMATION, LEAD),
    (S.AWAITING_APPROVAL, A.REASSIGN, S.AWAITING_CONFIRMATION, LEAD),
    (S.ACTIVE, A.REASSIGN, S.AWAITING_CONFIRMATION, LEAD),
    (S.ACTIVE, A.MARK_DONE, S.AWAITING_ACCEPTANCE, OWNER),
    (S.AWAITING_ACCEPTANCE, A.ACCEPT, S.COMPLETED, LEAD),
    (S.AWAITING_ACCEPTANCE, A.REOPEN, S.ACTIVE, LEAD),
    (S.AWAITING_CONFIRMATION, A.CANCEL, S.CANCELLED, LEAD),
    (S.AWAITING_APPROVAL, A.CANCEL, S.CANCELLED, LEAD),
    (S.ACTIVE, A.CANCEL, S.CANCELLED, LEAD),
    (S.AWAITING_ACCEPTANCE, A.CANCEL, S.CANCELLED, LEAD),
    (S.DECLINED, A.CANCEL, S.CANCELLED, LEAD),
}

ROLES: tuple[Role | None, ...] = (OWNER, LEAD, None)
EVERY_CASE = list(itertools.product(TaskState, Action, ROLES))


def test_table_is_exactly_the_design() -> None:
    table = {
        (edge.from_state, edge.action, edge.to_state, edge.role) for edge in TRANSITIONS.values()
    }
    assert table == DESIGNED
    assert len(TRANSITIONS) == len(DESIGNED)


def test_table_keys_match_their_transitions() -> None:
    for (state, action), edge in TRANSITIONS.items():
        assert isinstance(edge, Transition)
        assert (edge.from_state, edge.action) == (state, action)


def test_table_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[(S.COMPLETED, A.REOPEN)] = Transition(  # type: ignore[index]
            S.COMPLETED, A.REOPEN, S.ACTIVE, LEAD
        )


def test_terminal_states_have_no_way_out() -> None:
    assert {S.COMPLETED, S.CANCELLED} == TERMINAL_STATES
    for state in TERMINAL_STATES:
        assert not any(key[0] == state for key in TRANSITIONS)
        for role in Role:
            assert allowed_actions(state, role) == frozenset()


def test_open_states_are_the_non_terminal_ones() -> None:
    assert frozenset(TaskState) - TERMINAL_STATES == OPEN_STATES
    assert {edge.from_state for edge in TRANSITIONS.values()} == OPEN_STATES


def test_the_lead_can_cancel_every_open_state() -> None:
    for state in OPEN_STATES:
        assert transition(state, A.CANCEL, LEAD) == S.CANCELLED


def test_every_state_is_reachable_from_the_start() -> None:
    reached, frontier = {S.AWAITING_CONFIRMATION}, [S.AWAITING_CONFIRMATION]
    while frontier:
        state = frontier.pop()
        for edge in TRANSITIONS.values():
            if edge.from_state == state and edge.to_state not in reached:
                reached.add(edge.to_state)
                frontier.append(edge.to_state)
    assert reached == set(TaskState)


def test_each_action_belongs_to_one_role() -> None:
    for edge in TRANSITIONS.values():
        assert ACTION_ROLE[edge.action] == edge.role
    assert set(ACTION_ROLE) == set(Action)
    owner_actions = {action for action, role in ACTION_ROLE.items() if role == OWNER}
    assert owner_actions == {A.RESTATE, A.DECLINE, A.MARK_DONE}


def test_the_happy_path() -> None:
    state = S.AWAITING_CONFIRMATION
    for action, role in [
        (A.RESTATE, OWNER),
        (A.CLARIFY, LEAD),
        (A.RESTATE, OWNER),
        (A.APPROVE, LEAD),
        (A.MARK_DONE, OWNER),
        (A.REOPEN, LEAD),
        (A.MARK_DONE, OWNER),
        (A.ACCEPT, LEAD),
    ]:
        state = transition(state, action, role)
    assert state == S.COMPLETED


def test_decline_then_reassign() -> None:
    state = transition(S.AWAITING_CONFIRMATION, A.DECLINE, OWNER)
    assert state == S.DECLINED
    assert transition(state, A.REASSIGN, LEAD) == S.AWAITING_CONFIRMATION


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        (S.AWAITING_CONFIRMATION, OWNER, {A.RESTATE, A.DECLINE}),
        (S.AWAITING_CONFIRMATION, LEAD, {A.REASSIGN, A.CANCEL}),
        (S.AWAITING_APPROVAL, OWNER, set()),
        (S.AWAITING_APPROVAL, LEAD, {A.APPROVE, A.CLARIFY, A.REASSIGN, A.CANCEL}),
        (S.ACTIVE, OWNER, {A.MARK_DONE}),
        (S.ACTIVE, LEAD, {A.REASSIGN, A.CANCEL}),
        (S.AWAITING_ACCEPTANCE, OWNER, set()),
        (S.AWAITING_ACCEPTANCE, LEAD, {A.ACCEPT, A.REOPEN, A.CANCEL}),
        (S.DECLINED, OWNER, set()),
        (S.DECLINED, LEAD, {A.REASSIGN, A.CANCEL}),
        (S.COMPLETED, LEAD, set()),
        (S.CANCELLED, OWNER, set()),
    ],
)
def test_allowed_actions(state: TaskState, role: Role, expected: set[Action]) -> None:
    assert allowed_actions(state, role) == expected


@pytest.mark.parametrize(("state", "action", "role"), EVERY_CASE)
def test_transition_agrees_with_the_table_everywhere(
    state: TaskState, action: Action, role: Role | None
) -> None:
    edge = TRANSITIONS.get((state, action))
    if edge is not None and edge.role == role:
        assert transition(state, action, role) == edge.to_state
        assert role is not None and action in allowed_actions(state, role)
        return
    with pytest.raises(TransitionRefused) as refused:
        transition(state, action, role)
    error = refused.value
    if role is None or edge is not None:
        assert error.reason == "wrong_role"
    else:
        assert error.reason == "wrong_state"
    assert (error.state, error.action, error.role) == (state, action, role)
    assert str(error) == error.message == refusal_message(error.reason, state, action)
    assert 0 < len(error.message) < 150
    assert error.message[0].isupper() and error.message.endswith(".")
    if role is not None:
        assert action not in allowed_actions(state, role)


@pytest.mark.parametrize(
    ("state", "action", "role", "reason", "message"),
    [
        (S.AWAITING_APPROVAL, A.APPROVE, OWNER, "wrong_role", "Only the lead can approve this."),
        (
            S.AWAITING_CONFIRMATION,
            A.RESTATE,
            LEAD,
            "wrong_role",
            "Only the owner can restate the brief.",
        ),
        (S.ACTIVE, A.MARK_DONE, None, "wrong_role", "Only the owner can mark this done."),
        # Someone with no part in it is told about roles, even for a stale button.
        (S.COMPLETED, A.CANCEL, None, "wrong_role", "Only the lead can cancel this delegation."),
        (S.ACTIVE, A.APPROVE, LEAD, "wrong_state", "This delegation was already approved."),
        # A stale click by the other role is about the state, not the role.
        (S.ACTIVE, A.APPROVE, OWNER, "wrong_state", "This delegation was already approved."),
        (
            S.CANCELLED,
            A.APPROVE,
            LEAD,
            "wrong_state",
            "This delegation is cancelled, so nothing more can be done.",
        ),
        (
            S.COMPLETED,
            A.REOPEN,
            LEAD,
            "wrong_state",
            "This delegation is completed, so nothing more can be done.",
        ),
        (
            S.AWAITING_APPROVAL,
            A.RESTATE,
            OWNER,
            "wrong_state",
            "The brief was already restated; the lead is reviewing it.",
        ),
        (
            S.AWAITING_ACCEPTANCE,
            A.MARK_DONE,
            OWNER,
            "wrong_state",
            "This delegation is already marked done; the lead is reviewing it.",
        ),
    ],
)
def test_refusal_examples(
    state: TaskState, action: Action, role: Role | None, reason: str, message: str
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        transition(state, action, role)
    assert refused.value.reason == reason
    assert refused.value.message == message


steps = st.lists(st.tuples(st.sampled_from(Action), st.sampled_from(ROLES)), max_size=60)


@given(steps)
def test_random_walks_stay_inside_the_table(walk: list[tuple[Action, Role | None]]) -> None:
    state = S.AWAITING_CONFIRMATION
    for action, role in walk:
        before = state
        try:
            state = transition(state, action, role)
        except TransitionRefused as refused:
            assert refused.reason in ("wrong_role", "wrong_state")
            assert 0 < len(refused.message) < 150
            assert state == before
            continue
        assert state in TaskState
        assert before not in TERMINAL_STATES
        edge = TRANSITIONS[(before, action)]
        assert (edge.role, edge.to_state) == (role, state)


@given(st.sampled_from(sorted(TERMINAL_STATES)), steps)
def test_terminal_states_stay_terminal(
    state: TaskState, walk: list[tuple[Action, Role | None]]
) -> None:
    for action, role in walk:
        with pytest.raises(TransitionRefused):
            transition(state, action, role)
