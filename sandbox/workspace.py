"""The seeded sandbox workspace: team, app, users and channels, deterministic by construction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_BOT_TOKEN = "xoxb-sandbox-bot-token"  # noqa: S105 - fake, public by design
DEFAULT_APP_TOKEN = "xapp-1-sandbox-app-token"  # noqa: S105 - fake, public by design
DEFAULT_SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105 - fake, public by design
# Slack still sends the deprecated verification token in every payload; Bolt ignores it.
DEFAULT_VERIFICATION_TOKEN = "sandbox-verification-token"  # noqa: S105 - fake, public by design

# Slack shows long zone names; zoneinfo only knows abbreviations, so the ones we seed are spelt out.
_TZ_LABELS: dict[tuple[str, bool], str] = {
    ("Europe/London", False): "Greenwich Mean Time",
    ("Europe/London", True): "British Summer Time",
    ("America/New_York", False): "Eastern Standard Time",
    ("America/New_York", True): "Eastern Daylight Time",
    ("America/Chicago", False): "Central Standard Time",
    ("America/Chicago", True): "Central Daylight Time",
    ("America/Los_Angeles", False): "Pacific Standard Time",
    ("America/Los_Angeles", True): "Pacific Daylight Time",
    ("America/Sao_Paulo", False): "Brasilia Standard Time",
    ("Asia/Kolkata", False): "India Standard Time",
    ("Australia/Sydney", False): "Australian Eastern Standard Time",
    ("Australia/Sydney", True): "Australian Eastern Daylight Time",
}


def tz_details(tz: str, at: float) -> tuple[str, int]:
    """Return Slack's `tz_label` and `tz_offset` (seconds east of UTC) for a zone at an instant."""
    local = datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(tz))
    offset = local.utcoffset()
    dst = local.dst()
    is_dst = dst is not None and dst.total_seconds() != 0
    label = _TZ_LABELS.get((tz, is_dst)) or local.tzname() or tz
    return label, int(offset.total_seconds()) if offset is not None else 0


@dataclass(frozen=True)
class User:
    """A workspace member as `users.info` describes them."""

    id: str
    name: str
    real_name: str
    tz: str
    title: str = ""
    email: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False

    @property
    def display_name(self) -> str:
        """The short name people see in the client."""
        return self.real_name.split(" ")[0]

    def to_api(self, workspace: Workspace, at: float) -> dict[str, Any]:
        """Render the user object as Slack's Web API returns it at wall time `at`."""
        label, offset = tz_details(self.tz, at)
        avatar = hashlib.sha1(self.id.encode(), usedforsecurity=False).hexdigest()[:12]
        first, _, last = self.real_name.partition(" ")
        profile: dict[str, Any] = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": "" if self.is_bot else self.display_name,
            "display_name_normalized": "" if self.is_bot else self.display_name,
            "fields": None,
            "status_text": "",
            "status_emoji": "",
            "status_emoji_display_info": [],
            "status_expiration": 0,
            "avatar_hash": avatar,
            "first_name": first,
            "last_name": last,
            "team": workspace.team_id,
        }
        for size in (24, 32, 48, 72, 192, 512):
            profile[f"image_{size}"] = f"https://avatars.sandbox.invalid/{self.id}_{size}.png"
        if self.email is not None:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = workspace.app_id
            profile["always_active"] = True
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": workspace.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": avatar[:6],
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": workspace.created,
            "is_email_confirmed": self.email is not None,
            "who_can_share_contact_card": "EVERYONE",
        }
        return user


