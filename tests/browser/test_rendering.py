"""Every block and element type the bot can send, as the page draws it.

The blocks are posted through the sandbox's Web API, as the bot posts them, after the same
Block Kit schemas the other tests use have accepted them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from slack_sdk import WebClient

from sandbox import oracle
from sandbox.workspace import DEFAULT_BOT_TOKEN
from tests.browser.conftest import screenshot
from tests.browser.harness import LocalWorkspace
from tests.browser.people import LEAD, open_as

DM = "D" + LEAD[1:]

pytestmark = pytest.mark.browser


def _text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


CHOICES = [_option("a", "Alpha"), _option("b", "Bravo")]
MESSAGE_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": _plain("Header words")},
    {
        "type": "section",
        "text": _text(
            "*bold* _italic_ ~strike~ `code` <https://example.com|a link> <@U0SBMARC1> "
            "&lt;escaped&gt;\n&gt; quoted line"
        ),
        "fields": [_text("*Field one*\n1"), _text("*Field two*\n2")],
        "accessory": {
            "type": "overflow",
            "action_id": "sample_overflow",
            "options": [_option("x", "Extra"), _option("y", "Yonder")],
        },
    },
    {"type": "context", "elements": [_text("context words")]},
    {"type": "divider"},
    {
        "type": "image",
        "image_url": "https://example.com/chart.png",
        "alt_text": "a chart",
        "title": _plain("Image title"),
    },
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": _plain("Go"),
                "action_id": "sample_primary",
                "style": "primary",
            },
            {
                "type": "button",
                "text": _plain("Stop"),
                "action_id": "sample_danger",
                "style": "danger",
                "confirm": {
                    "title": _plain("Really stop?"),
                    "text": _text("This *stops* it."),
                    "confirm": _plain("Stop it"),
                    "deny": _plain("Keep going"),
                },
            },
            {"type": "static_select", "action_id": "sample_static", "options": CHOICES},
            {"type": "users_select", "action_id": "sample_users"},
            {"type": "datepicker", "action_id": "sample_date", "initial_date": "2026-03-04"},
            {"type": "timepicker", "action_id": "sample_time", "initial_time": "09:30"},
        ],
    },
]


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}


INPUT_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": _plain("Every input")},
    _input("plain", "Plain", {"type": "plain_text_input", "action_id": "v"}),
    _input("long", "Long", {"type": "plain_text_input", "action_id": "v", "multiline": True}),
    _input("url", "Url", {"type": "url_text_input", "action_id": "v"}),
    _input(
        "number", "Number", {"type": "number_input", "action_id": "v", "is_decimal_allowed": False}
    ),
    _input("multi", "Multi", {"type": "multi_static_select", "action_id": "v", "options": CHOICES}),
    _input("people", "People", {"type": "multi_users_select", "action_id": "v"}),
    _input("boxes", "Boxes", {"type": "checkboxes", "action_id": "v", "options": CHOICES}),
    _input("radio", "Radio", {"type": "radio_buttons", "action_id": "v", "options": CHOICES}),
]


@pytest.fixture(scope="module")
def slack(local: LocalWorkspace) -> Iterator[WebClient]:
    """The bot's Web API client, pointed at the local workspace's sandbox."""
    yield WebClient(token=DEFAULT_BOT_TOKEN, base_url=local.url.replace("/local/", "/api/"))


def test_the_blocks_are_valid_block_kit() -> None:
    assert oracle.validate_blocks(MESSAGE_BLOCKS) == []
    assert oracle.validate_blocks(INPUT_BLOCKS) == []
    assert oracle.validate_view({"type": "home", "blocks": INPUT_BLOCKS}) == []


def test_every_message_block_and_element_is_drawn(
    page: Page, local: LocalWorkspace, slack: WebClient, tmp_path: Path
) -> None:
    slack.chat_postMessage(channel=LEAD, text="every block", blocks=MESSAGE_BLOCKS)
    open_as(page, local.url, LEAD)
    message = page.locator("#messages .message").filter(has_text="Header words").last
    expect(message.locator('[data-block="header"]')).to_have_text("Header words")
    text = message.locator(".bk-section-text")
    expect(text.locator("b")).to_have_text("bold")
    expect(text.locator("i")).to_have_text("italic")
    expect(text.locator("s")).to_have_text("strike")
    expect(text.locator("code")).to_have_text("code")
    expect(text.locator("a")).to_have_attribute("href", "https://example.com")
    expect(text.locator(".mention")).to_have_text("@Marcus")
    expect(text.locator("blockquote")).to_have_text("quoted line")
    expect(text).to_contain_text("<escaped>")
    expect(message.locator(".bk-field")).to_have_count(2)
    expect(message.locator('[data-block="context"]')).to_have_text("context words")
    expect(message.locator('[data-block="divider"]')).to_have_count(1)
    expect(message.locator('[data-block="image"] img')).to_have_attribute("alt", "a chart")
    expect(message.locator(".bk-button.primary")).to_have_text("Go")
    expect(message.locator('[data-action-id="sample_static"] option')).to_have_count(3)
    expect(
        message.locator('[data-action-id="sample_users"] option', has_text="Marcus Reed")
    ).to_have_count(1)
    expect(message.locator('[data-action-id="sample_date"]')).to_have_value("2026-03-04")
    expect(message.locator('[data-action-id="sample_time"]')).to_have_value("09:30")
    message.locator(".bk-overflow-toggle").click()
    expect(message.locator(".bk-overflow-item")).to_have_count(2)
    message.locator(".bk-overflow-toggle").click()
    # A button with a confirm dialog asks first; "Keep going" sends nothing.
    message.locator(".bk-button.danger").click()
    dialog = page.locator(".confirm")
    expect(dialog.locator("h3")).to_have_text("Really stop?")
    expect(dialog.locator("b")).to_have_text("stops")
    dialog.get_by_text("Keep going").click()
    expect(dialog).to_have_count(0)
    screenshot(page, "every-block", tmp_path)


def test_every_input_element_is_drawn(page: Page, local: LocalWorkspace, slack: WebClient) -> None:
    # In a message rather than the Home tab, which the bot republishes whenever it likes.
    slack.chat_postMessage(channel=LEAD, text="every input", blocks=INPUT_BLOCKS)
    open_as(page, local.url, LEAD)
    home = page.locator("#messages .message").filter(has_text="Every input").last
    expect(home.get_by_label("Plain")).to_have_attribute("type", "text")
    expect(home.get_by_label("Long")).to_have_js_property("tagName", "TEXTAREA")
    expect(home.get_by_label("Url")).to_have_attribute("type", "url")
    expect(home.get_by_label("Number")).to_have_attribute("step", "1")
    expect(home.get_by_label("Multi")).to_have_js_property("multiple", True)
    expect(home.get_by_label("People")).to_have_js_property("multiple", True)
    expect(home.get_by_label("Boxes").locator("input[type=checkbox]")).to_have_count(2)
    expect(home.get_by_label("Radio").locator("input[type=radio]")).to_have_count(2)


def test_updates_threads_ephemerals_and_files_arrive_live(
    page: Page, local: LocalWorkspace, slack: WebClient
) -> None:
    open_as(page, local.url, LEAD)
    first = slack.chat_postMessage(channel=LEAD, text="first words")
    expect(page.locator("#messages .message", has_text="first words")).to_be_visible()
    slack.chat_update(channel=DM, ts=first["ts"], text="changed words")
    expect(page.locator("#messages .message", has_text="changed words")).to_be_visible()
    expect(page.locator("#messages .message", has_text="first words")).to_have_count(0)
    slack.chat_postMessage(channel=LEAD, text="a reply", thread_ts=first["ts"])
    expect(page.locator("#messages .thread", has_text="a reply")).to_be_visible()
    slack.chat_postEphemeral(channel=DM, user=LEAD, text="just for you")
    ephemeral = page.locator("#messages .message.ephemeral", has_text="just for you")
    expect(ephemeral.locator(".only-you")).to_be_visible()
    slack.files_upload_v2(channel=DM, content="a,b\n1,2\n", filename="sample.csv", title="Sample")
    link = page.locator("#messages a.file", has_text="Sample")
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_text() == "a,b\n1,2\n"


def test_delegate_this_message_opens_a_prefilled_brief(page: Page, local: LocalWorkspace) -> None:
    open_as(page, local.url, LEAD)
    page.locator('[data-conversation="C0SBTEAM1"]').click()
    page.locator("#composer-text").fill("Acme wants the renewal numbers by Friday")
    page.locator("#composer-text").press("Enter")
    message = page.locator("#messages .message", has_text="renewal numbers").last
    message.locator(".more").click()
    message.get_by_text("Delegate this message").click()
    brief = page.locator(".modal", has=page.locator("h2", has_text="New delegation"))
    expect(brief.get_by_label("Goal and why it matters")).to_have_value(
        re.compile("renewal numbers")
    )
