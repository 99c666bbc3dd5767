"""Double taps, double submits and concurrent clicks have one effect, on SQLite and PostgreSQL.

Every interaction that writes is run twice in a row (a double tap, or Slack delivering the
same click again) and five times at once from threads released together (several instances,
or a fast double click): each asserts exactly one effect (rows, queued messages, audit
events) and that no call raised, which is what turns into an HTTP 500 in the app.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.domain.brief import BriefInput
from bot.domain.types import (
    CheckinAnswer,
    OutboxKind,
    OutboxState,
    RhythmFit,
    TaskState,
    UpdateSource,
)
from bot.runtime import Runtime
from bot.services import checkins, completion, confirmation, conversation, feedback
from bot.services.common import Refusal
from bot.services.delegations import SlackUser, create_delegation
from bot.services.profiles import save_profile
from bot.services.settings import save_settings
from bot.views.feedback import SurveyInput
from bot.views.profile import ProfileInput
from bot.views.restatement import RestatementInput
from bot.views.settings import SettingsInput
from storage import repositories as repo
from storage.db import session_scope
from storage.models import (
    AuditEvent,
    Outbox,
    Project,
    Restatement,
    StatusUpdate,
    Survey,
    SurveyResponse,
    Task,
)
from tests.helpers.clock import Clock
from tests.helpers.pg import postgres_url, throwaway_database
from tests.helpers.runtime import make_runtime
from tests.helpers.storage import migrated_engine

TEAM = "T0SANDBOX"
LEAD, OWNER, OTHER = "U0SBLENA1", "U0SBMARC1", "U0SBTOM01"
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LONDON = "Europe/London"
TIMES = 5
UPDATE_EDITS = Outbox.payload["method"].as_string() == "chat.update"
# Edits queued on the way to an active task: the brief (twice) and the review.
EDITS_BEFORE = 3


def user(user_id: str) -> SlackUser:
    """A person as users.info would describe them."""
    return SlackUser(user_id=user_id, display_name=user_id.lower(), tz=LONDON)


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """One throwaway PostgreSQL database for this module (skipped without a server)."""
    with throwaway_database(postgres_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL schema."""
    with migrated_engine(
        request.param,
        tmp_path / "idem.sqlite3",
        lambda: str(request.getfixturevalue("pg_database")),
    ) as made:
        yield made


@pytest.fixture
def runtime(engine: Engine) -> Runtime:
    """The app's session settings (SQLite begins IMMEDIATE) on a clock at Monday 09:00."""
    return make_runtime(engine, Clock(MONDAY))


def at_once(call: Callable[[], Any], times: int = TIMES) -> list[Any]:
    """Run `call` from `times` threads released together; fail if any raised."""
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # reported below, with every other outcome
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call never returned"
    raised = [r for r in results if isinstance(r, BaseException)]
    assert raised == [], [f"{type(r).__name__}: {r}" for r in raised]
    return results


def count(runtime: Runtime, model: Any, *where: Any) -> int:
    """How many rows of `model` match."""
    with session_scope(runtime.sessions) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def audits(runtime: Runtime, action: str) -> int:
    """How many audit events record `action`."""
    return count(runtime, AuditEvent, AuditEvent.action == action)


def queued(runtime: Runtime, kind: OutboxKind, *where: Any) -> int:
    """How many outbox rows of `kind` exist (pending or not, withdrawn ones aside)."""
    return count(
        runtime, Outbox, Outbox.kind == kind, Outbox.state != OutboxState.CANCELLED, *where
    )


# --- getting a task into each state, through the services themselves ------------------------


def brief(**overrides: Any) -> BriefInput:
    """A valid brief from the lead to the owner, due in two weeks."""
    values: dict[str, Any] = {
        "owner_id": OWNER,
        "title": "Acme renewal deck",
        "goal": "Keep Acme at a flat price; they are weighing a competitor.",
        "due_date": MONDAY.date() + timedelta(days=14),
        "expectations": "A 10-slide deck signed off by finance.",
    }
    return BriefInput(**(values | overrides))


def created(runtime: Runtime, view_id: str = "V0BRIEF01", **overrides: Any) -> int:
    """A brief sent to the owner (awaiting confirmation); its task id."""
    made = create_delegation(
        runtime=runtime,
        team_id=TEAM,
        lead=user(LEAD),
        owner=user(OWNER),
        brief=brief(**overrides),
        lead_tz=ZoneInfo(LONDON),
        view_id=view_id,
    )
    return made.task_id


GENUINE = RestatementInput(
    what="A short deck that argues for renewing Acme without a price rise, ready for finance.",
    how="Pull their usage numbers, compare with the rival's offer, draft with Tom, then "
    "review with you before finance sees it.",
    why="If Acme walks we lose our biggest logo and the reference it gives us in retail.",
    estimate_days=4,
)


