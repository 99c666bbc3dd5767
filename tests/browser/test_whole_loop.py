"""The whole delegation loop, clicked through in the local workspace page.

Lena (the lead, London) briefs Marcus (New York); he restates it, she approves, the clock
jumps to his check-in, he reports a risk, she replies, he finishes, she accepts and thanks
him, he answers the survey, she reads the results and exports her data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.harness import LocalWorkspace
from tests.browser.people import (
    LEAD,
    OWNER,
    become,
    click_in,
    iso,
    jump_until,
    last_message,
    modal,
    open_as,
    submit,
    with_button,
)

COPIED = {
    "What I will deliver": "Keep Acme at a flat price; they are weighing a competitor.",
    "How I will approach it": "A 10-slide deck signed off by finance.",
    "Why it matters": "Keep Acme at a flat price; they are weighing a competitor.",
}
OWN_WORDS = {
    "What I will deliver": "A short deck that argues for renewing Acme without a price rise.",
    "How I will approach it": "Pull their usage numbers, compare with the rival's offer, draft "
    "with Tom, then review with Lena before finance sees it.",
    "Why it matters": "If Acme walks we lose our biggest logo and the reference it gives us.",
}

pytestmark = pytest.mark.browser


def test_the_whole_loop_in_the_browser(page: Page, local: LocalWorkspace, tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    open_as(page, local.url, LEAD)

    # The lead types /delegate with the hint list open, and gets the brief modal.
    page.locator("#composer-text").fill("/delegate")
    expect(page.locator("#hints .hint").first).to_be_visible()
    screenshot(page, "01-hints", tmp_path)
    page.locator("#composer-text").press("Enter")
    brief = modal(page, "New delegation")
    brief.get_by_label("Owner", exact=True).select_option(OWNER)
    brief.get_by_label("Title", exact=True).fill("Acme renewal deck")
    brief.get_by_label("Goal and why it matters").fill(
        "Keep Acme at a flat price; they are weighing a competitor."
    )
    brief.get_by_label("Definition of done").fill("A 10-slide deck signed off by finance.")
    brief.get_by_label("Due date", exact=True).fill(iso(today - timedelta(days=1)))
    brief.get_by_label("Check-in rhythm").select_option("weekly")
    submit(brief)
    # A due date in the past is refused inline, under the field, and the modal stays.
    expect(brief.locator(".bk-error")).to_contain_text("That date has passed")
    screenshot(page, "02-brief-inline-error", tmp_path)
    brief.get_by_label("Due date", exact=True).fill(iso(today + timedelta(days=14)))
    submit(brief)
    expect(page.locator(".modal")).to_have_count(0)

    # Marcus gets the brief and first tries to copy it back.
    become(page, OWNER)
    click_in(last_message(page, "Acme renewal deck"), "Confirm in my own words")
    restate = modal(page, "Confirm")
    for label, text in COPIED.items():
        restate.get_by_label(label).fill(text)
    restate.get_by_label("My time estimate (working days)").fill("4")
    submit(restate)
    expect(restate.locator(".bk-error").first).to_contain_text("own words")
    screenshot(page, "03-copied-restatement-refused", tmp_path)
    for label, text in OWN_WORDS.items():
        restate.get_by_label(label).fill(text)
    submit(restate)
    expect(page.locator(".modal")).to_have_count(0)

    # Lena sees both side by side and approves.
    become(page, LEAD)
    review = last_message(page, "biggest logo")
    screenshot(page, "04-review", tmp_path)
    click_in(review, "Approve and start")
    expect(last_message(page, "You approved")).to_be_visible()

    # The clock jumps to Marcus's first check-in, at his local hour.
    become(page, OWNER)
    checkin = jump_until(page, "How is")
    screenshot(page, "05-checkin", tmp_path)
    click_in(checkin, "At risk")
    expect(last_message(page, "at risk")).to_be_visible()

    # Lena answers the alert; her reply reaches Marcus.
    become(page, LEAD)
    click_in(last_message(page, "at risk"), "Reply")
    reply = modal(page, "Reply")
    reply.get_by_label("Your reply").fill("Bring in Priya for the pricing model.")
    submit(reply)
    expect(page.locator(".modal")).to_have_count(0)
    become(page, OWNER)
    expect(last_message(page, "Bring in Priya")).to_be_visible()

    # Marcus finishes; Lena accepts and thanks him.
    click_in(with_button(page, "Done"), "Done")
    done = modal(page, "Mark as done")
    done.get_by_label("What you delivered").fill("The deck, signed off by finance.")
    submit(done)
    expect(page.locator(".modal")).to_have_count(0)
    become(page, LEAD)
    click_in(with_button(page, "Accept"), "Accept")
    click_in(with_button(page, "Say thanks"), "Say thanks")
    thanks = modal(page, "Say thanks")
    thanks.get_by_label("Message").fill("Thank you, Marcus: Acme stays.")
    submit(thanks)
    expect(page.locator(".modal")).to_have_count(0)

    # Marcus reads the thanks and answers the survey.
    become(page, OWNER)
    expect(last_message(page, "Acme stays")).to_be_visible()
    click_in(with_button(page, "Give feedback"), "Give feedback")
    survey = modal(page, "Your feedback")
    for question in (
        "How clear was the brief?",
        "How well did the work fit your skills and experience?",
        "How much did it challenge you in new ways?",
    ):
        survey.get_by_label(question).get_by_text("4 - mostly").click()
    survey.get_by_label("The check-ins came...").get_by_text("About right").click()
    screenshot(page, "06-survey", tmp_path)
    submit(survey)
    expect(page.locator(".modal")).to_have_count(0)

    # The round closes when the clock reaches it; Lena reads the results and exports.
    become(page, LEAD)
    results = jump_until(page, "Feedback on")
    expect(results).to_be_visible()
    screenshot(page, "07-results", tmp_path)
    page.locator("#composer-text").fill("/delegate export")
    page.locator("#composer-text").press("Enter")
    link = page.locator("#messages a.file").first
    expect(link).to_be_visible()
    screenshot(page, "08-export", tmp_path)
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path())
    assert saved.read_text().splitlines()[0].count(",") >= 3
