"""A safety answer is never discarded, with JavaScript on and off (issue 11, point 1).

Each journey asserts what was stored, not only what the page says.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeRequest, PartnerResponse
from tests.browser import steps

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@JAVASCRIPT
def test_individual_requester_who_answers_the_partner_safety_question_is_kept(
    new_context, viewport, site, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("intake:request"))
    # Answered while the couples section showed, then the journey changed: with
    # JavaScript the section is hidden again, but the answer was given.
    steps.pick_card(steps.journey_radio(page, "couples"))
    steps.choose(page, "Has your partner ever hurt, threatened or frightened you?", "Yes")
    steps.fill_request(page, "individual")
    steps.send_request(page)

    steps.reference(page)
    support = page.get_by_role("region", name="Support is here if you need it")
    expect(support.get_by_role("link", name="1-800-799-7233")).to_be_visible()
    stored = IntakeRequest.objects.get()
    assert stored.journey == "individual"
    assert stored.partner_safety == "yes"
    assert stored.is_safety_flagged


@JAVASCRIPT
def test_partner_with_questions_first_who_is_in_danger_and_was_hurt_is_kept(
    new_context, viewport, site, javascript
):
    requester = new_context(viewport=viewport).new_page()
    requester.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(requester, "couples")
    steps.send_request(requester)
    link = steps.partner_link(requester)

    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(link)
    steps.answer_as_partner(page, "questions", safety="Yes", crisis="Yes")

    expect(page.get_by_role("region", name="If you are in danger right now")).to_be_visible()
    support = page.get_by_role("region", name="Support is here if you need it")
    expect(support.get_by_role("link", name="1-800-799-7233")).to_be_visible()
    response = PartnerResponse.objects.get()
    assert response.answer == "questions"
    assert response.partner_safety == "yes" and response.in_crisis == "yes"
    flagged = IntakeRequest.objects.get()
    assert flagged.is_urgent and flagged.is_safety_flagged


@JAVASCRIPT
def test_partner_who_says_not_now_is_asked_about_danger_first(
    new_context, viewport, site, javascript
):
    requester = new_context(viewport=viewport).new_page()
    requester.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(requester, "couples")
    steps.send_request(requester)
    link = steps.partner_link(requester)

    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(link)
    # The crisis question comes before the answer, with the help beside it.
    form_text = page.locator("form").inner_text()
    assert form_text.index("immediate danger") < form_text.index("What would you like to do?")
    expect(page.locator("#crisis-help").get_by_role("link", name="911")).to_be_visible()
    steps.answer_as_partner(page, "not_now", crisis="Yes")

    expect(page.get_by_role("region", name="If you are in danger right now")).to_be_visible()
    assert PartnerResponse.objects.get().in_crisis == "yes"
    assert IntakeRequest.objects.get().is_urgent