def restated(runtime: Runtime, **overrides: Any) -> int:
    """The owner restated it (awaiting approval)."""
    task_id = created(runtime, **overrides)
    assert (
        confirmation.submit_restatement(
            runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, restatement=GENUINE
        )
        is None
    )
    return task_id


def active(runtime: Runtime, **overrides: Any) -> int:
    """Approved, with its first check-in sent to the owner (ts "1.000100")."""
    task_id = restated(runtime, **overrides)
    assert (
        confirmation.approve(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD) is None
    )
    send_checkin(runtime, task_id, "1.000100")
    return task_id


def send_checkin(runtime: Runtime, task_id: int, ts: str) -> None:
    """The sender delivered the task's queued check-in as the message `ts`."""
    with session_scope(runtime.sessions) as session:
        row = session.scalars(
            sa.select(Outbox).where(
                Outbox.task_id == task_id,
                Outbox.kind == OutboxKind.CHECKIN,
                Outbox.state == OutboxState.PENDING,
            )
        ).one()
        row.state, row.ts, row.channel, row.sent_at = OutboxState.SENT, ts, OWNER, MONDAY


def done(runtime: Runtime) -> int:
    """Marked done by the owner (awaiting acceptance)."""
    task_id = active(runtime)
    assert (
        checkins.mark_done(
            runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, summary="Sent", link=""
        )
        is None
    )
    return task_id


def accepted(runtime: Runtime) -> int:
    """Accepted by the lead (completed; the owner's survey is out)."""
    task_id = done(runtime)
    assert completion.accept(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD) is None
    return task_id


def task_state(runtime: Runtime, task_id: int) -> TaskState:
    with session_scope(runtime.sessions) as session:
        return session.scalars(sa.select(Task.state).where(Task.id == task_id)).one()


# --- check-in answers, one at a time ----------------------------------------------------------


def answer(runtime: Runtime, task_id: int, given: CheckinAnswer, ts: str = "1.000100") -> Any:
    return checkins.answer_checkin(
        runtime=runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, answer=given, message_ts=ts
    )


def test_a_double_tap_on_at_risk_records_one_answer_and_alerts_the_lead_once(
    runtime: Runtime,
) -> None:
    task_id = active(runtime)
    assert answer(runtime, task_id, CheckinAnswer.AT_RISK) is None
    assert answer(runtime, task_id, CheckinAnswer.AT_RISK) is None  # the same, changes nothing
    assert count(runtime, StatusUpdate) == 1
    assert queued(runtime, OutboxKind.ESCALATION) == 1
    # One edit of the check-in message, not two.
    assert queued(runtime, OutboxKind.NOTICE, UPDATE_EDITS) == EDITS_BEFORE + 1


def test_on_track_twice_advances_the_rhythm_once(runtime: Runtime) -> None:
    task_id = active(runtime)
    for _ in range(2):
        assert answer(runtime, task_id, CheckinAnswer.ON_TRACK) is None
    with session_scope(runtime.sessions) as session:
        assert session.scalars(sa.select(Task.on_track_streak)).one() == 1
    assert count(runtime, StatusUpdate) == 1


def test_a_different_answer_to_an_answered_checkin_is_refused_privately(runtime: Runtime) -> None:
    task_id = active(runtime)
    assert answer(runtime, task_id, CheckinAnswer.ON_TRACK) is None
    refused = answer(runtime, task_id, CheckinAnswer.BLOCKED)
    assert isinstance(refused, Refusal)
    assert "already answered" in refused.message and "on track" in refused.message
    assert count(runtime, StatusUpdate) == 1
    assert queued(runtime, OutboxKind.ESCALATION) == 0


def test_an_older_checkin_says_it_is_out_of_date(runtime: Runtime) -> None:
    task_id = active(runtime)
    with session_scope(runtime.sessions) as session:  # the next one went out unanswered
        task = repo.get_task(session=session, team_id=TEAM, task_id=task_id)
        assert task is not None
        checkins.schedule_next_checkin(runtime, session, task, after=MONDAY + timedelta(days=1))
    send_checkin(runtime, task_id, "2.000200")
    refused = answer(runtime, task_id, CheckinAnswer.AT_RISK, ts="1.000100")
    assert isinstance(refused, Refusal) and "out of date" in refused.message
    assert count(runtime, StatusUpdate) == 0
    assert answer(runtime, task_id, CheckinAnswer.AT_RISK, ts="2.000200") is None


