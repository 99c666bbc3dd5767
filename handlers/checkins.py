"""The owner's one-tap answers to a check-in."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services.checkins import answer_checkin
from bot.views.checkin import ANSWER_ACTIONS
from handlers.payload import task_id_in, team_of, tell, user_of


def register(app: App, runtime: Runtime) -> None:
    """Attach On track, At risk and Blocked."""

    def answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """One tap answers the check-in; the message changes in place to say it was heard."""
        ack()
        refusal = answer_checkin(
            runtime=runtime,
            team_id=team_of(body),
            task_id=task_id_in(body),
            user_id=user_of(body),
            answer=ANSWER_ACTIONS[body["actions"][0]["action_id"]],
            message_ts=(body.get("container") or {}).get("message_ts"),
        )
        if refusal:
            tell(client, body, refusal.message)

    for action_id in ANSWER_ACTIONS:
        app.action(action_id)(answer)
