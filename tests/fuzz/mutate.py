"""Hypothesis strategies that turn one genuine payload into a hostile request.

Each family answers one question of issue 11:
- transport: unsigned, badly signed, stale or odd timestamps, garbled bodies (item 3);
- malformed: signed, from the right person, with keys dropped and values of the wrong type
  or absurd size anywhere in the payload (item 3);
- stranger: someone with no part in the task presses its buttons (permission rules);
- other_team: the same payload from another workspace (item 4);
- forged: private_metadata and button values pointing at someone else's task, at nothing,
  or at garbage (item 3);
- replay: the same request delivered twice (item 1): the second must change nothing.
"""

from __future__ import annotations

import copy
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.corpus import Corpus, Seed, metadata_refs
from tests.fuzz.harness import FuzzBot, Request, encode

Path = tuple[str | int, ...]
OTHER_TEAM = "T0FUZZOTHR"

# Values no well-formed payload holds where an id, a text or an object belongs.
ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    "²",
    "\u0661\u0662\u0663",
    "\U0001d7d9\U0001d7da",
    "-1",
    "0",
    "1e9",
    "0x1F",
    str(2**63),
    "9" * 40,
    2**63,
    -(2**63) - 1,
    -1,
    0,
    1.5,
    True,
    [],
    {},
    [None],
    {"id": None},
    {"id": ["U0SBLENA1"]},
    "x" * 100_000,
    "\u0000",
    "\ud7ff\uffff",
    "<!channel> <@U0SBTOM01>",
    "U" + "9" * 5000,
    "🙂" * 1000,
    "'; DROP TABLE tasks; --",
    "%s%n{0}",
]
# Where a payload says who acted; corrupting these leaves the bot not knowing who it was.
IDENTITY_PATHS: tuple[Path, ...] = (("user",), ("user", "id"), ("user_id",), ("event", "user"))


def nested(depth: int) -> Any:
    """A value nested `depth` levels deep."""
    value: Any = "deep"
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


ODD_VALUES.append(nested(60))


def paths(node: Any, prefix: Path = ()) -> list[Path]:
    """Every path in a JSON-like value; block layouts (which listeners rarely read) only once."""
    found: list[Path] = []
    if isinstance(node, dict):
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return found
    for key, child in items:
        found.append((*prefix, key))
        if key != "blocks":
            found.extend(paths(child, (*prefix, key)))
    return found


def get(node: Any, path: Path) -> Any:
    """The value at a path."""
    for key in path:
        node = node[key]
    return node


def drop(payload: Any, path: Path) -> None:
    """Remove the key (or list item) at a path."""
    parent = get(payload, path[:-1])
    key = path[-1]
    if isinstance(parent, list) and isinstance(key, int):
        parent.pop(key)
    elif isinstance(parent, dict):
        parent.pop(key, None)


def put(payload: Any, path: Path, value: Any) -> None:
    """Set a copy of the value at a path.

    A copy, because a later mutation of the same payload may drop or overwrite inside it:
    on a shared ODD_VALUES entry that would change what later examples draw from, which
    hypothesis rightly reports as a flaky strategy.
    """
    get(payload, path[:-1])[path[-1]] = copy.deepcopy(value)