def test_an_answer_after_the_task_ended_says_so(runtime: Runtime) -> None:
    task_id = active(runtime)
    assert confirmation.cancel(runtime=runtime, team_id=TEAM, task_id=task_id, user_id=LEAD) is None
    refused = answer(runtime, task_id, CheckinAnswer.ON_TRACK)
    assert isinstance(refused, Refusal) and "cancelled" in refused.message
    assert count(runtime, StatusUpdate) == 0


def test_a_second_submit_of_the_brief_modal_creates_nothing(runtime: Runtime) -> None:
    first = created(runtime, view_id="V0SAME")
    again = created(runtime, view_id="V0SAME")
    assert again == first
    assert count(runtime, Task) == 1 and queued(runtime, OutboxKind.BRIEF) == 1
    created(runtime, view_id="V0OTHER")  # another modal is another brief
    assert count(runtime, Task) == 2


# --- every writing interaction, five at once ---------------------------------------------------


def _text_like(pattern: str) -> Any:
    return Outbox.payload["args"]["text"].as_string().like(pattern)


@dataclass
class Case:
    """An interaction: how to get there, the call, what it leaves, and what that must be."""

    setup: Callable[[Runtime], int]
    call: Callable[[Runtime, int], Any]
    effect: Callable[[Runtime], tuple[int, ...]]
    once: tuple[int, ...]
    then: Callable[[Runtime, int], None] = field(default=lambda runtime, task_id: None)


def _svc(
    function: Callable[..., Any], user_id: str, **kwargs: Any
) -> Callable[[Runtime, int], Any]:
    return lambda runtime, task_id: function(
        runtime=runtime, team_id=TEAM, task_id=task_id, user_id=user_id, **kwargs
    )


