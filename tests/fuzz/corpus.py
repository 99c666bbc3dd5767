"""Genuine payloads to mutate: what the real flows delivered, and every button they left behind.

The flows of tests/e2e run against the bot (a brief waiting for approval, one waiting for
confirmation, one taken through check-ins, an alert, done, accept and thanks; a project
closed with surveys; Home, settings and profile). Then every interactive element in every
message, ephemeral and view the sandbox holds is turned into the payload Slack would send
for it, built by the sandbox's own Deliverer but not sent, so no seed changes the bot's state.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.domain.types import TaskState
from sandbox.deliver import Deliverer
from sandbox.payloads import iter_elements
from sandbox.server import SandboxServer
from sandbox.transport import Delivery, EnvelopeType, Outgoing
from storage import repositories as repo
from storage.db import make_session_factory
from storage.models import Person, Survey, Task
from tests.fuzz.surface import Kind, Surface, Target
from tests.helpers.flows import LEAD, OWNER, submit, wait_until

PRIYA, CHLOE, TOM = "U0SBPRIY1", "U0SBCHLO1", "U0SBTOM01"
PROJECT = "Fuzz Q3"
RATINGS = {"clarity": "4", "skills_fit": "3", "challenge": "5", "rhythm_fit": "about_right"}
GENUINE = {
    "what": "A short deck that argues for renewing Acme without a price rise, ready for finance.",
    "how": "Pull their usage numbers, compare with the rival's offer, draft with Tom, then "
    "review with you before finance sees it.",
    "why": "If Acme walks we lose our biggest logo and the reference it gives us in retail.",
    "estimate": "4",
}


@dataclass
class Seed:
    """A genuine payload for one target, who sent it, and whether it acts on someone's object.

    `bound` seeds act on a task, survey or DM message that belongs to `actor`: anyone else
    sending them must change nothing. Unbound ones (commands, shortcuts, Home, the brief,
    settings and profile modals) act on the sender's own data, so anyone may send them.
    """

    target: Target
    envelope: EnvelopeType
    payload: dict[str, Any]
    actor: str
    bound: bool
    origin: str  # "flow": delivered by a real flow; "harvest": built from a live element


@dataclass
class Corpus:
    """Seeds by target, the ids the mutator may swap in, and who is a stranger to everything."""

    seeds: dict[Target, list[Seed]] = field(default_factory=dict)
    stranger: str = ""
    team_id: str = ""
    foreign_task_id: int = 0
    foreign_survey_id: int = 0
    foreign_parties: tuple[str, ...] = ()
    task_ids: tuple[int, ...] = ()

    def add(self, seed: Seed) -> None:
        """Keep a seed (the first few per target and origin are enough)."""
        same = [s for s in self.seeds.setdefault(seed.target, []) if s.origin == seed.origin]
        if len(same) < 6:
            self.seeds[seed.target].append(seed)

    def all(self) -> list[Seed]:
        """Every seed, in a stable order."""
        return [seed for target in sorted(self.seeds) for seed in self.seeds[target]]

    def missing(self, surface: Surface) -> list[Target]:
        """Discovered targets no flow produced a genuine payload for."""
        return [t for t in surface.targets if not self.seeds.get(t)]


def target_of(envelope: EnvelopeType, payload: Mapping[str, Any]) -> Target | None:
    """Which listener a payload is meant for."""
    if envelope == "slash_commands":
        return Target("command", str(payload.get("command")))
    if envelope == "events_api":
        event = payload.get("event") or {}
        return Target("event", str(event.get("type"))) if event else None
    kind = payload.get("type")
    if kind == "block_actions":
        return Target("block_actions", str(payload["actions"][0]["action_id"]))
    if kind in ("view_submission", "view_closed"):
        view_kind: Kind = "view_submission" if kind == "view_submission" else "view_closed"
        return Target(view_kind, str(payload["view"].get("callback_id")))
    if kind in ("shortcut", "message_action"):
        shortcut_kind: Kind = "shortcut" if kind == "shortcut" else "message_action"
        return Target(shortcut_kind, str(payload.get("callback_id")))
    return None


def actor_of(envelope: EnvelopeType, payload: Mapping[str, Any]) -> str:
    """Who sent a genuine payload."""
    if envelope == "slash_commands":
        return str(payload.get("user_id"))
    if envelope == "events_api":
        return str((payload.get("event") or {}).get("user"))
    return str((payload.get("user") or {}).get("id"))


def metadata_refs(view: Mapping[str, Any]) -> dict[str, Any]:
    """The object ids a view's private_metadata carries (task_id, survey_id, ...)."""
    try:
        data = json.loads(str(view.get("private_metadata") or "null"))
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k.endswith("_id") and isinstance(v, int)}


