"""App Home: the first thing a person sees when they open the bot."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View


def home_view(*, user_id: str) -> dict[str, Any]:
    """A welcome Home tab explaining how to hand off work."""
    view = View(
        type="home",
        blocks=[
            HeaderBlock(text="Delegate"),
            SectionBlock(
                text=f"Hi <@{user_id}>. Type `/delegate` in any conversation to hand a task to one "
                "owner with a clear brief. They confirm it in their own words, and you both get "
                "check-ins at a rhythm you agree on."
            ),
            ContextBlock(elements=[MarkdownTextObject(text="`/delegate help` lists everything.")]),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result
