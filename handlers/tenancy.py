"""One workspace's requests only: the token's own team (and org), learned with auth.test.

Until the app can be installed in several workspaces, every request must come from the
workspace whose bot token it holds; anything else would be acted on with this workspace's
token and data. Slack names the workspace in different places per payload type, so every
place is checked, and a request that names none is refused too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient


@dataclass(frozen=True)
class Home:
    """The workspace (and Enterprise org, if any) the bot token belongs to."""

    team_id: str
    enterprise_id: str | None = None


def learn_home(client: WebClient) -> Home:
    """auth.test: which workspace the token is for (raises SlackApiError when refused)."""
    answer = client.auth_test()
    team_id, enterprise_id = answer.get("team_id"), answer.get("enterprise_id")
    if not isinstance(team_id, str) or not team_id:
        raise ValueError("auth.test named no workspace; org-wide installs are not supported")
    org = enterprise_id if isinstance(enterprise_id, str) and enterprise_id else None
    return Home(team_id, org)


def _field(data: Any, *path: str) -> tuple[bool, Any]:
    """(present, value) at `path`; an intermediate that is not a dict means absent."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False, None
        data = data[key]
    return True, data


def _teams(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, value) of every workspace id the payload carries (values unchecked)."""
    team = body.get("team")
    if isinstance(team, dict):
        yield "team.id", team.get("id")
    else:
        yield "team", team
    for path in (
        ("team_id",),
        ("context_team_id",),
        ("view", "team_id"),
        ("view", "app_installed_team_id"),
        ("event", "team"),
        ("event", "user_team"),
        ("event", "view", "team_id"),
    ):
        present, value = _field(body, *path)
        if present:
            yield ".".join(path), value
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list):
        for index, entry in enumerate(authorizations):
            yield f"authorizations[{index}].team_id", _field(entry, "team_id")[1]


def _enterprises(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    enterprise = body.get("enterprise")
    if isinstance(enterprise, dict):
        yield "enterprise.id", enterprise.get("id")
    elif enterprise is not None:
        yield "enterprise", enterprise
    for path in (("enterprise_id",), ("context_enterprise_id",), ("team", "enterprise_id")):
        present, value = _field(body, *path)
        if present:
            yield ".".join(path), value
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list):
        for index, entry in enumerate(authorizations):
            yield f"authorizations[{index}].enterprise_id", _field(entry, "enterprise_id")[1]


def foreign(body: dict[str, Any], home: Home) -> str | None:
    """Why this request is not from the home workspace, or None when it is."""
    if not isinstance(body.get("authorizations", []), list | None):
        return "authorizations is not a list"
    named = False
    for where, value in _teams(body):
        if value is None or value == "":
            continue  # Slack sends some of these as null; one that names a team must match
        if not isinstance(value, str):
            return f"{where} is not a string"
        if value != home.team_id:
            return f"{where} is {value[:32]!r}"
        named = True
    user = body.get("user")
    if isinstance(user, dict) and "team_id" in user:
        value = user["team_id"]
        # In an Enterprise org, user.team_id holds the org id instead of the workspace's.
        if not isinstance(value, str) or value not in (home.team_id, home.enterprise_id):
            return f"user.team_id is {str(value)[:32]!r}"
        named = True
    for where, value in _enterprises(body):
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return f"{where} is not a string"
        if value != home.enterprise_id:
            return f"{where} is {value[:32]!r}"
    if not named:
        return "it names no workspace"
    return None