class RecordingDeliverer(Deliverer):
    """A Deliverer that keeps every payload it delivers, or only builds them when `dry`."""

    def __init__(self, server: SandboxServer, request_url: str) -> None:
        super().__init__(server, request_url)
        self.dry = False
        self.recorded: list[tuple[EnvelopeType, dict[str, Any]]] = []

    def _deliver(self, kind: EnvelopeType, payload: dict[str, Any], **options: Any) -> Delivery:
        self.recorded.append((kind, copy.deepcopy(payload)))
        if self.dry:
            outgoing = Outgoing(kind, payload)
            return Delivery(outgoing.type, "http", payload, 0, "")
        return super()._deliver(kind, payload, **options)


def _seed_project(database: sa.Engine, team_id: str) -> None:
    """A closed-ready project of the lead, plus a task between two others (the foreign task)."""
    now = datetime.now(UTC)
    # BEGIN IMMEDIATE as the app does: the bot writes to this file meanwhile, and a deferred
    # transaction that reads and then writes would fail at once if it committed in between.
    with make_session_factory(database, sqlite_begin="IMMEDIATE")() as session, session.begin():

        def person(user: str) -> Person:
            return repo.upsert_person(
                session=session, team_id=team_id, slack_user_id=user, tz="Europe/London", now=now
            )

        lead = person(LEAD)
        project = repo.create_project(
            session=session, team_id=team_id, name=PROJECT, lead_id=lead.id, now=now
        )
        for user in (PRIYA, CHLOE):
            task = repo.create_task(
                session=session,
                team_id=team_id,
                lead_id=lead.id,
                owner_id=person(user).id,
                title=f"{PROJECT} part for {user}",
                goal="Keep Acme",
                due_at=now + timedelta(days=3),
                due_tz="Europe/London",
                now=now - timedelta(days=20),
                project_id=project.id,
            )
            task.state, task.activated_at = TaskState.COMPLETED, now - timedelta(days=19)
            task.done_at = task.completed_at = now - timedelta(days=1)
        # Chloe delegates to Priya: neither the lead nor Marcus has any part in this one.
        foreign = repo.create_task(
            session=session,
            team_id=team_id,
            lead_id=person(CHLOE).id,
            owner_id=person(PRIYA).id,
            title="Chloe's own task",
            goal="Not yours",
            due_at=now + timedelta(days=9),
            due_tz="Europe/London",
            now=now,
        )
        foreign.state, foreign.activated_at = TaskState.ACTIVE, now


def _dm_posts(sandbox: SandboxServer, user: str, needle: str) -> list[Any]:
    return [
        c
        for c in sandbox.calls_to("chat.postMessage")
        if c.params.get("channel") == user and needle in str(c.params)
    ]


def _opened(sandbox: SandboxServer, count: int) -> str:
    call = sandbox.wait_for_call("views.open", count=count, timeout=10)[-1]
    return str(call.response["view"]["id"])


def _click(slack: Deliverer, user: str, action: str, call: Any, value: Any = None) -> None:
    slack.block_action(
        user,
        action,
        value=value,
        message={"ts": call.response["ts"]},
        channel_id=call.response["channel"],
    )


def _stale_click(slack: Deliverer, user: str, action: str, call: Any) -> None:
    found = next(
        element
        for _, element in iter_elements(list(call.params.get("blocks") or []))
        if element.get("action_id") == action
    )
    slack.block_action(user, action, value=found.get("value"), channel_id=call.response["channel"])


