"""The partner page of an intensive request, with JavaScript on and off (issue 11,
point 7): it speaks of intensives, lists what was written for that partner, has
no words for a reluctant partner when the partner wants to come, and the answer
is stored. Each case asserts what was stored, not only what the page says."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import PartnerResponse
from tests.browser import steps

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
INTENSIVE_ARTICLE = "Intensive couples therapy: what two days look like"
NOT_NOW_ARTICLE = 'Saying "not now" is allowed'
WEEKLY_ARTICLE = "What the first couples session is like for the one who was asked"


@JAVASCRIPT
@pytest.mark.parametrize(
    ("readiness", "answer"), [("agreed", "join"), ("declined", "not_now")], ids=["wants", "no"]
)
def test_partner_of_an_intensive_request_reads_about_intensives_and_answers(
    new_context, viewport, site, javascript, readiness, answer
):
    requester = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    requester.goto(f"{site}{reverse('intake:request')}?journey=intensive&readiness={readiness}")
    steps.fill_request(requester, "intensive")
    steps.send_request(requester)
    link_section = requester.get_by_role("region", name="A private link for your partner")
    expect(link_section).to_contain_text("It explains how a couples intensive works")
    quote = link_section.locator("blockquote")
    if readiness == "agreed":
        expect(quote).to_contain_text("the intensive we talked about")
        expect(quote).not_to_contain_text("not now")
        expect(requester.get_by_text("For you, while your partner decides")).to_have_count(0)
    else:
        expect(quote).to_contain_text("couples intensives")
        expect(quote).to_contain_text("say not now")
    link = steps.partner_link(requester)

    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(link)
    main = page.locator("main")
    expect(
        page.get_by_role("heading", level=2, name="What a couples intensive is like")
    ).to_be_visible()
    expect(main).to_contain_text("one to three days")
    expect(main).not_to_contain_text("8 and 20")
    reading = page.get_by_role("region", name="If you would like to read more first")
    expect(reading.get_by_role("link", name=INTENSIVE_ARTICLE)).to_be_visible()
    expect(reading.get_by_role("link", name=WEEKLY_ARTICLE)).to_have_count(0)
    if readiness == "agreed":
        expect(main).not_to_contain_text("is a real answer")
        expect(reading.get_by_role("link", name=NOT_NOW_ARTICLE)).to_have_count(0)
    else:
        expect(main).to_contain_text("is a real answer")
        expect(reading.get_by_role("link", name=NOT_NOW_ARTICLE)).to_be_visible()
    expect(main).not_to_contain_text(steps.CONCERNS)
    expect(main).not_to_contain_text(steps.NAME)

    steps.answer_as_partner(page, answer)

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for answering")
    stored = PartnerResponse.objects.select_related("intake_request", "invitation").get()
    assert stored.answer == answer
    assert stored.intake_request.journey == "intensive"
    assert stored.intake_request.partner_readiness == readiness
    assert stored.message == f"Partner says {answer} PARTNER-SECRET"
    assert stored.invitation.used_at is not None
    if answer == "join":
        assert stored.name == "Alex Kim" and stored.consented_at is not None
    else:
        assert stored.name == "" and stored.email == ""

    # Used now: the kind page, the same as for any link that does not work.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    expect(main.get_by_role("link", name="Send us your question")).to_be_visible()
