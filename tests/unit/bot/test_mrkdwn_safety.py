"""No user string can ping, mention or link through any view: a property test over all of them.

Every public function in bot/views is discovered and called with arguments built from its
type hints, user text being hostile (`<!channel>`, `<@U...>`, `<http...|x>`, `&lt;`, `|`,
`>` and random text). The result's mrkdwn (text objects, message `text`, returned strings)
may hold only tokens the bot made: mentions of the ids the test passed as ids, the
`<!date^...>` token, and links the test passed as valid links. Anything else that opens
with `<` came from user text. Views and message blocks must also stay within Slack's
length limits (plain_text included), as slack_sdk.models checks them.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import pkgutil
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.views
from bot.views.home import SECTIONS
from bot.views.text import Mrkdwn, Wording
from sandbox.oracle import (
    MESSAGE_BLOCKS_MAX,
    MESSAGE_TEXT_MAX,
    block_model_problems,
    view_model_problems,
)
from tests.helpers.mrkdwn import CHANNELS, SAFE_LINKS, USERS, as_json, foreign_tokens, mrkdwn_texts

ATTACKS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0EVIL|@team>",
    "<@U0EVIL001>",
    "<@W0EVIL001|boss>",
    "<#C0EVIL001>",
    "<http://evil.example|your bank>",
    "<https://evil.example>",
    "<mailto:evil@example.com|mail>",
    "<!date^1^{date}|x>",
    "&lt;!channel&gt;",
    "&amp;lt;",
    "&",
    "|",
    ">",
    "<",
    "\n>",
    "*",
    "`",
)
HOSTILE_LINKS = (
    "https://a|x><!channel><https://b",
    "https://example.com/<!here>",
    "http://x y",
    "javascript:alert(1)",
    "https://",
    "<https://evil.example|x>",
    "https://evil.example/" + "a" * 600,
)
# Text a caller already built as mrkdwn (parameters annotated Mrkdwn).
BOT_MRKDWN = ("*Bold* words for <@U0OWNER001> about *Acme &amp; co*.", "Plain words.")
# The bot's own plain words (parameters annotated Wording).
BOT_WORDING = ("Snooze check-in", "Goal and why it matters", "twice a week")

hostile_text: st.SearchStrategy[str] = st.lists(
    st.one_of(st.sampled_from(ATTACKS), st.text(max_size=20)), max_size=8
).map("".join)
# Something that is not a user id, so a view must not make it a mention.
not_an_id = hostile_text.filter(lambda s: not re.fullmatch(r"[A-Z0-9]+", s))
user_ids = st.one_of(st.sampled_from(USERS), not_an_id)
channel_ids = st.one_of(st.sampled_from(CHANNELS), not_an_id)
links = st.one_of(st.sampled_from(SAFE_LINKS), st.sampled_from(HOSTILE_LINKS), hostile_text)

# Public functions of bot/views that build no Slack text, and why.
NOT_RENDERED: dict[str, str] = {
    "bot.views.checkin.choice_in": "reads a submission",
    "bot.views.checkin.date_in": "reads a submission",
    "bot.views.checkin.text_in": "reads a submission",
    "bot.views.checkin.url_in": "reads a submission",
    "bot.views.delegation.overload_confirmed": "reads a submission",
    "bot.views.delegation.read_brief": "reads a submission",
    "bot.views.feedback.read_lead_survey": "reads a submission",
    "bot.views.feedback.read_owner_survey": "reads a submission",
    "bot.views.feedback.survey_id_of": "reads private_metadata",
    "bot.views.notes.new_owner_of": "reads a submission",
    "bot.views.notes.note_of": "reads a submission",
    "bot.views.profile.read_profile": "reads a submission",
    "bot.views.restatement.read_restatement": "reads a submission",
    "bot.views.restatement.task_id_of": "reads private_metadata",
    "bot.views.settings.settings_input": "reads a submission",
    "bot.views.home.urgent_first": "orders items, renders nothing",
    "bot.views.home.urgent_load": "orders items, renders nothing",
    "bot.views.home.urgent_needs": "orders items, renders nothing",
    "bot.views.home.urgent_tasks": "orders items, renders nothing",
    "bot.views.home.pack": "groups lines the caller already rendered",
    "bot.views.completion.thanks_draft": "plain text for an input's initial value",
}


def view_functions() -> dict[str, Callable[..., Any]]:
    """Every public function defined in a bot/views module, by dotted name."""
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(bot.views.__path__):
        module = importlib.import_module(f"bot.views.{info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


# --- arguments from type hints ---------------------------------------------------------------


def _for_str(name: str) -> st.SearchStrategy[Any]:
    """User text, unless the parameter's name says it is an id or a link."""
    if name in ("link", "url") or name.endswith("permalink"):
        return links
    if "channel" in name or name == "to":
        return st.one_of(channel_ids, user_ids) if name == "to" else channel_ids
    if name == "callback_id":
        return st.just("some_callback")
    if name == "section":
        return st.sampled_from(SECTIONS)
    if name.endswith("_id") or name in ("author", "respondent", "named", "other"):
        return user_ids
    return hostile_text


