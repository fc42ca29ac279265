"""Leave this site (issue 11, point 3) in a browser, with JavaScript on and off.

The neutral site is never really visited: the browser's requests to it are
answered here (Playwright routing), so no test needs the internet.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import steps
from tests.browser.test_accessibility import assert_no_serious_violations

NEUTRAL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def open_page(new_context, viewport):
    """A page in a new browser whose visits to the neutral site are answered locally."""

    def make(*, javascript=True):
        context = new_context(viewport=viewport, java_script_enabled=javascript)
        context.route(
            re.compile(r"^https://www\.bbc\.co\.uk/.*"),
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><title>Weather</title><h1>Weather today</h1>",
            ),
        )
        return context.new_page()

    return make


def sent_request(page, site):
    page.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(page, "couples")
    steps.send_request(page)
    expect(page.get_by_role("heading", name="A private link for your partner")).to_be_visible()


def leave_link(page):
    return page.get_by_role("link", name=re.compile(r"^Leave this site"))


def assert_forgotten(page, site):
    """The confirmation shows nothing any more, not even the neutral "has reached us"."""
    page.goto(site + reverse("intake:done"))
    expect(page).to_have_url(re.compile(r"/request/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a session")


def test_pressing_it_replaces_the_page_with_the_neutral_site_and_forgets(open_page, site):
    sender = open_page()
    sent_request(sender, site)
    # The same browser, a page opened straight on the confirmation (now "has reached us").
    page = sender.context.new_page()
    page.goto(site + reverse("intake:done"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("has reached us")

    with page.expect_request(re.compile(r"/request/leave/$")) as beacon:
        leave_link(page).click()
    expect(page).to_have_url(NEUTRAL)
    expect(page.get_by_role("heading", name="Weather today")).to_be_visible()
    assert beacon.value.method == "POST"

    # Back does not return to the confirmation: it was replaced, not left behind.
    page.go_back()
    assert not page.url.startswith(site), page.url
    assert_forgotten(page, site)


def test_shift_pressed_three_times_leaves(open_page, site):
    page = open_page()
    page.goto(site + reverse("intake:request"))
    status = page.locator("[data-quick-exit-status]")
    page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: press 2 more times to leave this site.")
    assert_no_serious_violations(page)
    page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: press 1 more time to leave this site.")
    page.keyboard.press("Shift")
    expect(page).to_have_url(NEUTRAL)


def test_shift_for_capital_letters_does_not_leave(open_page, site):
    page = open_page()
    page.goto(site + reverse("intake:request"))
    name = page.get_by_role("textbox", name="Your name")
    name.click()
    for letter in "ABC":
        page.keyboard.down("Shift")
        page.keyboard.press(letter)
        page.keyboard.up("Shift")
    expect(name).to_have_value("ABC")
    assert page.url.startswith(site)


@pytest.mark.layout
def test_it_is_the_first_stop_after_the_skip_link(open_page, site):
    page = open_page()
    page.goto(site + reverse("intake:request"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")
    link = leave_link(page)
    expect(link).to_be_focused()
    expect(link).to_be_in_viewport()
    # Its name tells a screen reader about the other way out.
    expect(link).to_have_accessible_name(re.compile(r"^Leave this site.*Shift key 3 times"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(NEUTRAL)


@pytest.mark.layout
def test_it_stays_in_reach_at_the_bottom_of_a_long_form(open_page, site):
    page = open_page()
    page.goto(site + reverse("intake:request"))
    page.get_by_role("button", name="Send my request").scroll_into_view_if_needed()
    expect(leave_link(page)).to_be_in_viewport()
    leave_link(page).click()
    expect(page).to_have_url(NEUTRAL)


def test_without_javascript_it_is_a_plain_link_to_the_neutral_site(open_page, site):
    page = open_page(javascript=False)
    sent_request(page, site)
    link = leave_link(page)
    expect(link).to_have_attribute("href", settings.QUICK_EXIT_URL)
    expect(link).to_have_attribute("rel", "noreferrer")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    link.click()
    expect(page).to_have_url(NEUTRAL)


@pytest.mark.parametrize(
    "where",
    ["seen again", "partner page", "article about partners", "topic about conflict"],
)
def test_pages_with_it_have_no_serious_accessibility_violations(open_page, site, where):
    page = open_page()
    if where == "seen again":
        sent_request(page, site)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_contain_text("has reached us")
    elif where == "partner page":
        sent_request(page, site)
        page.goto(steps.partner_link(page))
    elif where == "article about partners":
        page.goto(
            site
            + reverse(
                "articles:detail",
                kwargs={"slug": "if-your-partner-asked-you-to-come-to-couples-therapy"},
            )
        )
    else:
        page.goto(site + reverse("articles:topic", kwargs={"slug": "communication"}))
    expect(leave_link(page)).to_be_visible()
    assert_no_serious_violations(page)