def wrong_type(value: Any) -> Any:
    """Something of another JSON type than `value`."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return {"0": value}
    if isinstance(value, str):
        return int(value) if value.isdecimal() and value.isascii() else [value]
    if isinstance(value, bool | int | float):
        return str(value)
    return {}


def replace_strings(node: Any, old: str, new: str) -> Any:
    """`node` with every string equal to `old` replaced (the other workspace's ids)."""
    if isinstance(node, dict):
        return {k: replace_strings(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_strings(v, old, new) for v in node]
    return new if node == old else node


def fresh(bot: FuzzBot, seed: Seed, user: str | None = None) -> dict[str, Any]:
    """A copy of the seed's payload with a trigger_id Slack would accept from its sender.

    Seeds are sent many times; without this every later send would carry a used trigger and
    fail on views.open for that reason alone (the replay family keeps the used one on purpose).
    """
    payload = copy.deepcopy(seed.payload)
    if isinstance(payload.get("trigger_id"), str):
        view = payload.get("view")
        view_id = view.get("id") if isinstance(view, dict) else None
        payload["trigger_id"] = bot.sandbox.issue_trigger(user or seed.actor, view_id)
    return payload


def as_actor(bot: FuzzBot, seed: Seed, user: str) -> dict[str, Any]:
    """The seed's payload as if `user` had sent it (where Slack says who acted)."""
    payload = fresh(bot, seed, user)
    if seed.envelope == "slash_commands":
        payload["user_id"] = user
        payload["user_name"] = user.lower()
    elif seed.envelope == "events_api":
        payload["event"]["user"] = user
    elif isinstance(payload.get("user"), dict):
        payload["user"] = {**payload["user"], "id": user, "username": user.lower()}
    return payload


def request(
    bot: FuzzBot, seed: Seed, family: str, mutation: str, payload: Any, *, refused: bool
) -> Request:
    """A signed request carrying a (mutated) payload of the seed's kind."""
    body, content_type = encode(seed.envelope, payload)
    return Request(
        family,
        f"{seed.target.kind}:{seed.target.id}",
        mutation,
        body,
        content_type,
        bot.sign(body),
        refused,
        payload,
    )


def seeds(corpus: Corpus) -> st.SearchStrategy[Seed]:
    """A seed, each discovered target equally likely whatever its number of seeds."""
    targets = sorted(corpus.seeds)
    return st.sampled_from(targets).flatmap(lambda t: st.sampled_from(corpus.seeds[t]))


@st.composite
def transport(draw: st.DrawFn, corpus: Corpus, bot: FuzzBot) -> Request:
    """Unsigned, badly signed or garbled: nothing may happen but a 4xx."""
    seed = draw(seeds(corpus))
    body, content_type = encode(seed.envelope, seed.payload)
    listener = f"{seed.target.kind}:{seed.target.id}"
    how = draw(
        st.sampled_from(
            ["unsigned", "bad-signature", "stale-timestamp", "odd-timestamp", "garbled-body"]
        )
    )
    headers = bot.sign(body)
    mutation = how
    if how == "unsigned":
        headers = {}
    elif how == "bad-signature":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif how == "stale-timestamp":
        headers = bot.sign(body, str(int(time.time()) - 3600))
    elif how == "odd-timestamp":
        stamp = draw(st.sampled_from(["abc", "²", "", "1e3", "9" * 40, "-5", " 12"]))
        headers = bot.sign(body, stamp)
        mutation = f"odd-timestamp {stamp!r}"
    else:
        name, body = draw(st.sampled_from(list(GARBLED.items())))
        content_type = (
            "application/json" if name.startswith("json") else "application/x-www-form-urlencoded"
        )
        headers = bot.sign(body)
        mutation = f"garbled-body {name} (signed)"
        listener = f"raw:{name}"
    return Request("transport", listener, mutation, body, content_type, headers, True)


GARBLED: dict[str, bytes] = {
    "json-invalid": b'{"type": "event_callback", ',
    "json-list": b"[1, 2, 3]",
    "json-null": b"null",
    "json-deep": b"[" * 50_000 + b"]" * 50_000,
    "json-not-utf8": b'{"type": "\xff\xfe"}',
    "form-payload-junk": b"payload=%7Bnot+json",
    "form-payload-empty": b"payload=",
    "form-payload-list": b"payload=" + urllib.parse.quote(json.dumps([{"type": "x"}])).encode(),
    "form-payload-deep": b"payload=" + urllib.parse.quote("[" * 50_000 + "]" * 50_000).encode(),
    "form-no-command": b"text=hello&user_id=U0SBLENA1",
    "empty": b"",
}


@st.composite
def malformed(draw: st.DrawFn, corpus: Corpus, bot: FuzzBot) -> Request:
    """Signed, from the genuine actor, with one to three keys dropped or given odd values."""
    seed = draw(seeds(corpus))
    payload = fresh(bot, seed)
    done: list[str] = []
    refused = False
    for _ in range(draw(st.integers(1, 3))):
        candidates = paths(payload)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        how = draw(st.sampled_from(["drop", "odd", "wrong-type"]))
        if how == "drop":
            drop(payload, path)
            done.append(f"drop {_show(path)}")
        elif how == "odd":
            value = draw(st.sampled_from(ODD_VALUES))
            put(payload, path, value)
            done.append(f"{_show(path)}={_brief(value)}")
        else:
            value = wrong_type(get(payload, path))
            put(payload, path, value)
            done.append(f"{_show(path)}={_brief(value)} (wrong type)")
        # Without a real user there is nobody to act for: the bot must write nothing.
        refused = refused or any(path[: len(p)] == p for p in IDENTITY_PATHS)
    return request(bot, seed, "malformed", "; ".join(done), payload, refused=refused)


@st.composite
def stranger(draw: st.DrawFn, corpus: Corpus, bot: FuzzBot) -> Request:
    """Someone with no part in anything sends the payload; on someone's object, nothing changes."""
    seed = draw(seeds(corpus))
    payload = as_actor(bot, seed, corpus.stranger)
    return request(bot, seed, "stranger", f"sent by {corpus.stranger}", payload, refused=seed.bound)


@st.composite
def other_team(draw: st.DrawFn, corpus: Corpus, bot: FuzzBot) -> Request:
    """The payload from another workspace: refused whole, whoever sent it."""
    seed = draw(seeds(corpus))
    payload = replace_strings(fresh(bot, seed), corpus.team_id, OTHER_TEAM)
    how = "team ids replaced"
    if draw(st.booleans()) and seed.envelope == "interactive":
        payload["enterprise"] = {"id": "E0FUZZOTHR", "name": "Other"}
        payload["is_enterprise_install"] = True
        how += ", enterprise install"
    return request(bot, seed, "other_team", how, payload, refused=True)


def _forge_metadata(draw: st.DrawFn, corpus: Corpus, seed: Seed) -> tuple[Any, str, bool] | None:
    view = seed.payload.get("view")
    if not isinstance(view, dict):
        return None
    refs = metadata_refs(view)
    foreign = {"task_id": corpus.foreign_task_id, "survey_id": corpus.foreign_survey_id}
    choice = draw(st.sampled_from(["foreign", "missing", "garbage"]))
    if choice == "foreign" and refs:
        forged = {k: foreign.get(k, v) for k, v in refs.items()}
        outsider = seed.actor not in corpus.foreign_parties
        changed = forged != refs
        metadata = json.dumps({**json.loads(view["private_metadata"]), **forged})
        return metadata, f"private_metadata -> someone else's {forged}", outsider and changed
    if choice == "missing" and refs:
        gone = {k: draw(st.sampled_from([999_999, 2**63, -1, 0])) for k in refs}
        metadata = json.dumps({**json.loads(view["private_metadata"]), **gone})
        return metadata, f"private_metadata -> nothing {gone}", True
    garbage = draw(
        st.sampled_from(
            [
                "",
                "{",
                "[]",
                "null",
                "²",
                json.dumps({"task_id": "²"}),
                json.dumps({"task_id": [1]}),
                json.dumps({"survey_id": {"id": 1}}),
                json.dumps({"task_id": 2**64}),
                "x" * 3000,
            ]
        )
    )
    return garbage, f"private_metadata={_brief(garbage)}", bool(refs)


def _forge_value(draw: st.DrawFn, corpus: Corpus, seed: Seed) -> tuple[Any, str, bool] | None:
    actions = seed.payload.get("actions")
    if not (isinstance(actions, list) and actions and isinstance(actions[0].get("value"), str)):
        return None
    value = actions[0]["value"]
    ids = "|".join(str(i) for i in sorted(corpus.task_ids, reverse=True))
    foreign = re.sub(rf"\b({ids})\b", str(corpus.foreign_task_id), value) if ids else value
    if draw(st.booleans()) and foreign != value:
        outsider = seed.actor not in corpus.foreign_parties
        return foreign, f"button value {value!r} -> someone else's {foreign!r}", outsider
    odd = draw(
        st.sampled_from(["²", "\u0661", str(2**63), "-1", "", "9" * 30, "1:²", "x:y:z", "0"])
    )
    return odd, f"button value {value!r} -> {odd!r}", seed.bound


@st.composite
def forged(draw: st.DrawFn, corpus: Corpus, bot: FuzzBot) -> Request:
    """The genuine actor's payload, pointing at another person's task, at nothing, or junk."""
    usable = [s for s in corpus.all() if s.bound and s.envelope == "interactive"]
    seed = draw(st.sampled_from(usable))
    payload = fresh(bot, seed)
    forgers: list[Callable[[st.DrawFn, Corpus, Seed], tuple[Any, str, bool] | None]] = [
        _forge_metadata,
        _forge_value,
    ]
    for forge in draw(st.permutations(forgers)):
        result = forge(draw, corpus, seed)
        if result is None:
            continue
        value, how, refused = result
        if forge is _forge_metadata:
            payload["view"]["private_metadata"] = value
        else:
            payload["actions"][0]["value"] = value
        return request(bot, seed, "forged", how, payload, refused=refused)
    return request(bot, seed, "forged", "unchanged", payload, refused=False)


def replay(corpus: Corpus, bot: FuzzBot) -> st.SearchStrategy[tuple[Request, Request]]:
    """A genuine request, then the very same bytes again: the repeat must change nothing."""

    def pair(seed: Seed) -> tuple[Request, Request]:
        first = request(bot, seed, "replay", "first delivery", seed.payload, refused=False)
        again = Request(
            "replay",
            first.listener,
            "same request again",
            first.body,
            first.content_type,
            bot.sign(first.body),
            True,
            first.payload,
        )
        return first, again

    return seeds(corpus).map(pair)


def _show(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} chars)"
