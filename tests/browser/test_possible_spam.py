"""A request whose honeypot was filled (here through the DOM, as autofill or a
robot would) is stored in quarantine and confirmed; a clinician finds it under
Possible spam and releases it into the queue. With and without JavaScript."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeRequest, Notification
from tests.browser import steps
from tests.browser.test_triage import PASSWORD, clinicians_group
from tests.conftest import enrol_device, totp_code


@pytest.fixture
def clinician(django_user_model):
    user = django_user_model.objects.create_user("ana", password=PASSWORD, is_staff=True)
    user.groups.add(clinicians_group())
    return user, enrol_device(user)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_filled_honeypot_is_held_confirmed_and_released_by_a_clinician(
    new_context, viewport, site, clinician, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(page, "couples")
    # Not shown at all (display: none): only autofill or a robot fills it in.
    page.locator('input[name="website"]').evaluate("box => { box.value = 'jordan@example.com'; }")

    steps.send_request(page)

    reference = steps.reference(page)
    expect(page.get_by_label("Your partner's private link")).to_have_value(
        re.compile(r"/request/partner/[\w-]{43}/$")
    )
    stored = IntakeRequest.objects.get()
    assert stored.reference == reference
    assert stored.quarantined_at is not None
    assert (stored.journey, stored.concerns) == ("couples", steps.CONCERNS)
    assert not Notification.objects.exists()

    user, device = clinician
    staff_page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    steps.sign_in_staff(staff_page, site, user.username, PASSWORD, totp_code(device))
    staff_page.goto(site + reverse("admin:intake_intakerequest_changelist"))
    expect(staff_page.locator("#result_list")).to_have_count(0)
    staff_page.get_by_role("link", name="Possible spam (1)").click()
    staff_page.get_by_role("link", name=reference).click()
    expect(staff_page.get_by_text("Possible spam:")).to_be_visible()

    staff_page.get_by_role("button", name="Release into the queue").click()

    expect(staff_page.get_by_text("is in the queue now")).to_be_visible()
    stored.refresh_from_db()
    assert stored.quarantined_at is None
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "new_request",
        "receipt",
    ]