def run_flows(sandbox: SandboxServer, slack: RecordingDeliverer, database: sa.Engine) -> None:
    """Drive the bot through the flows whose payloads and leftover buttons become seeds."""
    team_id = sandbox.workspace.team_id
    _seed_project(database, team_id)

    # Task A: restated, waiting for the lead's review (approve/clarify/cancel/reassign live).
    submit(sandbox, slack)
    wait_until(lambda: len(_dm_posts(sandbox, OWNER, "brief_confirm")) == 1)
    brief_a = _dm_posts(sandbox, OWNER, "brief_confirm")[0]
    opens = len(sandbox.calls_to("views.open"))
    _click(slack, OWNER, "brief_confirm", brief_a)
    view = _opened(sandbox, opens + 1)
    slack.view_submission(OWNER, view, {b: {"value": v} for b, v in GENUINE.items()})
    wait_until(lambda: bool(_dm_posts(sandbox, LEAD, "review_approve")))

    # Task B: a brief to Priya, unconfirmed (confirm/question/decline live).
    submit(sandbox, slack, owner=PRIYA, title="Pricing memo")
    wait_until(lambda: bool(_dm_posts(sandbox, PRIYA, "brief_confirm")))

    # Task C: approved, asked for a check-in, blocked, done, accepted: alerts and thanks live.
    submit(sandbox, slack, owner=TOM, title="Churn review")
    wait_until(lambda: bool(_dm_posts(sandbox, TOM, "brief_confirm")))
    opens = len(sandbox.calls_to("views.open"))
    _click(slack, TOM, "brief_confirm", _dm_posts(sandbox, TOM, "brief_confirm")[0])
    view = _opened(sandbox, opens + 1)
    slack.view_submission(TOM, view, {b: {"value": v} for b, v in GENUINE.items()})
    wait_until(lambda: len(_dm_posts(sandbox, LEAD, "review_approve")) == 2)
    _click(slack, LEAD, "review_approve", _dm_posts(sandbox, LEAD, "review_approve")[-1])
    with database.connect() as db:
        task_c = db.execute(sa.select(Task.id).where(Task.title == "Churn review")).scalar_one()
    _make_checkin_due(database, task_c)
    wait_until(lambda: bool(_dm_posts(sandbox, TOM, "checkin_blocked")), timeout=15)
    checkin = _dm_posts(sandbox, TOM, "checkin_blocked")[0]
    _click(slack, TOM, "checkin_blocked", checkin)
    wait_until(lambda: bool(_dm_posts(sandbox, LEAD, "alert_reply")))
    opens = len(sandbox.calls_to("views.open"))
    # The answer replaced the buttons; Done is clicked on the rendering Tom still sees.
    _stale_click(slack, TOM, "checkin_done", checkin)
    done = _opened(sandbox, opens + 1)
    slack.view_submission(TOM, done, {"summary": {"value": "Churn review sent"}})
    wait_until(lambda: bool(_dm_posts(sandbox, LEAD, "done_accept")))
    _click(slack, LEAD, "done_accept", _dm_posts(sandbox, LEAD, "done_accept")[0])
    wait_until(lambda: "done_thanks" in str(sandbox.calls_to("chat.update")))

    # A project closed: survey DMs to the owners and the lead (survey_open live).
    slack.slash_command(LEAD, f"project close {PROJECT}")
    wait_until(lambda: any("project_close" in str(e.message) for e in sandbox.ephemerals(LEAD)))
    with database.connect() as db:
        project_id = db.execute(sa.text("SELECT id FROM projects")).scalar_one()
    slack.block_action(
        LEAD,
        "project_close",
        value=str(project_id),
        channel_id=sandbox.workspace.default_channel_id,
    )
    wait_until(lambda: bool(_dm_posts(sandbox, PRIYA, "survey_open")))
    opens = len(sandbox.calls_to("views.open"))
    _click(slack, PRIYA, "survey_open", _dm_posts(sandbox, PRIYA, "survey_open")[0])
    survey = _opened(sandbox, opens + 1)
    slack.view_submission(PRIYA, survey, {k: {k: v} for k, v in RATINGS.items()})

    # Everyone's own surfaces: commands, shortcuts, Home.
    for text in ("", "help", "bogus", "list", "settings", "profile", "update", "feedback"):
        slack.slash_command(LEAD, text)
    slack.slash_command(TOM, "update")
    slack.global_shortcut(LEAD, "new_delegation")
    channel = sandbox.workspace.default_channel_id
    posted = sandbox.state.store_message(
        channel,
        {"type": "message", "user": TOM, "text": "Could someone chase Acme?", "ts": "1.000001"},
    )
    slack.message_shortcut(LEAD, "delegate_message", posted, channel)
    for user in (LEAD, TOM):
        slack.app_home_opened(user)
    slack.user_message(TOM, "How do I use this?")  # typed in the Messages tab: help comes back
    wait_until(lambda: sandbox.home_view(LEAD) is not None)


