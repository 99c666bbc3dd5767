from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import SLACK_API_URL_DEFAULT, Settings, describe_errors

SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "HOST",
    "LOG_LEVEL",
    "WORKING_DAYS",
    "CHECKIN_TIME",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = Settings()
    assert settings.slack_api_url == SLACK_API_URL_DEFAULT
    assert settings.port == 3000
    assert settings.checkin_time == time(10, 0)
    assert settings.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert settings.open_delegation_soft_limit == 5
    assert settings.database_url.startswith("sqlite:///")
    assert settings.socket_mode is False


def test_reads_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=4000\n")
    settings = Settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-dotenv"
    assert settings.port == 4000


def test_postgres_url_uses_psycopg3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/app")
    assert Settings().database_url == "postgresql+psycopg://u@db.example/app"


def test_api_url_gets_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:3001/api")
    assert Settings().slack_api_url == "http://127.0.0.1:3001/api/"


def test_secrets_never_appear_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-value")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    text = repr(Settings()) + str(Settings())
    assert "very-secret" not in text


def test_each_bad_value_gets_its_own_line_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-secret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
    monkeypatch.setenv("DATABASE_URL", "not a url")
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(ValidationError) as caught:
        Settings()
    lines = describe_errors(caught.value)
    assert len(lines) == 4
    joined = "\n".join(lines)
    assert 'SLACK_BOT_TOKEN: must start with "xoxb-"' in joined
    assert 'SLACK_APP_TOKEN: must start with "xapp-"' in joined
    assert "DATABASE_URL:" in joined
    assert "PORT:" in joined
    assert "secret" not in joined
    assert "not-an-app-token" not in joined


def test_bad_working_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKING_DAYS", "Mon-Funday")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert describe_errors(caught.value)[0].startswith("WORKING_DAYS:")


def test_missing_credentials_names_each_variable() -> None:
    missing = Settings().missing_credentials()
    assert len(missing) == 2
    assert missing[0].startswith("SLACK_BOT_TOKEN")
    assert "SLACK_APP_TOKEN" in missing[1] and "SLACK_SIGNING_SECRET" in missing[1]


def test_http_mode_credentials_are_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    settings = Settings()
    assert settings.missing_credentials() == []
    assert settings.socket_mode is False


def test_app_token_selects_socket_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    settings = Settings()
    assert settings.missing_credentials() == []
    assert settings.socket_mode is True
