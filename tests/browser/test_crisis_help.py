"""Crisis help first, literally (issue 11, point 2), with JavaScript on and off,
on the request form and on the partner page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeRequest
from tests.browser import steps
from tests.browser.test_accessibility import assert_no_serious_violations

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
QUESTION = "Are you in immediate danger"


def open_form(new_context, viewport, site, form, *, javascript=True):
    """The request form, or a partner page (its link made by a request sent first)."""
    if form == "request":
        url = site + reverse("intake:request")
        next_question = "What would you like help with?"
    else:
        requester = new_context(viewport=viewport).new_page()
        requester.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
        steps.fill_request(requester, "couples")
        steps.send_request(requester)
        url = steps.partner_link(requester)
        next_question = "What would you like to do?"
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(url)
    return page, steps.group(page, next_question)


@pytest.mark.parametrize("form", ["request", "partner"])
def test_yes_brings_the_help_up_at_once_above_the_rest_of_the_form(
    new_context, viewport, site, form
):
    page, next_question = open_form(new_context, viewport, site, form)
    live = page.locator("[data-crisis-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_be_empty()

    steps.choose(page, QUESTION, "Yes")

    expect(live.get_by_role("heading", name="Please get help now")).to_be_visible()
    for number in ("911", "Call or text 988, any time", "1-800-799-7233"):
        expect(live.get_by_role("link", name=number)).to_be_visible()
    question_box = steps.group(page, "Your safety right now").bounding_box()
    help_box = live.bounding_box()
    assert question_box["y"] < help_box["y"] < next_question.bounding_box()["y"]
    assert_no_serious_violations(page)
    # Nothing was sent to see it.
    assert not IntakeRequest.objects.filter(in_crisis="yes").exists()

    steps.choose(page, QUESTION, "No")
    expect(live).to_be_empty()
    steps.choose(page, QUESTION, "Yes")
    expect(live.get_by_role("link", name="911")).to_have_count(1)


@pytest.mark.parametrize("form", ["request", "partner"])
def test_without_javascript_the_help_stands_beside_the_question(new_context, viewport, site, form):
    page, _next_question = open_form(new_context, viewport, site, form, javascript=False)

    beside = page.locator("#crisis-help")
    for number in ("911", "Call or text 988, any time", "1-800-799-7233"):
        expect(beside.get_by_role("link", name=number)).to_be_visible()
    question = steps.group(page, "Your safety right now")
    expect(question.locator("#crisis-help")).to_be_visible()
    steps.choose(page, QUESTION, "Yes")
    # The script's copy never appears; the help was there all along.
    expect(page.locator("[data-crisis-live]")).to_be_empty()


@JAVASCRIPT
def test_a_form_sent_with_yes_and_a_mistake_shows_the_help_before_the_errors(
    new_context, viewport, site, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("intake:request"))
    steps.choose(page, QUESTION, "Yes")
    page.get_by_role("button", name="Send my request").click()

    crisis = page.get_by_role("region", name="If you are in danger right now")
    expect(crisis.get_by_role("link", name="911")).to_be_visible()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    assert crisis.bounding_box()["y"] < summary.bounding_box()["y"]
    if javascript:
        # Focus goes to the help, so a screen reader reads it before the errors.
        expect(crisis).to_be_focused()
        # The form's own copy is not added: the help is on the page once.
        expect(page.locator("[data-crisis-live]")).to_be_empty()
        # axe runs as a script in the page, which this browser does not run.
        assert_no_serious_violations(page)
    assert not IntakeRequest.objects.exists()
