from __future__ import annotations

from bot.domain.command_text import OpenBrief, ShowHelp, UnknownSubcommand, parse_command_text


def test_empty_opens_blank_brief() -> None:
    assert parse_command_text("   ") == OpenBrief()


def test_mention_and_title_prefill() -> None:
    parsed = parse_command_text("<@U0DANA|dana>   Renewal deck  for Acme ")
    assert parsed == OpenBrief(owner_id="U0DANA", title="Renewal deck for Acme")


def test_mention_without_title() -> None:
    assert parse_command_text("<@W123ABC>") == OpenBrief(owner_id="W123ABC", title=None)


def test_help_any_case() -> None:
    assert parse_command_text("HELP") == ShowHelp()


def test_unknown_word() -> None:
    assert parse_command_text("frobnicate now") == UnknownSubcommand(word="frobnicate")
