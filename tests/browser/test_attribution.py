"""A reader presses an article's button and sends the form: the stored request
names that article, with JavaScript on and off, and nothing else about the
reader is kept (issue 14, part 2)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from intake.models import IntakeRequest
from tests.browser import steps

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
SLUG = "when-your-partner-says-no-to-couples-therapy"


@JAVASCRIPT
def test_the_request_records_the_article_whose_button_was_pressed(
    new_context, viewport, site, javascript
):
    context = new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    # Another article read first: only the button pressed counts.
    page.goto(site + reverse("articles:detail", kwargs={"slug": "what-is-a-couples-intensive"}))
    page.goto(site + reverse("articles:detail", kwargs={"slug": SLUG}))
    page.get_by_role("link", name="Ask about starting now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request a session")
    expect(page.locator('input[name="from_article"]')).to_have_value(SLUG)
    steps.fill_request(page, "couples")
    steps.send_request(page)

    steps.reference(page)
    stored = IntakeRequest.objects.get()
    assert stored.from_article == Article.objects.get(slug=SLUG)
    assert stored.journey == "couples" and stored.partner_readiness == "declined"
    # No cookie names the article or was set for it: only the site's usual ones.
    names = {cookie["name"] for cookie in context.cookies()}
    assert all(SLUG not in cookie["value"] for cookie in context.cookies())
    assert names <= {"__Host-csrftoken", "__Host-sessionid"}, names


@JAVASCRIPT
def test_the_form_opened_directly_records_no_article(new_context, viewport, site, javascript):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("articles:detail", kwargs={"slug": SLUG}))
    page.goto(site + reverse("intake:request"))

    steps.fill_request(page, "individual")
    steps.send_request(page)

    steps.reference(page)
    assert IntakeRequest.objects.get().from_article is None