def _make_checkin_due(database: sa.Engine, task_id: int) -> None:
    """Move the task's queued check-in to now, as if its morning had come."""
    from storage.models import Outbox

    wait_until(lambda: _pending_checkin(database, task_id) is not None)
    row = _pending_checkin(database, task_id)
    now = datetime.now(UTC)
    with database.begin() as db:
        db.execute(
            sa.update(Outbox)
            .where(Outbox.id == row)
            .values(due_at=now, unique_key=f"checkin:{task_id}:{now.isoformat()}")
        )


def _pending_checkin(database: sa.Engine, task_id: int) -> int | None:
    from bot.domain.types import OutboxKind, OutboxState
    from storage.models import Outbox

    with database.connect() as db:
        found = db.execute(
            sa.select(Outbox.id).where(
                Outbox.task_id == task_id,
                Outbox.kind == OutboxKind.CHECKIN,
                Outbox.state == OutboxState.PENDING,
            )
        ).first()
    return None if found is None else int(found[0])


def _view_users(sandbox: SandboxServer) -> dict[str, str]:
    """Which user each stored view was shown to (modals by trigger, Home by user)."""
    owners: dict[str, str] = {}
    triggers = sandbox.state._triggers
    for call in sandbox.calls:
        response = call.response if isinstance(call.response, dict) else {}
        view_id = (response.get("view") or {}).get("id")
        if not view_id:
            continue
        if call.method == "views.publish":
            owners[view_id] = str(call.params.get("user_id"))
        elif call.method in ("views.open", "views.push"):
            trigger = triggers.get(str(call.params.get("trigger_id")))
            if trigger is not None:
                owners[view_id] = trigger.user_id
    return owners


def harvest(sandbox: SandboxServer, slack: RecordingDeliverer, database: sa.Engine) -> Corpus:
    """Seeds from what the flows delivered, then from every element they left on screen."""
    ws = sandbox.workspace
    corpus = Corpus(team_id=ws.team_id)
    for envelope, payload in slack.recorded:
        target = target_of(envelope, payload)
        if target is None:
            continue
        bound = _bound(target, payload)
        corpus.add(Seed(target, envelope, payload, actor_of(envelope, payload), bound, "flow"))

    slack.dry, slack.recorded = True, []
    try:
        _harvest_messages(sandbox, slack)
        _harvest_views(sandbox, slack)
    finally:
        slack.dry = False
    for envelope, payload in slack.recorded:
        target = target_of(envelope, payload)
        if target is not None:
            bound = _bound(target, payload)
            actor = actor_of(envelope, payload)
            corpus.add(Seed(target, envelope, payload, actor, bound, "harvest"))

    with database.connect() as db:
        tasks = db.execute(sa.select(Task.id, Task.title, Task.lead_id, Task.owner_id)).all()
        people = dict(db.execute(sa.select(Person.id, Person.slack_user_id)).all())
        involved = {people[t.lead_id] for t in tasks} | {people[t.owner_id] for t in tasks}
        foreign = next(t for t in tasks if t.title == "Chloe's own task")
        surveys = db.execute(sa.select(Survey.id, Survey.respondent_id)).all()
    corpus.task_ids = tuple(sorted(int(t.id) for t in tasks))
    corpus.foreign_task_id = int(foreign.id)
    corpus.foreign_parties = (people[foreign.lead_id], people[foreign.owner_id])
    # A survey that is not Priya's or the lead's: Chloe's.
    corpus.foreign_survey_id = next(
        (int(s.id) for s in surveys if people.get(s.respondent_id) == CHLOE), 0
    )
    strangers = [
        u.id
        for u in ws.members
        if u.id not in involved and not u.is_bot and not u.deleted and u.id != "USLACKBOT"
    ]
    corpus.stranger = strangers[0]
    return corpus