def strategy(hint: Any, name: str) -> st.SearchStrategy[Any]:
    """Values of type `hint` for a parameter or field called `name`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        if hint == Mrkdwn:
            return st.sampled_from(BOT_MRKDWN)
        if hint == Wording:
            return st.sampled_from(BOT_WORDING)
        return strategy(args[0], name)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy(arg, name) for arg in args])
    if hint is type(None):
        return st.none()
    if hint is str:
        return _for_str(name)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(0, 60)
    if hint is float:
        return st.floats(0, 5, allow_nan=False)
    if hint is datetime:
        return st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
    if hint is date:
        return st.dates(date(2020, 1, 1), date(2030, 1, 1))
    if hint is time:
        return st.times()
    if hint is timedelta:
        return st.timedeltas(timedelta(0), timedelta(days=60))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint, include_extras=True)
        return st.builds(
            hint, **{f.name: strategy(hints[f.name], f.name) for f in dataclasses.fields(hint)}
        )
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(strategy(args[0], name), max_size=4).map(tuple)
    if origin is tuple:
        return st.tuples(*(strategy(arg, name) for arg in args))
    if origin in (Sequence, list):
        return st.lists(strategy(args[0], name), max_size=4)
    if origin is frozenset:
        return st.frozensets(strategy(args[0], name), max_size=7)
    raise TypeError(f"no strategy for {name}: {hint!r}")


# Arguments whose meaning their type does not tell.
OVERRIDES: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    # (title, owner's user id, state words)
    ("bot.views.feedback.project_close_prompt", "open_tasks"): st.lists(
        st.tuples(hostile_text, user_ids, hostile_text), max_size=4
    ),
    # (task id, title); the owner is asked to pick only when they own something
    ("bot.views.checkin.update_modal", "tasks"): st.lists(
        st.tuples(st.integers(0, 60), hostile_text), min_size=1, max_size=4
    ),
    ("bot.views.settings.settings_modal", "current"): st.builds(
        __import__("bot.views.settings", fromlist=["SettingsView"]).SettingsView,
        slack_tz=st.none() | hostile_text,
        tz_override=st.none() | hostile_text.map(lambda s: s[:64]),
        checkin_time=st.times(),
        working_days=st.frozensets(st.integers(0, 6)),
        ooo_start=st.none() | st.dates(),
        ooo_end=st.none() | st.dates(),
    ),
}


def arguments(qualified: str, function: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for `function`, built from its signature."""
    hints = typing.get_type_hints(function, include_extras=True)
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    for name in inspect.signature(function).parameters:
        override = OVERRIDES.get((qualified, name))
        drawn[name] = override if override is not None else strategy(hints[name], name)
    return st.fixed_dictionaries(drawn)


# --- reading the result ----------------------------------------------------------------------


def limit_problems(result: Any) -> list[str]:
    """Lengths and counts Slack would refuse in a returned view or message (slack_sdk.models).

    The oracle's schema check (shapes) runs on fixed examples in test_*_views.py; here the
    limits alone, since they are what hostile and long user text can break.
    """
    if isinstance(result, Mapping) and result.get("type") in ("modal", "home"):
        return view_model_problems(result)
    problems: list[str] = []
    if isinstance(result, Mapping) and "blocks" in result:
        text = result.get("text")
        if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
            problems.append("text: too long")
        if len(result["blocks"]) > MESSAGE_BLOCKS_MAX:
            problems.append("blocks: too many")
        return problems + block_model_problems(result["blocks"])
    if isinstance(result, list) and result and all(isinstance(b, Mapping) for b in result):
        return block_model_problems(result)
    return problems


RENDERED = sorted(set(view_functions()) - set(NOT_RENDERED))


def test_every_view_function_is_rendered_or_listed_with_a_reason() -> None:
    found = view_functions()
    stale = sorted(set(NOT_RENDERED) - set(found))
    assert not stale, f"NOT_RENDERED names functions that no longer exist: {stale}"
    unbuildable = []
    for qualified in RENDERED:
        try:
            arguments(qualified, found[qualified])
        except (TypeError, KeyError) as error:
            unbuildable.append(f"{qualified}: {error}")
    assert not unbuildable, (
        "These view functions get no hostile arguments; give their parameters a type the "
        "test knows, an OVERRIDES entry, or list them in NOT_RENDERED:\n" + "\n".join(unbuildable)
    )


@pytest.mark.parametrize("qualified", RENDERED)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_user_string_becomes_a_mention_or_link(qualified: str, data: st.DataObject) -> None:
    function = view_functions()[qualified]
    kwargs = data.draw(arguments(qualified, function), label="arguments")
    result = as_json(function(**kwargs))
    for text in mrkdwn_texts(result):
        assert not foreign_tokens(text), f"{qualified} let user text make {foreign_tokens(text)}"
    assert limit_problems(result) == []


def test_the_check_catches_a_raw_link_and_a_raw_ping() -> None:
    assert foreign_tokens("see <https://a|x><!channel><https://b|y>") == [
        "<https://a|x>",
        "<!channel>",
        "<https://b|y>",
    ]
    assert foreign_tokens(f"<@{USERS[0]}> <{SAFE_LINKS[0].replace('&', '&amp;')}|doc>") == []
    assert foreign_tokens("<@U0EVIL001> <#C0EVIL001>") == ["<@U0EVIL001>", "<#C0EVIL001>"]
