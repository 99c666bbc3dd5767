"""What real Slack accepts: the shared type schema plus slack_sdk.models length limits.

The schema (generated from Slack's TypeScript types) catches wrong shapes; slack_sdk.models
catches lengths and counts, which the schema does not know. Each check returns a list of
human-readable problems, empty when the input would be accepted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

SCHEMA_FILE = "slack_types_schema.json"
ORACLE_ENV = "SLACK_ORACLE_DIR"

# Slack caps a message at 50 blocks; slack_sdk.models only knows the view limit (100).
MESSAGE_BLOCKS_MAX = 50
# Longer message text is refused with msg_too_long.
MESSAGE_TEXT_MAX = 40_000

# The methods whose arguments @slack/web-api types (and so the schema) describe.
METHOD_DEFINITIONS: dict[str, str] = {
    "chat.postMessage": "ChatPostMessageArguments",
    "chat.postEphemeral": "ChatPostEphemeralArguments",
    "chat.update": "ChatUpdateArguments",
    "chat.scheduleMessage": "ChatScheduleMessageArguments",
    "views.open": "ViewsOpenArguments",
    "views.publish": "ViewsPublishArguments",
    "conversations.open": "ConversationsOpenArguments",
}
# Methods with no arguments definition whose `view` is still checked on its own.
VIEW_ONLY_METHODS = frozenset({"views.update", "views.push"})
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.publish", "views.update", "views.push"})

# Arguments slack_sdk adds on its own and that Slack accepts on every method.
_TRANSPORT_ARGS = ("token", "team_id")


def project_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return Path(__file__).resolve().parent.parent


def oracle_dir() -> Path | None:
    """Where the oracle files are: $SLACK_ORACLE_DIR, else <project root>/../shared/oracle."""
    configured = os.environ.get(ORACLE_ENV)
    candidate = Path(configured) if configured else project_root().parent / "shared" / "oracle"
    return candidate if (candidate / SCHEMA_FILE).is_file() else None


def oracle_available() -> bool:
    """True when the type schema can be loaded."""
    return oracle_dir() is not None


@lru_cache(maxsize=4)
def _load_schema(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def load_schema() -> dict[str, Any] | None:
    """The parsed type schema, or None when the oracle folder is absent."""
    folder = oracle_dir()
    return None if folder is None else _load_schema(folder / SCHEMA_FILE)


@lru_cache(maxsize=64)
def _validator(path: Path, definition: str) -> Draft7Validator:
    schema = _load_schema(path)
    if definition not in schema["definitions"]:
        raise KeyError(f"{definition} is not defined in {path}")
    # Wrapping the reference keeps `#/definitions/...` resolvable against the whole file.
    root = {
        "$schema": schema.get("$schema", "http://json-schema.org/draft-07/schema#"),
        "definitions": schema["definitions"],
        "allOf": [{"$ref": f"#/definitions/{definition}"}],
    }
    return Draft7Validator(root)


# Problems beyond this many in one check add noise, not information.
_MAX_PROBLEMS = 5
_MAX_MESSAGE = 200


def _describe(definition: str, error: ValidationError, at: str) -> str:
    path = at + error.json_path.removeprefix("$")
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return f"{definition}: {path}: {message}"


def _alternative_score(
    anchor: ValidationError, errors: list[ValidationError]
) -> tuple[int, int, int]:
    """Rank one anyOf branch by how well the instance fits it (lower is closer).

    A branch whose `type` discriminator fails is the wrong kind of thing altogether; then
    fewer errors at the top of the instance, then fewer errors overall.
    """
    depth = len(anchor.absolute_path)
    paths = [list(e.absolute_path)[depth:] for e in errors]
    wrong_kind = sum(
        1
        for e, path in zip(errors, paths, strict=True)
        if path == ["type"] and e.validator in ("const", "enum")
    )
    shallow = sum(1 for path in paths if not path)
    return wrong_kind, shallow, len(errors)


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """Replace "not valid under any of the given schemas" by the errors of the closest branch."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    resolved = [[leaf for sub in b for leaf in _leaf_errors(sub)] for b in branches.values()]
    return min(resolved, key=lambda leaves: _alternative_score(error, leaves))


