"""The delegation lifecycle as one table: which action, by whom, moves a task where.

Beside it, a second table says who may do the things that leave a task where it is
(answering a check-in, snoozing, changing the due date, a question and its reply, thanks).
The services apply both: editing either changes what happens at run time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from bot.domain.types import TaskState


class Role(StrEnum):
    """Who someone is on a delegation; anyone else may only watch."""

    OWNER = "owner"
    LEAD = "lead"


class Action(StrEnum):
    """Something a person can do to a delegation."""

    RESTATE = "restate"
    APPROVE = "approve"
    CLARIFY = "clarify"
    DECLINE = "decline"
    REASSIGN = "reassign"
    CANCEL = "cancel"
    MARK_DONE = "mark_done"
    ACCEPT = "accept"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    """One edge of the lifecycle: `role` may take `action` from one state to another."""

    from_state: TaskState
    action: Action
    to_state: TaskState
    role: Role


_S = TaskState
_OWNER, _LEAD = Role.OWNER, Role.LEAD

_EDGES: tuple[Transition, ...] = (
    Transition(_S.AWAITING_CONFIRMATION, Action.RESTATE, _S.AWAITING_APPROVAL, _OWNER),
    Transition(_S.AWAITING_APPROVAL, Action.APPROVE, _S.ACTIVE, _LEAD),
    Transition(_S.AWAITING_APPROVAL, Action.CLARIFY, _S.AWAITING_CONFIRMATION, _LEAD),
    Transition(_S.AWAITING_CONFIRMATION, Action.DECLINE, _S.DECLINED, _OWNER),
    # Reassigning hands the brief to a new owner, who confirms it from the start.
    Transition(_S.DECLINED, Action.REASSIGN, _S.AWAITING_CONFIRMATION, _LEAD),
    Transition(_S.AWAITING_CONFIRMATION, Action.REASSIGN, _S.AWAITING_CONFIRMATION, _LEAD),
    Transition(_S.AWAITING_APPROVAL, Action.REASSIGN, _S.AWAITING_CONFIRMATION, _LEAD),
    Transition(_S.ACTIVE, Action.REASSIGN, _S.AWAITING_CONFIRMATION, _LEAD),
    Transition(_S.ACTIVE, Action.MARK_DONE, _S.AWAITING_ACCEPTANCE, _OWNER),
    Transition(_S.AWAITING_ACCEPTANCE, Action.ACCEPT, _S.COMPLETED, _LEAD),
    Transition(_S.AWAITING_ACCEPTANCE, Action.REOPEN, _S.ACTIVE, _LEAD),
    Transition(_S.AWAITING_CONFIRMATION, Action.CANCEL, _S.CANCELLED, _LEAD),
    Transition(_S.AWAITING_APPROVAL, Action.CANCEL, _S.CANCELLED, _LEAD),
    Transition(_S.ACTIVE, Action.CANCEL, _S.CANCELLED, _LEAD),
    Transition(_S.AWAITING_ACCEPTANCE, Action.CANCEL, _S.CANCELLED, _LEAD),
    Transition(_S.DECLINED, Action.CANCEL, _S.CANCELLED, _LEAD),
)

TRANSITIONS: Mapping[tuple[TaskState, Action], Transition] = MappingProxyType(
    {(edge.from_state, edge.action): edge for edge in _EDGES}
)

TERMINAL_STATES: frozenset[TaskState] = frozenset(TaskState) - frozenset(
    state for state, _ in TRANSITIONS
)

# Every action belongs to one role whatever the state, which lets a refusal name that role
# even when the action is not possible right now.
ACTION_ROLE: Mapping[Action, Role] = MappingProxyType({edge.action: edge.role for edge in _EDGES})

# The audit log's word for each action (stored, so kept as it has always been written).
RECORDED_AS: Mapping[Action, str] = MappingProxyType(
    {
        Action.RESTATE: "restated",
        Action.APPROVE: "approved",
        Action.CLARIFY: "clarified",
        Action.DECLINE: "declined",
        Action.REASSIGN: "reassigned",
        Action.CANCEL: "cancelled",
        Action.MARK_DONE: "marked_done",
        Action.ACCEPT: "accepted",
        Action.REOPEN: "reopened",
    }
)


class Activity(StrEnum):
    """Something a person does on a delegation that leaves its state as it is."""

    ANSWER_CHECKIN = "answer_checkin"
    REPORT_PROGRESS = "report_progress"
    SNOOZE = "snooze"
    # The lead extends the due date; the owner proposes one (asked when it is overdue).
    CHANGE_DUE_DATE = "change_due_date"
    REPLY_TO_ALERT = "reply_to_alert"
    ASK = "ask"
    REPLY = "reply"
    THANK = "thank"


@dataclass(frozen=True)
class Permit:
    """Who may do an activity, and in which states of the task."""

    roles: frozenset[Role]
    states: frozenset[TaskState]


_ANYONE = frozenset(Role)
_ANY_STATE = frozenset(TaskState)
_ACTIVE = frozenset({_S.ACTIVE})

ACTIVITIES: Mapping[Activity, Permit] = MappingProxyType(
    {
        Activity.ANSWER_CHECKIN: Permit(frozenset({_OWNER}), _ACTIVE),
        Activity.REPORT_PROGRESS: Permit(frozenset({_OWNER}), _ACTIVE),
        Activity.SNOOZE: Permit(frozenset({_OWNER}), _ACTIVE),
        Activity.CHANGE_DUE_DATE: Permit(_ANYONE, _ACTIVE),
        Activity.REPLY_TO_ALERT: Permit(frozenset({_LEAD}), _ACTIVE),
        Activity.ASK: Permit(
            frozenset({_OWNER}),
            frozenset({_S.AWAITING_CONFIRMATION, _S.AWAITING_APPROVAL, _S.ACTIVE}),
        ),
        # Questions are answered whatever became of the task meanwhile.
        Activity.REPLY: Permit(frozenset({_LEAD}), _ANY_STATE),
        Activity.THANK: Permit(frozenset({_LEAD}), frozenset({_S.COMPLETED})),
    }
)


def permitted(
    activity: Activity, state: TaskState, roles: Collection[Role]
) -> Literal["wrong_role", "wrong_state"] | None:
    """None when someone holding `roles` may do `activity` in `state`, else why not.

    `roles` is empty for a watcher; the role is judged before the state, so a watcher
    learns nothing about the task from a refusal.
    """
    permit = ACTIVITIES[activity]
    if permit.roles.isdisjoint(roles):
        return "wrong_role"
    if state not in permit.states:
        return "wrong_state"
    return None


def answering_role(activity: Activity) -> Role:
    """The role a refusal of `activity` names: the lead answers for what both may do."""
    return Role.LEAD if Role.LEAD in ACTIVITIES[activity].roles else Role.OWNER


_DOING: Mapping[Action, str] = MappingProxyType(
    {
        Action.RESTATE: "restate the brief",
        Action.APPROVE: "approve this",
        Action.CLARIFY: "ask for clarification",
        Action.DECLINE: "decline this delegation",
        Action.REASSIGN: "reassign this delegation",
        Action.CANCEL: "cancel this delegation",
        Action.MARK_DONE: "mark this done",
        Action.ACCEPT: "accept the finished work",
        Action.REOPEN: "reopen this",
    }
)

# Stale clicks that deserve a more precise answer than their state's general one.
_STALE: Mapping[tuple[TaskState, Action], str] = MappingProxyType(
    {
        (_S.AWAITING_APPROVAL, Action.RESTATE): (
            "The brief was already restated; the lead is reviewing it."
        ),
        (_S.AWAITING_APPROVAL, Action.DECLINE): (
            "The brief was already restated, so this can no longer be declined."
        ),
        (_S.ACTIVE, Action.RESTATE): "This delegation was already approved.",
        (_S.ACTIVE, Action.APPROVE): "This delegation was already approved.",
        (_S.ACTIVE, Action.CLARIFY): (
            "This delegation was already approved, so its restatement is settled."
        ),
        (_S.ACTIVE, Action.DECLINE): "This delegation was already approved and is under way.",
        (_S.ACTIVE, Action.ACCEPT): "This delegation is not marked done yet.",
        (_S.ACTIVE, Action.REOPEN): "This delegation is already open and under way.",
        (_S.AWAITING_ACCEPTANCE, Action.MARK_DONE): (
            "This delegation is already marked done; the lead is reviewing it."
        ),
        (_S.AWAITING_CONFIRMATION, Action.APPROVE): (
            "There is nothing to approve yet: the owner has not restated the brief."
        ),
        (_S.AWAITING_CONFIRMATION, Action.CLARIFY): (
            "The owner is already restating the brief, so there is nothing to clarify yet."
        ),
        (_S.DECLINED, Action.DECLINE): "This delegation was already declined.",
        (_S.COMPLETED, Action.ACCEPT): "This delegation was already accepted as done.",
        (_S.CANCELLED, Action.CANCEL): "This delegation was already cancelled.",
    }
)

_IN_STATE: Mapping[TaskState, str] = MappingProxyType(
    {
        _S.AWAITING_CONFIRMATION: (
            "This delegation is waiting for the owner to restate the brief, so that can't be"
            " done yet."
        ),
        _S.AWAITING_APPROVAL: (
            "This delegation is waiting for the lead to review the restatement, so that can't"
            " be done now."
        ),
        _S.ACTIVE: "This delegation is under way, so that can't be done now.",
        _S.AWAITING_ACCEPTANCE: (
            "This delegation is marked done and waiting for the lead, so that can't be done now."
        ),
        _S.DECLINED: (
            "This delegation was declined; the lead can reassign or cancel it, nothing else."
        ),
        _S.COMPLETED: "This delegation is completed, so nothing more can be done.",
        _S.CANCELLED: "This delegation is cancelled, so nothing more can be done.",
    }
)


class TransitionRefused(Exception):
    """An action that may not happen; `str(error)` is a message fit to show in Slack."""

    def __init__(
        self,
        reason: Literal["wrong_role", "wrong_state"],
        message: str,
        *,
        state: TaskState,
        action: Action,
        role: Role | None,
    ) -> None:
        super().__init__(message)
        self.reason: Literal["wrong_role", "wrong_state"] = reason
        self.message = message
        self.state = state
        self.action = action
        self.role = role


def refusal_message(
    reason: Literal["wrong_role", "wrong_state"], state: TaskState, action: Action
) -> str:
    """The Slack-ready sentence explaining why `action` is refused in `state`."""
    if reason == "wrong_role":
        return f"Only the {ACTION_ROLE[action]} can {_DOING[action]}."
    return _STALE.get((state, action), _IN_STATE[state])


def transition(state: TaskState, action: Action, role: Role | None) -> TaskState:
    """The state after `role` takes `action` in `state`, or TransitionRefused.

    `role` is None for someone who is neither owner nor lead: they are always refused with
    "wrong_role", whatever the state, so a watcher learns nothing from a stale button. For
    the owner or lead, an action impossible in `state` is "wrong_state" (usually a stale
    click on an old message) even if it belongs to the other role; only an action possible
    in `state` but belonging to the other role is "wrong_role".
    """
    edge = TRANSITIONS.get((state, action))
    if role is None or (edge is not None and edge.role != role):
        reason: Literal["wrong_role", "wrong_state"] = "wrong_role"
    elif edge is None:
        reason = "wrong_state"
    else:
        return edge.to_state
    raise TransitionRefused(
        reason,
        refusal_message(reason, state, action),
        state=state,
        action=action,
        role=role,
    )


def target(state: TaskState, action: Action) -> TaskState:
    """Where the table's edge for `action` leads from `state` (KeyError when it has none)."""
    return TRANSITIONS[(state, action)].to_state


def allowed_actions(state: TaskState, role: Role) -> frozenset[Action]:
    """The actions `role` may take in `state`: the buttons to show them."""
    return frozenset(
        edge.action
        for (from_state, _), edge in TRANSITIONS.items()
        if from_state == state and edge.role == role
    )
