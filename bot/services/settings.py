"""A person's own check-in settings: reading, checking, saving, and what follows a change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain.settings import away_problems, tz_problem
from bot.domain.types import TaskState
from bot.domain.workdays import local_instant
from bot.runtime import Runtime
from bot.services.checkins import checkin_time, reschedule
from bot.services.common import calendar_of, notify
from bot.services.delegations import SlackUser, person_from_slack
from bot.services.home import refresh_home_and_leads
from bot.views.brief_message import slack_date
from bot.views.settings import (
    DAYS_BLOCK,
    OOO_END_BLOCK,
    OOO_START_BLOCK,
    TIME_BLOCK,
    TZ_BLOCK,
    SettingsInput,
    SettingsView,
)
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Person, decode_working_days, encode_working_days


def settings_form(*, runtime: Runtime, team_id: str, user: SlackUser) -> SettingsView:
    """The person's current settings (refreshing their Slack time zone on the way)."""
    with session_scope(runtime.sessions) as session:
        person = person_from_slack(runtime, session, team_id, user)
        days = decode_working_days(person.working_days) if person.working_days else None
        return SettingsView(
            slack_tz=person.tz,
            tz_override=person.tz_override,
            checkin_time=checkin_time(runtime, person),
            working_days=days or runtime.settings.working_weekdays,
            ooo_start=person.ooo_start,
            ooo_end=person.ooo_end,
        )


def save_settings(
    *, runtime: Runtime, team_id: str, user: SlackUser, chosen: SettingsInput
) -> dict[str, str]:
    """Save valid settings and re-plan the person's check-ins; else errors by block."""
    errors: dict[str, str] = {}
    if problem := tz_problem(chosen.tz):
        errors[TZ_BLOCK] = problem
    if chosen.checkin_time is None:
        errors[TIME_BLOCK] = "Pick a check-in time."
    if not chosen.working_days:
        errors[DAYS_BLOCK] = "Tick at least one working day."
    with session_scope(runtime.sessions) as session:
        person = person_from_slack(runtime, session, team_id, user)
        today = runtime.clock().astimezone(calendar_of(runtime, person).tz).date()
        away = away_problems(chosen.ooo_start, chosen.ooo_end, today)
        errors.update(
            {OOO_START_BLOCK if k == "start" else OOO_END_BLOCK: v for k, v in away.items()}
        )
        if errors or chosen.checkin_time is None:
            return errors
        newly_away = (chosen.ooo_start, chosen.ooo_end) != (person.ooo_start, person.ooo_end)
        wanted = (
            chosen.tz or None,
            chosen.checkin_time.hour,
            chosen.checkin_time.minute,
            encode_working_days(chosen.working_days),
            chosen.ooo_start,
            chosen.ooo_end,
        )
        if wanted == _stored(person):
            # Nothing changed (the same form submitted again): nothing to re-plan or tell.
            return {}
        (
            person.tz_override,
            person.checkin_hour,
            person.checkin_minute,
            person.working_days,
            person.ooo_start,
            person.ooo_end,
        ) = wanted
        person.updated_at = runtime.clock()
        session.flush()
        _replan(runtime, session, person, tell_leads=newly_away and chosen.ooo_start is not None)
        refresh_home_and_leads(runtime, session, team_id, person)
    runtime.kick_sweep()
    return {}


def _stored(person: Person) -> tuple[object, ...]:
    """The person's settings as saved, in the order save_settings compares them."""
    return (
        person.tz_override,
        person.checkin_hour,
        person.checkin_minute,
        person.working_days,
        person.ooo_start,
        person.ooo_end,
    )


def _replan(runtime: Runtime, session: Session, person: Person, *, tell_leads: bool) -> None:
    """Queued check-ins follow the new calendar; leads hear once about an absence."""
    now = runtime.clock()
    tasks = repo.list_tasks_for_owner(
        session=session, team_id=person.team_id, owner_id=person.id, states=[TaskState.ACTIVE]
    )
    told: set[int] = set()
    for task in tasks:
        reschedule(runtime, session, task, after=now)
        if not tell_leads or task.lead_id in told or person.ooo_end is None:
            continue
        told.add(task.lead_id)
        calendar = calendar_of(runtime, person)
        back = local_instant(calendar, person.ooo_end, checkin_time(runtime, person))
        text = (
            f":palm_tree: <@{person.slack_user_id}> is out of office "
            f"{person.ooo_start.isoformat() if person.ooo_start else ''} to "
            f"{person.ooo_end.isoformat()}. Check-ins on their delegations pause and resume "
            f"on their next working day after {slack_date(back, with_time=False)}."
        )
        notify(
            runtime,
            session,
            task,
            task.lead,
            text,
            unique_key=f"ooo:{person.id}:{person.ooo_start}:{person.ooo_end}:{task.lead_id}",
        )
