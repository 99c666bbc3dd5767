"""What a person does in the local workspace page, in the words of its buttons and labels."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

LEAD = "U0SBLENA1"
OWNER = "U0SBMARC1"  # Marcus, in New York: his check-ins come at his local hour


def open_as(page: Page, url: str, user_id: str, *, tab: str = "messages") -> None:
    """Open the page as a person, in their DM with the bot (or its Home tab)."""
    page.goto(f"{url}?as={user_id}&tab={tab}")
    expect(page.locator(".conversation.active")).to_be_visible()


def become(page: Page, user_id: str) -> None:
    """Switch who you are with the picker at the top."""
    page.locator("#who").select_option(user_id)
    expect(page.locator(f'[data-conversation="D{user_id[1:]}"]')).to_have_class(
        re.compile("active")
    )


def type_in_composer(page: Page, text: str) -> None:
    """Type a message or a slash command and press Enter."""
    box = page.locator("#composer-text")
    box.fill(text)
    box.press("Enter")


def modal(page: Page, title: str) -> Locator:
    """The open modal with this title, once it shows."""
    found = page.locator(".modal").filter(has=page.locator("h2", has_text=title))
    expect(found).to_be_visible()
    return found


def submit(dialog: Locator) -> None:
    """Press the modal's submit button."""
    dialog.locator(".modal-submit").click()


def last_message(page: Page, text: str) -> Locator:
    """The newest message in the open conversation containing `text`, once it shows."""
    found = page.locator("#messages .message").filter(has_text=text).last
    expect(found).to_be_visible()
    return found


def with_button(page: Page, button: str) -> Locator:
    """The newest message in the open conversation offering this button, once it shows."""
    found = page.locator("#messages .message").filter(
        has=page.locator(".bk-button", has_text=button)
    )
    expect(found.last).to_be_visible()
    return found.last


def click_in(message: Locator, button: str) -> None:
    """Click a button of a message by its words."""
    message.locator(".bk-button", has_text=button).first.click()


def move_clock(page: Page, button: str = "#jump-next") -> None:
    """Press a clock button and wait until the page has drawn what the move sent."""
    moves = int(page.locator("body").get_attribute("data-moves") or 0)
    page.locator(button).click()
    expect(page.locator("body")).to_have_attribute("data-moves", str(moves + 1))


def jump_until(page: Page, text: str, *, most: int = 12) -> Locator:
    """Press "Jump to the next thing due" until a message containing `text` is shown."""
    messages = page.locator("#messages .message").filter(has_text=text)
    for _ in range(most):
        if messages.count():
            break
        move_clock(page)
    expect(messages.last).to_be_visible()
    return messages.last


def iso(day: date) -> str:
    """A date as the datepicker's value."""
    return day.isoformat()
