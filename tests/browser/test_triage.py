"""Triage at 1280 pixels, as a clinician sees it: the queue's columns fit without
scrolling sideways, and a request's first screen (1280 x 800) says whether it is
urgent, whether it is safe to call and who has it. With and without JavaScript.

`DOCS=1` also saves the screenshots the README shows (docs/admin-*.png); they
always go to screenshots/.
"""

import importlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import IntakeRequest
from tests.browser import steps
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.conftest import enrol_device, totp_code
from tests.factories import IntakeRequestFactory, PartnerInvitationFactory, PartnerResponseFactory

PASSWORD = "a-long-enough-password-for-staff"
SCREEN = {"width": 1280, "height": 800}
COLUMNS = [
    "reference",
    "received",
    "journey_short",
    "readiness_short",
    "status",
    "urgent",
    "safety",
    "under_18",
    "assigned",
    "partner_answered",
]


def save(page, name):
    folders = [Path(settings.BASE_DIR) / "screenshots"]
    if os.environ.get("DOCS"):
        folders.append(Path(settings.BASE_DIR) / "docs")
    for folder in folders:
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"))


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def clinicians_group() -> Group:
    """The role as migration 0002 makes it: browser tests empty the database
    after each test, groups and all."""
    roles = importlib.import_module("intake.migrations.0002_roles").ROLES
    group, _ = Group.objects.get_or_create(name="Clinicians")
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in roles["Clinicians"]
    )
    return group


@pytest.fixture
def clinician():
    user = get_user_model().objects.create_user(
        "ana", password=PASSWORD, is_staff=True, first_name="Ana", last_name="Ruiz"
    )
    user.groups.add(clinicians_group())
    return user, enrol_device(user)


@pytest.fixture
def queue(clinician):
    """A morning's queue: one urgent, one for safety follow-up, the rest ordinary."""
    ana, _device = clinician
    urgent = IntakeRequestFactory(
        is_urgent=True, is_phone_ok=False, is_text_ok=True, created_at=ago(hours=1)
    )
    IntakeRequestFactory(journey="couples", is_safety_flagged=True, created_at=ago(hours=3))
    PartnerInvitationFactory(
        intake_request=IntakeRequestFactory(journey="couples", created_at=ago(days=2)),
        revoked_at=ago(days=1),
    )
    PartnerResponseFactory(
        intake_request=IntakeRequestFactory(
            journey="intensive", partner_readiness="declined", created_at=ago(days=3)
        )
    )
    for days in range(4, 10):
        IntakeRequestFactory(
            journey="consult" if days % 2 else "individual",
            status="in_review" if days % 3 else "new",
            assigned_to=ana if days % 2 else None,
            created_at=ago(days=days),
        )
    closed = IntakeRequestFactory(status="closed", created_at=ago(days=20))
    return urgent, closed


def fits_the_screen(page, selector) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.left >= 0 && box.right <= window.innerWidth;
        }""",
        selector,
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_triage_at_1280_pixels(live_server_url, new_context, clinician, queue, javascript):
    user, device = clinician
    urgent, closed = queue
    page = new_context(viewport=SCREEN, java_script_enabled=javascript).new_page()
    steps.sign_in_staff(page, live_server_url, user.username, PASSWORD, totp_code(device))

    page.goto(live_server_url + reverse("admin:intake_intakerequest_changelist"))

    # The whole table fits: no sideways scrolling, every column on screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "(r => r.scrollWidth <= r.clientWidth)(document.querySelector('#changelist .results'))"
    )
    assert fits_the_screen(page, "#result_list")
    for column in COLUMNS:
        assert fits_the_screen(page, f"#result_list th.column-{column}"), column
    # A reference is never broken over two lines.
    assert page.evaluate(
        """() => [...document.querySelectorAll('#result_list .field-reference a')]
            .every((link) => link.getClientRects().length === 1)"""
    )
    # Open requests only, the urgent one first.
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.first.locator(".field-reference")).to_have_text(urgent.reference)
    expect(page.locator("#result_list")).not_to_contain_text(closed.reference)
    if javascript:  # axe-core runs in the page
        # Django's own search box labels the field with an icon only.
        assert_no_serious_violations(page, exclude=["#changelist-search"])
    save(page, "admin-triage-desktop")

    rows.first.get_by_role("link", name=urgent.reference).click()

    # The first screen answers: urgent? safe to call? who has it?
    summary = page.locator(".request-summary")
    for text in ("Urgent:", "Safe to call?", "No: do not call", "Assigned to", "Nobody yet"):
        item = summary.get_by_text(text, exact=False).first
        expect(item).to_be_visible()
        assert item.bounding_box()["y"] + item.bounding_box()["height"] <= SCREEN["height"], text
    assign = summary.get_by_role("button", name="Assign to me")
    assert assign.bounding_box()["y"] + assign.bounding_box()["height"] <= SCREEN["height"]
    if javascript:
        assert_no_serious_violations(page)
    save(page, "admin-request-desktop")

    assign.click()

    expect(page.locator(".messagelist")).to_contain_text(f"{urgent.reference} is assigned to you.")
    expect(summary.locator("dd").nth(1)).to_have_text("You")
    assert IntakeRequest.objects.get(pk=urgent.pk).assigned_to == user