def _survey_id(runtime: Runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return session.scalars(
            sa.select(Survey.id).where(Survey.kind == "owner").order_by(Survey.id).limit(1)
        ).one()


def _project_id(runtime: Runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return session.scalars(sa.select(Project.id)).one()


def _is(state: TaskState) -> Callable[[Runtime, int], None]:
    def check(runtime: Runtime, task_id: int) -> None:
        assert task_state(runtime, task_id) is state

    return check


def _answers(runtime: Runtime) -> tuple[int, ...]:
    return count(runtime, StatusUpdate), queued(runtime, OutboxKind.ESCALATION)


CASES: dict[str, Case] = {
    "checkin answer": Case(
        active,
        lambda runtime, task_id: answer(runtime, task_id, CheckinAnswer.AT_RISK),
        _answers,
        (1, 1),
    ),
    "progress modal": Case(
        active,
        _svc(
            checkins.answer_checkin,
            OWNER,
            answer=CheckinAnswer.BLOCKED,
            note="Waiting on finance",
            source=UpdateSource.UNPROMPTED,
            view_id="V0UPDATE",
        ),
        _answers,
        (1, 1),
    ),
    "brief": Case(
        lambda runtime: 0,
        lambda runtime, _: created(runtime, view_id="V0FIVE"),
        lambda runtime: (count(runtime, Task), queued(runtime, OutboxKind.BRIEF)),
        (1, 1),
    ),
    "restatement": Case(
        created,
        _svc(confirmation.submit_restatement, OWNER, restatement=GENUINE),
        lambda runtime: (count(runtime, Restatement), queued(runtime, OutboxKind.REVIEW)),
        (1, 1),
        _is(TaskState.AWAITING_APPROVAL),
    ),
    "approve": Case(
        restated,
        _svc(confirmation.approve, LEAD),
        lambda runtime: (audits(runtime, "approved"), queued(runtime, OutboxKind.CHECKIN)),
        (1, 1),
        _is(TaskState.ACTIVE),
    ),
    "clarify": Case(
        restated,
        _svc(confirmation.clarify, LEAD, note="Which finance sign-off?"),
        lambda runtime: (audits(runtime, "clarified"), queued(runtime, OutboxKind.CLARIFICATION)),
        (1, 1),
    ),
    "cancel": Case(
        active,
        _svc(confirmation.cancel, LEAD),
        lambda runtime: (audits(runtime, "cancelled"),),
        (1,),
        _is(TaskState.CANCELLED),
    ),
    "decline": Case(
        created,
        _svc(conversation.decline, OWNER, text="I'm on the Globex launch."),
        lambda runtime: (audits(runtime, "declined"), queued(runtime, OutboxKind.REVIEW)),
        (1, 1),
    ),
    "reassign": Case(
        restated,
        _svc(confirmation.reassign, LEAD, new_owner=user(OTHER)),
        # The first owner's brief and the new owner's.
        lambda runtime: (audits(runtime, "reassigned"), queued(runtime, OutboxKind.BRIEF)),
        (1, 2),
    ),
    "done": Case(
        active,
        _svc(checkins.mark_done, OWNER, summary="Deck sent to finance", link=""),
        lambda runtime: (audits(runtime, "marked_done"), queued(runtime, OutboxKind.ACCEPTANCE)),
        (1, 1),
    ),
    "accept": Case(
        done,
        _svc(completion.accept, LEAD),
        # The owner's survey and the lead's self-assessment.
        lambda runtime: (audits(runtime, "accepted"), count(runtime, Survey)),
        (1, 2),
    ),
    "reopen": Case(
        done,
        _svc(completion.reopen, LEAD, text="The numbers are last year's."),
        lambda runtime: (audits(runtime, "reopened"),),
        (1,),
    ),
    "thanks": Case(
        accepted,
        _svc(completion.thank, LEAD, text="Great deck, thank you!", share=True),
        # Shared, but this brief names no update channel: the owner's DM only.
        lambda runtime: (queued(runtime, OutboxKind.RECOGNITION), audits(runtime, "thanked")),
        (1, 1),
    ),
    "question": Case(
        created,
        _svc(conversation.ask, OWNER, text="Can Tom help?", view_id="V0ASK"),
        lambda runtime: (audits(runtime, "asked"),),
        (1,),
    ),
    "reply": Case(
        created,
        _svc(conversation.reply, LEAD, text="Yes, ask him.", view_id="V0REPLY"),
        lambda runtime: (audits(runtime, "replied"),),
        (1,),
    ),
    "alert reply": Case(
        active,
        _svc(checkins.reply_to_owner, LEAD, text="Let's talk at 2.", view_id="V0ALERT"),
        lambda runtime: (queued(runtime, OutboxKind.NOTICE, _text_like("%replied about%")),),
        (1,),
    ),
    "snooze": Case(
        active,
        _svc(checkins.snooze, OWNER, days=1, message_ts="1.000100"),
        # One check-in queued, and the check-in message edited once.
        lambda runtime: (
            queued(runtime, OutboxKind.CHECKIN, Outbox.state == OutboxState.PENDING),
            queued(runtime, OutboxKind.NOTICE, UPDATE_EDITS),
        ),
        (1, EDITS_BEFORE + 1),
    ),
    "extend": Case(
        active,
        _svc(checkins.change_due_date, LEAD, new_date=MONDAY.date() + timedelta(days=30)),
        lambda runtime: (
            audits(runtime, "due_date_changed"),
            queued(runtime, OutboxKind.NOTICE, _text_like("%moved the due date%")),
        ),
        (1, 1),
    ),
    "project close": Case(
        lambda runtime: active(runtime, new_project="Apollo"),
        lambda runtime, _: feedback.close_project(
            runtime=runtime, team_id=TEAM, user_id=LEAD, project_id=_project_id(runtime)
        ),
        lambda runtime: (audits(runtime, "project_closed"), count(runtime, Survey)),
        (1, 2),
    ),
    "survey": Case(
        accepted,
        lambda runtime, _: feedback.submit_survey(
            runtime=runtime,
            team_id=TEAM,
            survey_id=_survey_id(runtime),
            user_id=OWNER,
            answers=SurveyInput(
                clarity=4, skills_fit=4, challenge=3, rhythm_fit=RhythmFit.ABOUT_RIGHT
            ),
        ),
        lambda runtime: (count(runtime, SurveyResponse),),
        (1,),
    ),
    "settings": Case(
        active,
        lambda runtime, _: save_settings(
            runtime=runtime,
            team_id=TEAM,
            user=user(OWNER),
            chosen=SettingsInput(
                tz=LONDON,
                checkin_time=time(11, 0),
                working_days=frozenset(range(5)),
                ooo_start=MONDAY.date() + timedelta(days=3),
                ooo_end=MONDAY.date() + timedelta(days=4),
            ),
        ),
        # The lead hears once about the time away; one check-in stays queued.
        lambda runtime: (
            queued(runtime, OutboxKind.NOTICE, _text_like("%out of office%")),
            queued(runtime, OutboxKind.CHECKIN, Outbox.state == OutboxState.PENDING),
        ),
        (1, 1),
    ),
    "profile": Case(
        active,
        lambda runtime, _: save_profile(
            runtime=runtime,
            team_id=TEAM,
            user=user(OWNER),
            chosen=ProfileInput(skills=("Pricing",), experience="Ran renewals", capacity=4),
        ),
        lambda runtime: (audits(runtime, "approved"),),
        (1,),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_five_at_once_have_one_effect_and_none_fails(runtime: Runtime, name: str) -> None:
    case = CASES[name]
    task_id = case.setup(runtime)
    at_once(lambda: case.call(runtime, task_id))
    assert case.effect(runtime) == case.once
    case.then(runtime, task_id)
    # Once more, late and on its own (Slack delivering it again): still the one effect.
    case.call(runtime, task_id)
    assert case.effect(runtime) == case.once
