"""Sentences the services write themselves keep user text inert, like the views do.

A task, a project and every answer carry hostile text; the lifecycle runs through the real
services and sender against the sandbox, and every message Slack receives, every refusal
and every answer the services return must hold no token that user text made.
"""

from __future__ import annotations

from typing import Any

from bot.domain.types import CheckinAnswer, Health, Rhythm, TaskState
from bot.services import checkins, completion, feedback
from bot.services.common import Refusal
from bot.views.feedback import project_close_cancelled_text, project_closed_text
from storage import repositories as repo
from storage.db import session_scope
from tests.helpers.feedback import CHLOE, PRIYA, TOM, answer, finished
from tests.helpers.followups import LEAD, MONDAY, OWNER, TEAM, World, at
from tests.helpers.mrkdwn import foreign_tokens, mrkdwn_texts

HOSTILE = (
    "<!channel> <!here|here> <@U0EVIL001> <#C0EVIL001> <http://evil.example|your bank> "
    "&lt;!everyone&gt; a|b > c"
)
BREAKOUT_LINK = "https://a|x><!channel><https://b"
PEOPLE = (LEAD, OWNER, PRIYA, CHLOE, TOM)
SLACK_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open")


def injected(*results: Any) -> list[str]:
    """Tokens in these results, or in anything Slack received, that user text made."""
    found: list[str] = []
    for result in results:
        texts = [result.message] if isinstance(result, Refusal) else mrkdwn_texts(result)
        for text in texts:
            found += foreign_tokens(text, users=PEOPLE, channels=(), safe_links=())
    return found


def sent_to_slack(world: World) -> list[dict[str, Any]]:
    """The arguments of every message and view the bot sent."""
    return [
        dict(call.params) for method in SLACK_METHODS for call in world.sandbox.calls_to(method)
    ]


def test_project_close_never_echoes_a_name_raw(world: World) -> None:
    finished(world, OWNER, HOSTILE, project=HOSTILE)
    typed = HOSTILE + " (typo)"
    missing = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, name=typed
    )
    stranger = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=OWNER, name=HOSTILE
    )
    prompt = feedback.project_close_preview(
        runtime=world.runtime, team_id=TEAM, user_id=LEAD, name=HOSTILE
    )
    assert isinstance(missing, Refusal) and "find a project called" in missing.message
    assert isinstance(stranger, Refusal) and "can close" in stranger.message
    assert not isinstance(prompt, Refusal)
    assert injected(missing, stranger, prompt) == []
    assert injected(project_closed_text(name=HOSTILE, surveyed=1)) == []
    assert injected(project_close_cancelled_text(HOSTILE)) == []


def test_hostile_words_in_every_field_stay_inert_through_the_lifecycle(world: World) -> None:
    with session_scope(world.runtime.sessions) as session:
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
            title=HOSTILE[:150],
            goal=HOSTILE,
            due_at=at(13, 23, 59),
            due_tz="Europe/London",
            now=MONDAY,
        )
        task.state, task.rhythm, task.health = TaskState.ACTIVE, Rhythm.DAILY, Health.ON_TRACK
        task.agreed_due_at, task.activated_at = at(13, 23, 59), MONDAY
        session.flush()
        task_id = task.id
        checkins.schedule_next_checkin(world.runtime, session, task, after=MONDAY)
    world.run_until(at(2, 10, 5))
    world.answer(CheckinAnswer.ON_TRACK, note=HOSTILE)
    world.run_until(at(3, 10, 5))  # the digest shows the note as the last update
    world.answer(CheckinAnswer.AT_RISK, note=HOSTILE)
    world.run_until(at(3, 17))  # the lead's alert
    reply = checkins.reply_to_owner(
        runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, text=HOSTILE
    )
    done = checkins.mark_done(
        runtime=world.runtime,
        team_id=TEAM,
        task_id=task_id,
        user_id=OWNER,
        summary=HOSTILE,
        link=BREAKOUT_LINK,  # as stored before links were checked where they are typed
    )
    world.run_until(at(3, 18))
    reopened = completion.reopen(
        runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, text=HOSTILE
    )
    done_again = checkins.mark_done(
        runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=OWNER, summary="ok", link=""
    )
    world.run_until(at(3, 19))
    accepted = completion.accept(runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=LEAD)
    thanked = completion.thank(
        runtime=world.runtime, team_id=TEAM, task_id=task_id, user_id=LEAD, text=HOSTILE, share=True
    )
    world.run_until(at(4, 9, 1))
    surveyed = answer(
        world, OWNER, show_name=True, problems=HOSTILE, lead_better=HOSTILE, other=HOSTILE
    )
    lead_self = answer(world, LEAD, lead_better=HOSTILE)
    world.run_until(at(4, 9, 5))
    overview = feedback.feedback_overview(runtime=world.runtime, team_id=TEAM, user_id=LEAD)
    returned = [reply, done, reopened, done_again, accepted, thanked, surveyed, lead_self]
    assert [r for r in returned if r is not None and not isinstance(r, str)] == []
    sent = sent_to_slack(world)
    shown = str(sent)
    # The scenario reached the messages it means to test.
    for words in ("at risk", "is done", "reopened", "thanks", "Feedback on", "delegations today"):
        assert words in shown, words
    assert "your bank" in shown  # the hostile words arrive, as text
    assert injected(*sent, overview) == []
    assert injected(*(r for r in returned if isinstance(r, str))) == []
