"""The "New delegation" modal: the brief a lead fills in for one accountable owner."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import brief as fields
from bot.domain.brief import (
    MAX_CHECKPOINTS,
    BriefInput,
    CheckpointInput,
    checkpoint_date_block,
    checkpoint_text_block,
    parse_skills,
)
from bot.domain.ids import parse_id
from bot.domain.links import is_safe_link
from bot.domain.suggest import Suggestion
from bot.domain.types import Rhythm
from bot.views.text import Mrkdwn, escape_mrkdwn, link, mention

NEW_DELEGATION_CALLBACK = "new_delegation"
ADD_CHECKPOINT_ACTION = "brief_add_checkpoint"
SUGGEST_PICK_ACTION = "brief_suggest_pick"  # "Choose" beside a suggested owner; value: user id
SUGGESTIONS_BLOCK = "owner_suggestions"
OVERLOAD_BLOCK = "confirm_overload"
VALUE = "value"  # the action_id of every input in the modal

RHYTHM_LABELS: dict[Rhythm, str] = {
    Rhythm.DAILY: "Daily",
    Rhythm.TWICE_WEEKLY: "Twice a week",
    Rhythm.WEEKLY: "Weekly",
    Rhythm.BEFORE_CHECKPOINTS: "Only before checkpoints",
}


@dataclass(frozen=True)
class BriefPrefill:
    """What is already known when the modal opens (from the command or a message)."""

    owner_id: str | None = None
    title: str | None = None
    goal: str | None = None
    source_permalink: str | None = None


@dataclass(frozen=True)
class ModalMetadata:
    """What the modal carries between opening and submitting (ids only, never trusted)."""

    source_permalink: str | None = None
    checkpoint_rows: int = 1
    # Each owner picked from the suggestions gets a fresh block id, because Slack keeps what
    # a person chose in a block it already showed and would ignore the new initial user.
    owner_picks: int = 0

    @property
    def owner_block(self) -> str:
        """The block id of the owner input in this rendering."""
        return fields.OWNER if self.owner_picks == 0 else f"{fields.OWNER}_{self.owner_picks}"

    def dumps(self) -> str:
        """Serialised for private_metadata."""
        return json.dumps(
            {
                "source_permalink": self.source_permalink,
                "checkpoint_rows": self.checkpoint_rows,
                "owner_picks": self.owner_picks,
            }
        )

    @staticmethod
    def loads(text: str) -> ModalMetadata:
        """Read private_metadata back; anything odd falls back to defaults."""
        try:
            raw = json.loads(text or "{}")
        except json.JSONDecodeError:
            raw = {}
        found = raw.get("source_permalink") if isinstance(raw, dict) else None
        rows = raw.get("checkpoint_rows", 1) if isinstance(raw, dict) else 1
        rows = rows if isinstance(rows, int) else 1
        picks = raw.get("owner_picks", 0) if isinstance(raw, dict) else 0
        return ModalMetadata(
            # Tampered metadata must not smuggle a link that breaks out of <url|label>.
            source_permalink=found if is_safe_link(found) else None,
            checkpoint_rows=max(1, min(MAX_CHECKPOINTS, rows)),
            owner_picks=max(0, min(1000, picks)) if isinstance(picks, int) else 0,
        )


@dataclass(frozen=True)
class OwnerHelp:
    """The skills list to pick from, and the owners suggested for what was picked."""

    skill_options: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    asked: bool = False  # skills were picked, so an empty list means nobody matched


def new_delegation_modal(
    prefill: BriefPrefill,
    *,
    checkpoint_rows: int = 1,
    projects: tuple[tuple[int, str], ...] = (),
    overload_warning: Mrkdwn | None = None,
    owner_help: OwnerHelp = OwnerHelp(),
    owner_picks: int = 0,
) -> dict[str, Any]:
    """The brief modal, with whatever the lead already gave us filled in.

    `overload_warning` adds a required "send anyway" tick box naming the owner's load;
    `owner_help` adds the skills list and, once skills are picked, suggested owners.
    """
    # slack_sdk's models validate on every build; the result depends only on the arguments.
    return copy.deepcopy(
        _built_modal(prefill, checkpoint_rows, projects, overload_warning, owner_help, owner_picks)
    )


@functools.lru_cache(maxsize=256)
def _built_modal(
    prefill: BriefPrefill,
    checkpoint_rows: int,
    projects: tuple[tuple[int, str], ...],
    overload_warning: Mrkdwn | None,
    owner_help: OwnerHelp,
    owner_picks: int,
) -> dict[str, Any]:
    rows = max(1, min(MAX_CHECKPOINTS, checkpoint_rows))
    metadata = ModalMetadata(prefill.source_permalink, rows, owner_picks)
    blocks: list[Block] = [
        SectionBlock(
            text="Hand this to *one* accountable owner. They will confirm it in their own "
            "words before it starts."
        ),
        *_skill_blocks(owner_help),
        _input(
            metadata.owner_block,
            "Owner",
            UserSelectElement(
                action_id=VALUE, placeholder="Who owns this?", initial_user=prefill.owner_id
            ),
        ),
        _text(fields.TITLE, "Title", "A short name for the work", fields.TITLE_MAX, prefill.title),
        _long(
            fields.GOAL,
            "Goal and why it matters",
            "The outcome you need, and why now",
            prefill.goal,
        ),
        _long(
            fields.EXPECTATIONS,
            "Definition of done",
            "What finished looks like: the deliverable, its quality bar, who signs it off",
            optional=True,
        ),
        _long(
            fields.NON_NEGOTIABLES,
            "Non-negotiables",
            "Where no mistakes are affordable: commitments, legal, the customer's red lines",
            optional=True,
        ),
        _long(
            fields.FREEDOMS,
            "Where you decide",
            "What the owner is free to choose: approach, tools, who to involve",
            optional=True,
        ),
        _long(
            fields.RISKS,
            "Known risks and worst case",
            "What could go wrong, and what happens if it does",
            optional=True,
        ),
        _text(
            fields.SKILLS,
            "Other skills it needs" if owner_help.skill_options else "Skills it needs",
            "Comma-separated, e.g. negotiation, Excel modelling",
            fields.SKILLS_MAX,
            optional=True,
        ),
        DividerBlock(),
        _input(
            fields.DUE_DATE,
            "Due date",
            DatePickerElement(action_id=VALUE, placeholder="Pick a date"),
        ),
        _input(
            fields.DUE_TIME,
            "Due time (your time zone)",
            TimePickerElement(action_id=VALUE, placeholder="End of day if empty"),
            optional=True,
        ),
    ]
    for index in range(1, rows + 1):
        blocks.append(
            _text(
                checkpoint_text_block(index),
                f"Checkpoint {index}",
                "A deliverable on the way, e.g. first draft shared",
                fields.CHECKPOINT_MAX,
                optional=True,
            )
        )
        blocks.append(
            _input(
                checkpoint_date_block(index),
                f"Checkpoint {index} date",
                DatePickerElement(action_id=VALUE, placeholder="When it is due"),
                optional=True,
            )
        )
    if rows < MAX_CHECKPOINTS:
        blocks.append(
            ActionsBlock(
                block_id="checkpoint_actions",
                elements=[
                    ButtonElement(
                        text="Add a checkpoint", action_id=ADD_CHECKPOINT_ACTION, value=str(rows)
                    )
                ],
            )
        )
    blocks.append(DividerBlock())
    options = [Option(value=rhythm.value, label=label) for rhythm, label in RHYTHM_LABELS.items()]
    blocks.append(
        _input(
            fields.RHYTHM,
            "Check-in rhythm",
            StaticSelectElement(action_id=VALUE, options=options, initial_option=options[1]),
        )
    )
    if projects:
        blocks.append(
            _input(
                fields.PROJECT,
                "Project",
                StaticSelectElement(
                    action_id=VALUE,
                    placeholder="Pick a project",
                    options=[
                        Option(value=str(pid), label=name[:75] or "Untitled")
                        for pid, name in projects[:100]
                    ],
                ),
                optional=True,
            )
        )
    blocks.append(
        _text(
            fields.NEW_PROJECT,
            "New project" if projects else "Project",
            "Name a new project, or leave empty",
            fields.PROJECT_NAME_MAX,
            optional=True,
        )
    )
    blocks.append(
        _input(
            fields.UPDATE_CHANNEL,
            "Update channel",
            ConversationSelectElement(
                action_id=VALUE,
                placeholder="Where others can follow along (optional)",
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
            optional=True,
        )
    )
    if overload_warning:
        blocks.append(
            _input(
                OVERLOAD_BLOCK,
                "Their load",
                CheckboxesElement(
                    action_id=VALUE,
                    options=[Option(value="send_anyway", label="Send it anyway")],
                ),
            )
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=overload_warning)]))
    if prefill.source_permalink:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"From {link(prefill.source_permalink, 'this message')}"
                    )
                ]
            )
        )
    view = View(
        type="modal",
        callback_id=NEW_DELEGATION_CALLBACK,
        title="New delegation",
        submit="Send brief",
        close="Cancel",
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )
    result: dict[str, Any] = view.to_dict()
    return result


def _skill_blocks(owner_help: OwnerHelp) -> list[Block]:
    """The skills pick (which asks for suggestions when changed) and the suggested owners."""
    options = [Option(value=s[:75], label=s[:75]) for s in owner_help.skill_options[:100] if s]
    if not options:
        return []
    blocks: list[Block] = [
        InputBlock(
            block_id=fields.SKILL_PICK,
            label="Skills it needs",
            hint="Pick them first: I'll suggest owners by skill and spare capacity.",
            element=StaticMultiSelectElement(
                action_id=fields.SKILL_PICK, placeholder="Pick skills", options=options
            ),
            optional=True,
            dispatch_action=True,
        )
    ]
    if owner_help.suggestions:
        blocks.append(
            SectionBlock(block_id=SUGGESTIONS_BLOCK, text="*Suggested owners*, best match first:")
        )
        blocks += [_suggestion_block(s) for s in owner_help.suggestions[:5]]
    elif owner_help.asked:
        blocks.append(
            ContextBlock(
                block_id=SUGGESTIONS_BLOCK,
                elements=[
                    MarkdownTextObject(
                        text="Nobody free lists these skills in their profile yet; pick the "
                        "owner yourself."
                    )
                ],
            )
        )
    return blocks


def _suggestion_block(suggestion: Suggestion) -> SectionBlock:
    """One suggested owner: who, which skills match, their load and time away."""
    parts = [
        f"*{escape_mrkdwn(suggestion.name[:80])}* ({mention(suggestion.user_id)})",
        "has " + ", ".join(escape_mrkdwn(m) for m in suggestion.matched[:10]),
        f"{suggestion.open_count} open of {suggestion.capacity}",
    ]
    if suggestion.away:
        start, end = suggestion.away
        parts.append(f"away {start.isoformat()} to {end.isoformat()}")
    return SectionBlock(
        text=" · ".join(parts)[:3000],
        accessory=ButtonElement(
            text="Choose", action_id=SUGGEST_PICK_ACTION, value=suggestion.user_id
        ),
    )


def _input(block_id: str, label: str, element: Any, *, optional: bool = False) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional or None)


def _text(
    block_id: str,
    label: str,
    placeholder: str,
    max_length: int,
    initial: str | None = None,
    *,
    optional: bool = False,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=VALUE, placeholder=placeholder, initial_value=initial, max_length=max_length
    )
    return _input(block_id, label, element, optional=optional)


def _long(
    block_id: str,
    label: str,
    placeholder: str,
    initial: str | None = None,
    *,
    optional: bool = False,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=VALUE,
        multiline=True,
        placeholder=placeholder,
        initial_value=initial[: fields.TEXT_MAX] if initial else None,
        max_length=fields.TEXT_MAX,
    )
    return _input(block_id, label, element, optional=optional)


def read_brief(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> BriefInput:
    """Turn a view_submission's state values into a BriefInput (nothing validated yet)."""

    def field(block_id: str) -> Mapping[str, Any]:
        return values.get(block_id, {}).get(VALUE, {})

    # The owner block is renamed each time a suggestion is chosen (see ModalMetadata).
    owner_blocks = sorted(
        (b for b in values if b == fields.OWNER or b.startswith(fields.OWNER + "_")),
        key=lambda b: (len(b), b),
    )
    owner_field = field(owner_blocks[-1]) if owner_blocks else {}
    picked = [
        str(option.get("value"))
        for option in values.get(fields.SKILL_PICK, {})
        .get(fields.SKILL_PICK, {})
        .get("selected_options")
        or []
    ]

    def text(block_id: str) -> str:
        return str(field(block_id).get("value") or "").strip()

    def day(block_id: str) -> date | None:
        raw = field(block_id).get("selected_date")
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    selected_time = field(fields.DUE_TIME).get("selected_time")
    try:
        due_time = time.fromisoformat(selected_time) if selected_time else None
    except ValueError:
        due_time = None
    rhythm_value = (field(fields.RHYTHM).get("selected_option") or {}).get("value")
    project_value = (field(fields.PROJECT).get("selected_option") or {}).get("value")
    checkpoints = tuple(
        CheckpointInput(
            index, text(checkpoint_text_block(index)), day(checkpoint_date_block(index))
        )
        for index in range(1, MAX_CHECKPOINTS + 1)
        if text(checkpoint_text_block(index)) or day(checkpoint_date_block(index))
    )
    return BriefInput(
        owner_id=owner_field.get("selected_user") or None,
        title=text(fields.TITLE),
        goal=text(fields.GOAL),
        due_date=day(fields.DUE_DATE),
        due_time=due_time,
        expectations=text(fields.EXPECTATIONS),
        non_negotiables=text(fields.NON_NEGOTIABLES),
        freedoms=text(fields.FREEDOMS),
        risks=text(fields.RISKS),
        skills=parse_skills(", ".join([*picked, text(fields.SKILLS)])),
        checkpoints=checkpoints,
        rhythm=_rhythm(rhythm_value),
        project_id=parse_id(project_value),
        new_project=text(fields.NEW_PROJECT),
        update_channel_id=field(fields.UPDATE_CHANNEL).get("selected_conversation") or None,
    )


def overload_confirmed(values: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> bool:
    """Whether the lead ticked "send it anyway" on the load warning."""
    chosen = values.get(OVERLOAD_BLOCK, {}).get(VALUE, {}).get("selected_options") or []
    return any(option.get("value") == "send_anyway" for option in chosen)


def _rhythm(value: object) -> Rhythm:
    try:
        return Rhythm(str(value))
    except ValueError:
        return Rhythm.TWICE_WEEKLY


def brief_not_enabled_modal() -> dict[str, Any]:
    """Shown after submit while this build cannot yet send briefs, so nobody waits in vain."""
    view = View(
        type="modal",
        title="New delegation",
        close="Close",
        blocks=[
            SectionBlock(
                text="This build of the bot can't send briefs yet, so nothing was sent to the "
                "owner. Please hand this over directly for now."
            )
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result
