"""Follow-up over days of simulated time: nudges, missed check-ins, the adaptive rhythm,
the digest, overdue questions, snoozes, done, settings and time away.

One process, a clock the test moves, the real sender with its hooks, and the sandbox as
Slack: each scenario runs the schedule forward and reads what Slack received.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.types import (
    CheckinAnswer,
    Health,
    OutboxKind,
    OutboxState,
    Rhythm,
    TaskState,
    UpdateSource,
)
from bot.services import checkins, completion, people, settings
from bot.services.common import Refusal
from bot.services.delegations import SlackUser
from bot.views.settings import SettingsInput
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Task
from tests.helpers.followups import LEAD, MONDAY, OWNER, TEAM, World, at

DUE_FRIDAY = at(13, 23, 59)


def start(world: World, rhythm: Rhythm, due: dt.datetime = DUE_FRIDAY) -> None:
    """An active delegation from the lead to the owner (London), first check-in queued."""
    runtime = world.runtime
    with session_scope(runtime.sessions) as session:
        people = {
            user: repo.upsert_person(
                session=session, team_id=TEAM, slack_user_id=user, tz="Europe/London", now=MONDAY
            )
            for user in (LEAD, OWNER)
        }
        task = repo.create_task(
            session=session,
            team_id=TEAM,
            lead_id=people[LEAD].id,
            owner_id=people[OWNER].id,
            title="Acme renewal deck",
            goal="Keep Acme",
            due_at=due,
            due_tz="Europe/London",
            now=MONDAY,
        )
        task.state, task.rhythm, task.health = TaskState.ACTIVE, rhythm, Health.ON_TRACK
        task.agreed_due_at, task.activated_at = due, MONDAY
        session.flush()
        checkins.schedule_next_checkin(runtime, session, task, after=MONDAY)


def checkin_days(world: World) -> list[int]:
    """Days of March on which a check-in was sent."""
    sent = [r for r in world.rows(OutboxKind.CHECKIN) if r.state == OutboxState.SENT]
    return [r.due_at.day for r in sent]


def test_silence_gets_one_nudge_a_day_and_the_lead_hears_after_two_missed(world: World) -> None:
    start(world, Rhythm.DAILY)
    world.run_until(at(2, 23))
    owner = world.texts(OWNER)
    assert len(owner) == 2 and "gentle nudge" in owner[1]
    [nudge] = world.rows(OutboxKind.RENUDGE)
    assert nudge.sent_at == at(2, 14)  # 10:00 plus 4 working hours
    world.run_until(at(3, 23))
    assert world.task().missed_checkins == 1
    assert not any("hasn't answered" in text for text in world.texts(LEAD))
    world.run_until(at(5, 23))
    told = [text for text in world.texts(LEAD) if "hasn't answered" in text]
    assert len(told) == 1 and "last 2 check-ins" in told[0]
    assert checkin_days(world) == [2, 3, 4, 5]
    assert len(world.rows(OutboxKind.RENUDGE)) == 4


def test_answers_stop_the_nudge_relax_the_rhythm_and_risk_tightens_it(world: World) -> None:
    start(world, Rhythm.DAILY)
    for day in (2, 3, 4):
        world.run_until(at(day, 10, 5))
        world.answer(CheckinAnswer.ON_TRACK)
    world.run_until(at(4, 23))
    assert all(row.state == OutboxState.CANCELLED for row in world.rows(OutboxKind.RENUDGE))
    assert not any("nudge" in text for text in world.texts(OWNER))
    assert world.task().rhythm is Rhythm.TWICE_WEEKLY
    edits = [c.params["text"] for c in world.sandbox.calls_to("chat.update")]
    assert "I'll check in twice a week from now on" in edits[-1]
    world.run_until(at(9, 12))
    assert checkin_days(world) == [2, 3, 4, 5, 9]  # twice a week: Thursday, Monday
    world.answer(CheckinAnswer.BLOCKED, note="Finance hasn't sent the Q3 numbers")
    task = world.task()
    assert (task.rhythm, task.tightened_from) == (Rhythm.DAILY, Rhythm.TWICE_WEEKLY)
    world.run_until(at(9, 13))
    [alert] = [m for m in world.sandbox.messages(LEAD) if ":warning:" in m["text"]]
    assert "Q3 numbers" in str(alert["blocks"]) and "Extend due date" in str(alert["blocks"])
    world.run_until(at(10, 10, 5))
    assert checkin_days(world)[-1] == 10  # daily again
    world.answer(CheckinAnswer.ON_TRACK)
    assert world.task().rhythm is Rhythm.TWICE_WEEKLY


def test_the_lead_gets_one_digest_on_days_with_news_only(world: World) -> None:
    start(world, Rhythm.DAILY)
    world.run_until(at(2, 10, 5))
    world.answer(CheckinAnswer.ON_TRACK, note="Outline agreed with Sales")
    refused = checkins.answer_checkin(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=world.task().id,
        user_id=OWNER,
        answer=CheckinAnswer.ON_TRACK,
        source=UpdateSource.UNPROMPTED,
    )
    assert refused is None
    [digest] = world.rows(OutboxKind.DIGEST)
    assert digest.due_at == at(2, 16, 30)
    world.run_until(at(3, 23))  # Tuesday: no answers, so no news
    digests = [m for m in world.sandbox.messages(LEAD) if "delegations today" in m["text"]]
    assert len(digests) == 1
    shown = str(digests[0]["blocks"])
    assert "Acme renewal deck" in shown and "Next check-in" in shown and "on track" in shown


def test_overdue_questions_stop_after_three_and_a_new_date_resumes_checkins(world: World) -> None:
    start(world, Rhythm.WEEKLY, due=at(4, 23, 59))  # due Wednesday
    world.run_until(at(11, 23))
    assert checkin_days(world) == [2, 3]  # the week's first day, the day before due
    asked = [r for r in world.rows(OutboxKind.OVERDUE) if r.state == OutboxState.SENT]
    assert [r.sent_at for r in asked] == [at(5, 10), at(6, 10), at(9, 10)]
    assert sum("isn't marked done" in text for text in world.texts(LEAD)) == 1
    problem = checkins.change_due_date(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=world.task().id,
        user_id=OWNER,
        new_date=dt.date(2026, 3, 11),
    )
    assert problem == "Pick a day after today."
    assert (
        checkins.change_due_date(
            runtime=world.runtime,
            team_id=TEAM,
            task_id=world.task().id,
            user_id=OWNER,
            new_date=dt.date(2026, 3, 20),
        )
        is None
    )
    world.run_until(at(19, 23))
    assert any("set a new date" in text for text in world.texts(LEAD))
    assert checkin_days(world)[-1] == 19


def test_snooze_puts_the_checkin_off_and_refuses_a_day_past_due(world: World) -> None:
    start(world, Rhythm.DAILY)
    world.run_until(at(2, 10, 5))
    task_id = world.task().id
    kwargs = {"runtime": world.runtime, "team_id": TEAM, "task_id": task_id, "user_id": OWNER}
    late = checkins.snooze(**kwargs, until=dt.date(2026, 3, 20))  # type: ignore[arg-type]
    assert isinstance(late, str) and "before the due date" in late
    assert checkins.snooze(**kwargs, days=3, message_ts=world.last_checkin_ts()) is None  # type: ignore[arg-type]
    world.run_until(at(6, 12))
    assert checkin_days(world) == [2, 5, 6]
    assert "Snoozed" in world.sandbox.calls_to("chat.update")[-1].params["text"]


def test_done_stops_follow_up_and_tells_the_lead(world: World) -> None:
    start(world, Rhythm.DAILY)
    world.run_until(at(2, 10, 5))
    stranger = checkins.mark_done(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=world.task().id,
        user_id=LEAD,
        summary="x",
        link="",
    )
    assert stranger is not None and "Only" in stranger.message
    done = checkins.mark_done(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=world.task().id,
        user_id=OWNER,
        summary="Deck sent to Acme",
        link="https://example.com/deck",
    )
    assert done is None
    assert world.task().state is TaskState.AWAITING_ACCEPTANCE
    world.run_until(at(6, 23))
    assert checkin_days(world) == [2]
    assert any("Deck sent to Acme" in str(m["blocks"]) for m in world.sandbox.messages(LEAD))


def test_time_away_pauses_checkins_and_the_lead_hears_once(world: World) -> None:
    start(world, Rhythm.DAILY)
    owner = SlackUser(user_id=OWNER, display_name="marcus", tz="Europe/London")
    away = SettingsInput(
        tz="",
        checkin_time=dt.time(10, 0),
        working_days=frozenset(range(5)),
        ooo_start=dt.date(2026, 3, 3),
        ooo_end=dt.date(2026, 3, 4),
    )
    for _ in range(2):  # saving twice tells the lead once
        assert (
            settings.save_settings(runtime=world.runtime, team_id=TEAM, user=owner, chosen=away)
            == {}
        )
    world.run_until(at(6, 12))
    assert checkin_days(world) == [2, 5, 6]
    assert sum("out of office" in text for text in world.texts(LEAD)) == 1


def test_settings_move_checkins_to_the_new_zone_and_hour_and_refuse_bad_values(
    world: World,
) -> None:
    start(world, Rhythm.DAILY)
    owner = SlackUser(user_id=OWNER, display_name="marcus", tz="Europe/London")
    bad = SettingsInput(
        tz="Mars/Olympus",
        checkin_time=dt.time(9, 0),
        working_days=frozenset(),
        ooo_start=None,
        ooo_end=dt.date(2026, 3, 4),
    )
    errors = settings.save_settings(runtime=world.runtime, team_id=TEAM, user=owner, chosen=bad)
    assert set(errors) == {"tz", "days", "ooo_start"}
    good = SettingsInput(
        tz="Asia/Kolkata",
        checkin_time=dt.time(9, 0),
        working_days=frozenset(range(5)),
        ooo_start=None,
        ooo_end=None,
    )
    assert (
        settings.save_settings(runtime=world.runtime, team_id=TEAM, user=owner, chosen=good) == {}
    )
    pending = [r for r in world.rows(OutboxKind.CHECKIN) if r.state == OutboxState.PENDING]
    assert [r.due_at for r in pending] == [at(3, 3, 30)]  # 09:00 in Kolkata, Tuesday


def test_a_new_slack_time_zone_is_picked_up_daily_and_moves_checkins(world: World) -> None:
    start(world, Rhythm.DAILY)
    asked: list[str] = []

    def fetch(user_id: str) -> SlackUser:
        asked.append(user_id)
        return SlackUser(user_id=user_id, display_name="marcus", tz="America/New_York")

    world.clock.now = at(2, 20)
    assert people.refresh_time_zones(world.runtime, fetch) == 0
    assert asked == []  # refreshed less than a day ago
    world.clock.now = at(3, 9, 30)
    assert people.refresh_time_zones(world.runtime, fetch) == 1
    assert asked == [OWNER]
    pending = [r for r in world.rows(OutboxKind.CHECKIN) if r.state == OutboxState.PENDING]
    assert [r.due_at for r in pending] == [at(3, 15)]  # 10:00 in New York, same Tuesday
    assert people.refresh_time_zones(world.runtime, fetch) == 0 and asked == [OWNER]


def _done(world: World) -> int:
    """The owner marks the task done; returns its id."""
    task_id = world.task().id
    assert (
        checkins.mark_done(
            runtime=world.runtime,
            team_id=TEAM,
            task_id=task_id,
            user_id=OWNER,
            summary="Deck sent to Acme",
            link="",
        )
        is None
    )
    return task_id


def test_the_lead_accepts_then_thanks_in_the_dm_and_the_update_channel(world: World) -> None:
    start(world, Rhythm.DAILY)
    with session_scope(world.runtime.sessions) as session:
        session.scalars(sa.select(Task)).one().update_channel_id = "C0SBTEAM1"
    world.run_until(at(2, 10, 5))
    task_id = _done(world)
    world.run_until(at(2, 10, 6))
    [question] = [m for m in world.sandbox.messages(LEAD) if "is done" in m["text"]]
    assert "Accept" in str(question["blocks"]) and "Deck sent to Acme" in str(question["blocks"])
    ids = {"runtime": world.runtime, "team_id": TEAM, "task_id": task_id}
    early = completion.thanks_form(**ids, user_id=LEAD)  # type: ignore[arg-type]
    assert isinstance(early, Refusal) and "once the work is accepted" in early.message
    owner_try = completion.accept(**ids, user_id=OWNER)  # type: ignore[arg-type]
    assert owner_try is not None and "Only" in owner_try.message
    assert completion.accept(**ids, user_id=LEAD) is None  # type: ignore[arg-type]
    assert world.task().state is TaskState.COMPLETED
    again = completion.accept(**ids, user_id=LEAD)  # type: ignore[arg-type]
    assert again is not None  # a second click is refused, not applied twice
    form = completion.thanks_form(**ids, user_id=LEAD)  # type: ignore[arg-type]
    assert isinstance(form, completion.FinishForm) and form.channel_id == "C0SBTEAM1"
    assert "Acme renewal deck" in form.draft
    sent = completion.thank(**ids, user_id=LEAD, text="Brilliant <!here> work", share=True)  # type: ignore[arg-type]
    assert sent is None
    world.run_until(at(2, 10, 7))
    assert any("accepted" in text for text in world.texts(OWNER))
    [dm] = [m for m in world.sandbox.messages(OWNER) if ":clap:" in m["text"]]
    [post] = [m for m in world.sandbox.messages("C0SBTEAM1") if ":clap:" in m["text"]]
    shown = [b["text"]["text"] for b in dm["blocks"]]
    assert "Brilliant &lt;!here&gt; work" in shown[1]
    assert shown == [b["text"]["text"] for b in post["blocks"]]
    edits = [c.params["text"] for c in world.sandbox.calls_to("chat.update")]
    assert "thanked" in edits[-1] and "update channel too" in edits[-1]


def test_reopening_sends_the_reason_and_resumes_checkins(world: World) -> None:
    start(world, Rhythm.DAILY)
    world.run_until(at(2, 10, 5))
    task_id = _done(world)
    assert [r for r in world.rows(OutboxKind.CHECKIN) if r.state == OutboxState.PENDING] == []
    reopened = completion.reopen(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=task_id,
        user_id=LEAD,
        text="The pricing slide shows last year's numbers",
    )
    assert reopened is None
    assert world.task().state is TaskState.ACTIVE
    world.run_until(at(3, 10, 5))
    assert any("last year" in text and "reopened" in text for text in world.texts(OWNER))
    assert checkin_days(world) == [2, 3]
