"""From a clinician's profile to a stored request, with JavaScript on and off."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeRequest, PartnerInvitation
from tests.browser import steps


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_profile_opens_the_form_with_the_clinician_and_under_18_gets_no_partner_link(
    new_context, viewport, site, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("team"))
    page.get_by_role("link", name="Maya Okafor").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maya Okafor")
    page.get_by_role("link", name="Request a session with Maya Okafor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request a session")
    clinician = page.get_by_label("Would you like to see someone in particular?")
    expect(clinician).to_have_value("maya-okafor")
    regions = page.get_by_label("Where do you live?").locator("option")
    # Idaho: only a clinician who is not taking new clients is licensed there.
    expect(regions).to_have_text(["Choose one", "Oregon", "Washington"])

    steps.pick_card(steps.journey_radio(page, "couples"))
    policy = page.get_by_text("If you are under 18:")
    if javascript:
        expect(policy).to_be_hidden()
    steps.choose(page, "Are you 18 or older?", "No, I am under 18")
    expect(policy).to_be_visible()
    steps.fill_about_you(page)
    steps.fill_sessions(page)
    steps.choose(page, "Are you in immediate danger", "No")
    page.get_by_label("You may contact me about this request").check()
    page.get_by_label("I understand this form is not for emergencies").check()
    steps.send_request(page)

    expect(page.get_by_role("heading", name="Because you are under 18")).to_be_visible()
    expect(page.get_by_text("Boys Town National Hotline")).to_be_visible()
    expect(page.get_by_label("Your partner's private link")).to_have_count(0)
    expect(page.get_by_text("Good Faith Estimate")).to_be_visible()

    stored = IntakeRequest.objects.select_related("preferred_clinician").get(
        reference=steps.reference(page)
    )
    assert stored.is_adult is False
    assert stored.journey == "individual"
    assert stored.preferred_clinician.slug == "maya-okafor"
    assert stored.session_format == "online"
    assert stored.online_location_confirmed_at is not None
    assert not PartnerInvitation.objects.filter(intake_request=stored).exists()
