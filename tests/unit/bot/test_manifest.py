from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from bot.cli import main
from bot.manifest import BOT_SCOPES, build_manifest


def _validator(oracle_path: Path) -> Draft7Validator:
    schema = json.loads((oracle_path / "manifest.schema.1.0.0.json").read_text())
    return Draft7Validator(schema)


@pytest.mark.parametrize("url", [None, "https://bot.example.com/"])
def test_manifest_passes_slacks_schema(oracle_path: Path, url: str | None) -> None:
    manifest = build_manifest(request_base_url=url)
    errors = [error.message for error in _validator(oracle_path).iter_errors(manifest)]
    assert errors == []


def test_socket_mode_manifest_has_no_request_urls() -> None:
    manifest = build_manifest()
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_http_manifest_points_everything_at_one_endpoint() -> None:
    manifest = build_manifest(request_base_url="https://bot.example.com/")
    endpoint = "https://bot.example.com/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["slash_commands"][0]["url"] == endpoint
    assert manifest["settings"]["interactivity"]["request_url"] == endpoint
    assert manifest["settings"]["event_subscriptions"]["request_url"] == endpoint


def test_manifest_declares_what_the_design_needs() -> None:
    manifest = build_manifest()
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == ["/delegate"]
    assert {s["type"] for s in features["shortcuts"]} == {"global", "message"}
    assert features["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert {"commands", "chat:write", "im:write", "users:read"} <= set(BOT_SCOPES)


def test_the_messages_tab_is_heard() -> None:
    # The Messages tab lets people type to the bot; message.im is how their words arrive
    # (answered with help), and Slack requires im:history for it.
    manifest = build_manifest()
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert "message.im" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "im:history" in manifest["oauth_config"]["scopes"]["bot"]


def test_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--url", "https://x.example"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["features"]["slash_commands"][0]["url"] == "https://x.example/slack/events"
