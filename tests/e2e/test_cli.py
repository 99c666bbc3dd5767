"""`delegate-bot` as a person runs it: start-up errors, migrate, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.server import SandboxServer
from tests.helpers.process import BotProcess

pytestmark = pytest.mark.e2e


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"} | env
    return BotProcess(env, log_path=tmp_path / "cli.log", args=args).run_to_exit()


def test_run_with_partial_credentials_names_what_is_missing(tmp_path: Path) -> None:
    # With no credentials at all `run` starts the local workspace (tests/e2e/test_local.py).
    code, output = _run(tmp_path, {"SLACK_SIGNING_SECRET": "some-secret"}, "run")
    assert code == 2
    assert "SLACK_BOT_TOKEN is not set" in output
    assert "run --local" in output
    assert "Traceback" not in output
    code, output = _run(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-only-the-token"}, "run")
    assert code == 2
    assert "SLACK_SIGNING_SECRET" in output and "SLACK_APP_TOKEN" in output
    assert "SLACK_BOT_TOKEN is not set" not in output


def test_bad_values_stop_the_start_with_one_line_each(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxp-secret-user-token",
        "DATABASE_URL": "mysql+nodriver:/broken",
        "PORT": "70000",
    }
    code, output = _run(tmp_path, env, "run")
    assert code == 2
    problem_lines = [line for line in output.splitlines() if line.startswith("  ")]
    assert len(problem_lines) == 3, output
    assert any(line.strip().startswith("SLACK_BOT_TOKEN:") for line in problem_lines)
    assert any(line.strip().startswith("DATABASE_URL:") for line in problem_lines)
    assert any(line.strip().startswith("PORT:") for line in problem_lines)
    assert "secret-user-token" not in output
    assert "Traceback" not in output


def test_a_token_slack_refuses_is_reported_without_echoing_it(
    slack_sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        "SLACK_API_URL": slack_sandbox.api_url,
        "SLACK_BOT_TOKEN": "xoxb-wrong-token-value",
        "SLACK_SIGNING_SECRET": "s",
    }
    code, output = _run(tmp_path, env, "run")
    assert code == 2
    assert "Slack refused the credentials" in output
    assert "invalid_auth" in output
    assert "wrong-token-value" not in output


def test_migrate_then_check(tmp_path: Path) -> None:
    code, output = _run(tmp_path, {}, "migrate", "--check")
    assert code == 1, output
    code, output = _run(tmp_path, {}, "migrate")
    assert code == 0, output
    assert "Database at revision" in output
    code, output = _run(tmp_path, {}, "migrate", "--check")
    assert code == 0, output


def test_manifest_is_json(tmp_path: Path) -> None:
    code, output = _run(tmp_path, {}, "manifest")
    assert code == 0
    assert json.loads(output)["settings"]["socket_mode_enabled"] is True
