"""Every knob of the bot, read once from the environment and `.env`."""

from __future__ import annotations

from datetime import time
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.calendar import parse_working_days
from storage.db import normalise_database_url

SLACK_API_URL_DEFAULT = "https://slack.com/api/"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Configuration of one bot process; see README "Configuration" for each variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        hide_input_in_errors=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = "sqlite:///delegate-bot.sqlite3"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: LogLevel = "INFO"

    # Product defaults; each person and workspace can override them later.
    checkin_time: time = time(10, 0)
    working_days: str = "Mon-Fri"
    open_delegation_soft_limit: int = Field(default=5, ge=1, le=100)
    digest_time: time = time(16, 30)
    # Owners may answer a feedback survey without their name only when at least this many
    # were asked, and anonymous answers are shown only when at least this many chose it.
    anonymity_threshold: int = Field(default=3, ge=2, le=50)
    # The workspace's skill list offered in profiles and briefs (people may add their own).
    team_skills: str = (
        "Negotiation, Pricing, Financial modelling, Presentations, Writing, Customer relations, "
        "Project management, Data analysis, Legal review, Design"
    )

    # Delivery and process behaviour.
    sweep_interval_seconds: float = Field(default=5.0, gt=0, le=300)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0, le=300)
    worker_threads: int = Field(default=16, ge=1, le=256)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_prefix(cls, value: SecretStr | None) -> SecretStr | None:
        return _require_prefix(value, "xoxb-", "a bot token from OAuth & Permissions")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_prefix(cls, value: SecretStr | None) -> SecretStr | None:
        return _require_prefix(value, "xapp-", "an app-level token from Basic Information")

    @field_validator("slack_signing_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("working_days")
    @classmethod
    def _working_days(cls, value: str) -> str:
        parse_working_days(value)
        return value

    @property
    def skill_list(self) -> tuple[str, ...]:
        """TEAM_SKILLS as a list, in the order given, blanks and repeats dropped."""
        seen: dict[str, str] = {}
        for skill in self.team_skills.split(","):
            cleaned = " ".join(skill.split())
            if cleaned:
                seen.setdefault(cleaned.casefold(), cleaned[:50])
        return tuple(seen.values())

    @property
    def working_weekdays(self) -> frozenset[int]:
        """Default working days as weekday numbers (Monday is 0)."""
        return parse_working_days(self.working_days)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used whenever an app-level token is configured."""
        return self.slack_app_token is not None

    def has_no_credentials(self) -> bool:
        """No Slack credential is set at all: `run` starts the local workspace instead."""
        return (
            self.slack_bot_token is None
            and self.slack_app_token is None
            and self.slack_signing_secret is None
        )

    def missing_credentials(self) -> list[str]:
        """Lines naming each variable `run` still needs, and where to get it."""
        missing: list[str] = []
        if self.slack_bot_token is None:
            missing.append(
                "SLACK_BOT_TOKEN is not set: your app's page at https://api.slack.com/apps > "
                "OAuth & Permissions > Bot User OAuth Token (starts with xoxb-)"
            )
        if self.slack_app_token is None and self.slack_signing_secret is None:
            missing.append(
                "SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) is not set: "
                "Basic Information > App-Level Tokens (connections:write, starts with xapp-), "
                "or Basic Information > App Credentials > Signing Secret"
            )
        return missing


def _require_prefix(value: SecretStr | None, prefix: str, what: str) -> SecretStr | None:
    if value is None or value.get_secret_value() == "":
        return None
    if not value.get_secret_value().startswith(prefix):
        raise ValueError(f'must start with "{prefix}" ({what})')
    return value


def describe_errors(error: ValidationError) -> list[str]:
    """One clear line per invalid setting, naming the variable and never echoing its value."""
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        name = ".".join(str(part) for part in item["loc"]).upper() or "SETTINGS"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return lines