def validate_definition(definition: str, instance: Any, *, at: str = "$") -> list[str]:
    """Check `instance` against `#/definitions/<definition>`; [] when the oracle is absent.

    `at` is the JSON path of `instance` inside whatever the caller is checking.
    """
    folder = oracle_dir()
    if folder is None:
        return []
    validator = _validator(folder / SCHEMA_FILE, definition)
    leaves = [leaf for error in validator.iter_errors(instance) for leaf in _leaf_errors(error)]
    return [_describe(definition, leaf, at) for leaf in leaves[:_MAX_PROBLEMS]]


def _model_problem(where: str, error: Exception) -> str:
    return f"slack_sdk.models: {where}: {error}"


def block_model_problems(blocks: Any, where: str = "blocks") -> list[str]:
    """Length and count limits of blocks as slack_sdk.models enforces them."""
    if not isinstance(blocks, list):
        return [f"{where}: must be an array of blocks"]
    problems: list[str] = []
    for index, block in enumerate(blocks):
        here = f"{where}[{index}]"
        if not isinstance(block, Mapping):
            problems.append(f"{here}: a block must be an object")
            continue
        try:
            parsed = Block.parse(dict(block))
            if parsed is None:
                problems.append(f"{here}: unknown block type {block.get('type')!r}")
                continue
            parsed.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as e:
            problems.append(_model_problem(f"{here} ({block.get('type')})", e))
    return problems


def view_model_problems(view: Any) -> list[str]:
    """Length and count limits of a view as slack_sdk.models enforces them."""
    if not isinstance(view, Mapping):
        return ["view: must be an object"]
    problems = block_model_problems(view.get("blocks", []), "view.blocks")
    if problems:
        return problems
    try:
        View(**dict(view)).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as e:
        problems.append(_model_problem("view", e))
    return problems


def validate_blocks(blocks: Any) -> list[str]:
    """Schema and length checks for a list of message blocks."""
    if not isinstance(blocks, list):
        return ["blocks: must be an array of blocks"]
    problems: list[str] = []
    for index, block in enumerate(blocks):
        problems += validate_definition("AnyBlock", block, at=f"$.blocks[{index}]")
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        problems.append(f"blocks: no more than {MESSAGE_BLOCKS_MAX} items allowed")
    return problems + block_model_problems(blocks)


def validate_view(view: Any) -> list[str]:
    """Schema and length checks for a modal or Home tab view."""
    return validate_definition("View", view) + view_model_problems(view)


def _message_problems(args: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    blocks = args.get("blocks")
    if blocks is not None:
        if isinstance(blocks, list) and len(blocks) > MESSAGE_BLOCKS_MAX:
            problems.append(f"blocks: no more than {MESSAGE_BLOCKS_MAX} items allowed")
        problems += block_model_problems(blocks)
    text = args.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        problems.append(f"text: longer than {MESSAGE_TEXT_MAX} characters")
    return problems


def validate_call(method: str, args: Mapping[str, Any]) -> list[str]:
    """Everything real Slack would refuse in a call's (already decoded) arguments."""
    cleaned = {k: v for k, v in args.items() if k not in _TRANSPORT_ARGS}
    problems: list[str] = []
    definition = METHOD_DEFINITIONS.get(method)
    if definition is not None:
        problems += validate_definition(definition, cleaned)
    elif method in VIEW_ONLY_METHODS:
        if "view" not in cleaned:
            problems.append(f"{method}: view is required")
        else:
            problems += validate_definition("View", cleaned["view"])
    if method in MESSAGE_METHODS:
        problems += _message_problems(cleaned)
    if method in VIEW_METHODS and "view" in cleaned:
        problems += view_model_problems(cleaned["view"])
    return problems
