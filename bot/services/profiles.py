"""Profiles: skills, experience and capacity, and the owner suggestions they feed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain.calendar import describe_working_days
from bot.domain.suggest import Candidate, Suggestion, normalise_skill, suggest_owners
from bot.runtime import Runtime
from bot.services.checkins import checkin_time
from bot.services.common import calendar_of
from bot.services.delegations import SlackUser, person_from_slack
from bot.services.home import refresh_home_and_leads
from bot.views.delegation import OwnerHelp
from bot.views.profile import ProfileInput, ProfileView
from storage import repositories as repo
from storage.db import session_scope
from storage.models import Person, Task, decode_working_days

SKILL_OPTIONS_MAX = 100
# Without a due date yet, suggestions look at the next two weeks of time away.
SUGGESTION_HORIZON = dt.timedelta(days=14)


def skill_options(runtime: Runtime, session: Session, team_id: str) -> list[str]:
    """The team's skill list, then skills people added themselves (at most 100 in all)."""
    found: dict[str, str] = {normalise_skill(s): s for s in runtime.settings.skill_list}
    extra: dict[str, str] = {}
    for skills in session.scalars(
        sa.select(Person.skills).where(Person.team_id == team_id, Person.is_deleted.is_(False))
    ):
        for skill in skills or []:
            key = normalise_skill(str(skill))
            if key and key not in found:
                extra.setdefault(key, str(skill))
    ordered = list(found.values()) + sorted(extra.values(), key=str.casefold)
    return ordered[:SKILL_OPTIONS_MAX]


def _view(runtime: Runtime, person: Person, open_count: int = 0) -> ProfileView:
    days = decode_working_days(person.working_days) if person.working_days else None
    away = (person.ooo_start, person.ooo_end) if person.ooo_start and person.ooo_end else None
    return ProfileView(
        user_id=person.slack_user_id,
        name=person.real_name or person.display_name or person.slack_user_id,
        skills=tuple(person.skills or ()),
        experience=person.experience or "",
        capacity=person.capacity,
        default_capacity=runtime.settings.open_delegation_soft_limit,
        tz=person.effective_tz,
        working_days=describe_working_days(days or runtime.settings.working_weekdays),
        check_in=checkin_time(runtime, person).strftime("%H:%M"),
        away=away,
        open_count=open_count,
    )


def profile_form(
    *, runtime: Runtime, team_id: str, user: SlackUser
) -> tuple[ProfileView, list[str]]:
    """The person's profile and the skills to offer them."""
    with session_scope(runtime.sessions) as session:
        person = person_from_slack(runtime, session, team_id, user)
        return _view(runtime, person), skill_options(runtime, session, team_id)


def save_profile(*, runtime: Runtime, team_id: str, user: SlackUser, chosen: ProfileInput) -> None:
    """Store the person's own profile; their Home shows it."""
    with session_scope(runtime.sessions) as session:
        person = person_from_slack(runtime, session, team_id, user)
        if (list(person.skills), person.experience, person.capacity) == (
            list(chosen.skills),
            chosen.experience,
            chosen.capacity,
        ):
            # The same form submitted again: nothing to store, no Home to publish.
            return
        person.skills = list(chosen.skills)
        person.experience = chosen.experience
        person.capacity = chosen.capacity
        person.updated_at = runtime.clock()
        refresh_home_and_leads(runtime, session, team_id, person)
    runtime.kick_sweep()


def team_profiles(*, runtime: Runtime, team_id: str, lead_user_id: str) -> list[ProfileView]:
    """Profiles of everyone the lead has delegated to, with their open load."""
    with session_scope(runtime.sessions) as session:
        lead = repo.get_person(session=session, team_id=team_id, slack_user_id=lead_user_id)
        if lead is None:
            return []
        team = sa.select(Task.owner_id).where(Task.team_id == team_id, Task.lead_id == lead.id)
        people = session.scalars(
            sa.select(Person)
            .where(
                Person.team_id == team_id,
                Person.id.in_(team),
                Person.id != lead.id,
                Person.is_deleted.is_(False),
            )
            .order_by(Person.real_name, Person.display_name, Person.id)
        ).all()
        load = repo.open_load_by_owner(session=session, team_id=team_id)
        return [_view(runtime, p, load.get(p.id, 0)) for p in people]


def suggestions(
    *,
    runtime: Runtime,
    team_id: str,
    lead_user_id: str,
    needed: list[str],
    due: dt.date | None,
) -> list[Suggestion]:
    """Up to five people for the skills a brief needs, by skill match and spare capacity."""
    if not needed:
        return []
    with session_scope(runtime.sessions) as session:
        people = session.scalars(
            sa.select(Person).where(
                Person.team_id == team_id,
                Person.is_bot.is_(False),
                Person.is_deleted.is_(False),
            )
        ).all()
        load = repo.open_load_by_owner(session=session, team_id=team_id)
        default = runtime.settings.open_delegation_soft_limit
        candidates = [
            Candidate(
                user_id=p.slack_user_id,
                name=p.real_name or p.display_name or p.slack_user_id,
                skills=tuple(p.skills or ()),
                capacity=p.capacity if p.capacity is not None else default,
                open_count=load.get(p.id, 0),
                away=(p.ooo_start, p.ooo_end) if p.ooo_start and p.ooo_end else None,
            )
            for p in people
        ]
        lead = next((p for p in people if p.slack_user_id == lead_user_id), None)
        zone = calendar_of(runtime, lead).tz if lead else dt.UTC
    today = runtime.clock().astimezone(zone).date()
    end = due if due is not None and due >= today else today + SUGGESTION_HORIZON
    return suggest_owners(needed, candidates, period=(today, end), exclude={lead_user_id})


def owner_help(
    *,
    runtime: Runtime,
    team_id: str,
    lead_user_id: str,
    picked: list[str] | None = None,
    due: dt.date | None = None,
) -> OwnerHelp:
    """What the brief offers to choose an owner: the skill list, and suggestions if asked."""
    with session_scope(runtime.sessions) as session:
        options = tuple(skill_options(runtime, session, team_id))
    found = (
        suggestions(
            runtime=runtime, team_id=team_id, lead_user_id=lead_user_id, needed=picked, due=due
        )
        if picked
        else []
    )
    return OwnerHelp(options, tuple(found), asked=bool(picked))