@dataclass(frozen=True)
class Channel:
    """A public or private channel and who is in it."""

    id: str
    name: str
    members: tuple[str, ...]
    is_private: bool = False
    is_archived: bool = False
    topic: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class Workspace:
    """Everything static about the fake workspace: identities, people, channels and credentials."""

    team_id: str = "T0SANDBOX"
    team_name: str = "Sandbox"
    domain: str = "sandbox"
    app_id: str = "A0SANDBOX1"
    bot_user_id: str = "U0SBBOT01"
    bot_id: str = "B0SBBOT01"
    bot_name: str = "delegatebot"
    lead_id: str = "U0SBLENA1"
    default_channel_id: str = "C0SBTEAM1"
    created: int = 1_700_000_000
    bot_token: str = DEFAULT_BOT_TOKEN
    app_token: str = DEFAULT_APP_TOKEN
    signing_secret: str = DEFAULT_SIGNING_SECRET
    verification_token: str = DEFAULT_VERIFICATION_TOKEN
    users: tuple[User, ...] = field(default_factory=lambda: _seed_users())
    channels: tuple[Channel, ...] = field(default_factory=lambda: _seed_channels())

    def user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        return next((u for u in self.users if u.id == user_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        """The channel with this id, or None."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_named(self, name: str) -> Channel | None:
        """The channel called `name` (with or without the leading #), or None."""
        bare = name.removeprefix("#")
        return next((c for c in self.channels if c.name == bare), None)

    @property
    def lead(self) -> User:
        """The seeded lead, who delegates."""
        lead = self.user(self.lead_id)
        assert lead is not None, "the lead must be one of the users"
        return lead

    @property
    def bot(self) -> User:
        """The app's own bot user."""
        bot = self.user(self.bot_user_id)
        assert bot is not None, "the bot must be one of the users"
        return bot

    @property
    def people(self) -> tuple[User, ...]:
        """Active humans (no bots, no deactivated accounts, no Slackbot)."""
        return tuple(
            u for u in self.users if not u.is_bot and not u.deleted and u.id != SLACKBOT_ID
        )

    @property
    def members(self) -> tuple[User, ...]:
        """Active humans other than the lead: the people work is delegated to."""
        return tuple(u for u in self.people if u.id != self.lead_id)

    def dm_id(self, user_id: str) -> str:
        """The id of the bot's direct message with `user_id`: stable, like Slack's."""
        return "D" + user_id[1:]

    def dm_user(self, channel_id: str) -> User | None:
        """The user on the other side of a DM id, or None when it is not a DM with a known user."""
        if not channel_id.startswith("D"):
            return None
        return self.user("U" + channel_id[1:])


SLACKBOT_ID = "USLACKBOT"


def _seed_users() -> tuple[User, ...]:
    return (
        User(
            "U0SBLENA1",
            "lena",
            "Lena Hart",
            "Europe/London",
            title="Head of Key Accounts",
            email="lena@sandbox.invalid",
            is_admin=True,
            is_owner=True,
        ),
        User(
            "U0SBTOM01",
            "tom",
            "Tom Okafor",
            "Europe/London",
            title="Account Manager",
            email="tom@sandbox.invalid",
        ),
        User(
            "U0SBMARC1",
            "marcus",
            "Marcus Reed",
            "America/New_York",
            title="Account Manager",
            email="marcus@sandbox.invalid",
        ),
        User(
            "U0SBPRIY1",
            "priya",
            "Priya Nair",
            "Asia/Kolkata",
            title="Solutions Engineer",
            email="priya@sandbox.invalid",
        ),
        User(
            "U0SBCHLO1",
            "chloe",
            "Chloe Watts",
            "Australia/Sydney",
            title="Customer Success Manager",
            email="chloe@sandbox.invalid",
        ),
        User(
            "U0SBANA01",
            "ana",
            "Ana Souza",
            "America/Sao_Paulo",
            title="Analyst",
            email="ana@sandbox.invalid",
        ),
        User(
            "U0SBDANA1",
            "dana",
            "Dana Kowalski",
            "America/Chicago",
            title="Former Account Manager",
            email="dana@sandbox.invalid",
            deleted=True,
        ),
        User(
            "U0SBBOT01",
            "delegatebot",
            "Delegate",
            "America/Los_Angeles",
            is_bot=True,
            bot_id="B0SBBOT01",
        ),
        User(SLACKBOT_ID, "slackbot", "Slackbot", "America/Los_Angeles"),
    )


def _seed_channels() -> tuple[Channel, ...]:
    everyone = ("U0SBLENA1", "U0SBTOM01", "U0SBMARC1", "U0SBPRIY1", "U0SBCHLO1", "U0SBANA01")
    return (
        Channel(
            "C0SBGENRL",
            "general",
            (*everyone, "U0SBBOT01"),
            topic="Company-wide announcements",
            purpose="This is the one channel that will always include everyone.",
        ),
        Channel(
            "C0SBTEAM1",
            "key-accounts",
            (*everyone, "U0SBBOT01"),
            topic="Delegation updates",
            purpose="Where the delegate bot posts updates.",
        ),
        Channel(
            "C0SBRAND1",
            "random",
            everyone,
            purpose="Non-work banter; the bot is not a member.",
        ),
    )