def _bound(target: Target, payload: Mapping[str, Any]) -> bool:
    """Does this payload act on an object that belongs to its sender (see Seed)?"""
    if target.kind in ("command", "shortcut", "message_action", "event"):
        return False
    container = payload.get("container") or {}
    if target.kind == "block_actions" and container.get("type") == "message":
        # A click on a message in someone's DM with the bot (ephemerals are their own too).
        channel = str(container.get("channel_id") or "")
        return channel.startswith("D") or bool(container.get("is_ephemeral"))
    return bool(metadata_refs(payload.get("view") or {}))


def _harvest_messages(sandbox: SandboxServer, slack: Deliverer) -> None:
    ws = sandbox.workspace
    for channel, history in list(sandbox.state._messages.items()):
        dm_user = ws.dm_user(channel)
        user = dm_user.id if dm_user is not None and not dm_user.is_bot else LEAD
        for message in history:
            for block_id, element in iter_elements(list(message.get("blocks") or [])):
                _try(
                    slack.block_action,
                    user,
                    str(element["action_id"]),
                    message={"ts": message["ts"]},
                    channel_id=channel,
                    block_id=block_id,
                )
    for ephemeral in sandbox.ephemerals():
        blocks = list((ephemeral.message or {}).get("blocks") or [])
        for block_id, element in iter_elements(blocks):
            _try(
                slack.block_action,
                ephemeral.user,
                str(element["action_id"]),
                value=element.get("value"),
                channel_id=ephemeral.channel,
                block_id=block_id,
            )


def _harvest_views(sandbox: SandboxServer, slack: Deliverer) -> None:
    owners = _view_users(sandbox)
    for view_id, user in owners.items():
        view = sandbox.view(view_id)
        if view is None:
            continue
        for block_id, element in iter_elements(list(view.get("blocks") or [])):
            _try(
                slack.block_action, user, str(element["action_id"]), view=view_id, block_id=block_id
            )
        if view.get("type") == "modal" and view.get("callback_id"):
            _try(slack.view_submission, user, view_id)
            _try(slack.view_closed, user, view_id)


def _try(build: Any, *args: Any, **kwargs: Any) -> None:
    """Build one payload; an element the sandbox cannot click (a URL button) is skipped."""
    with contextlib.suppress(ValueError):
        build(*args, **kwargs)


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def synthesize(corpus: Corpus, surface: Surface) -> list[Target]:
    """Give every target no flow reached a seed borrowed from its nearest sibling.

    A block action takes the closest-named action's payload (checkin_snooze from
    checkin_done) with its own action_id; a view callback takes the closest view's payload;
    a shortcut takes its other kind's. Returns the targets that got a synthetic seed.
    """
    filled: list[Target] = []
    for target in corpus.missing(surface):
        family = {
            "block_actions": ("block_actions",),
            "view_submission": ("view_submission",),
            "view_closed": ("view_closed", "view_submission"),
            "shortcut": ("shortcut",),
            "message_action": ("message_action",),
        }.get(target.kind, ())
        donors = [s for s in corpus.all() if s.target.kind in family]
        if not donors:
            continue
        donor = max(donors, key=lambda s: (_common_prefix(s.target.id, target.id), s.bound))
        payload = copy.deepcopy(donor.payload)
        if target.kind == "block_actions":
            payload["actions"][0]["action_id"] = target.id
        elif target.kind in ("view_submission", "view_closed"):
            payload["type"] = target.kind
            payload["view"]["callback_id"] = target.id
        else:
            payload["callback_id"] = target.id
        bound = _bound(target, payload)
        corpus.add(Seed(target, donor.envelope, payload, donor.actor, bound, "synthetic"))
        filled.append(target)
    return filled
