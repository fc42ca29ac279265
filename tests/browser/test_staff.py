"""Staff journeys in Chromium: sign in with the second factor, triage a request,
publish an article."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from intake.models import IntakeRequest, Note
from tests.browser import steps
from tests.conftest import enrol_device, totp_code
from tests.factories import ArticleFactory

PASSWORD = "a-long-enough-password-for-staff"
CLINICIAN_PERMISSIONS = [
    ("intake", "view_intakerequest"),
    ("intake", "change_intakerequest"),
    ("intake", "view_note"),
    ("intake", "add_note"),
    ("intake", "view_partnerinvitation"),
    ("intake", "view_partnerresponse"),
]
EDITOR_PERMISSIONS = [
    ("articles", codename)
    for codename in (
        "view_article",
        "add_article",
        "change_article",
        "publish_article",
        "view_author",
        "view_topic",
    )
]


def staff_member(username, permissions):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    for app_label, codename in permissions:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user, enrol_device(user)


def sign_in(page, site, user, device):
    page.goto(site + reverse("admin:login"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_otp_token").fill(totp_code(device))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(site + reverse("admin:index"))


@pytest.mark.django_db(transaction=True)
def test_clinician_finds_the_new_request_adds_a_note_and_changes_its_status(
    page, site, new_context
):
    page.goto(site + reverse("intake:request"))
    steps.fill_request(page, "individual")
    steps.send_request(page)
    reference = steps.reference(page)

    user, device = staff_member("clinician", CLINICIAN_PERMISSIONS)
    staff = new_context().new_page()
    sign_in(staff, site, user, device)
    staff.goto(site + reverse("admin:intake_intakerequest_changelist"))
    staff.get_by_role("link", name=reference).click()
    staff.locator("textarea[name$='-body']").first.fill("Called back, left no voicemail.")
    staff.locator("#id_status").select_option("contacted")
    staff.locator("input[name='_save']").click()

    expect(staff.locator(".messagelist")).to_contain_text("changed successfully")
    saved = IntakeRequest.objects.get(reference=reference)
    assert saved.status == IntakeRequest.Status.CONTACTED
    note = Note.objects.get(intake_request=saved)
    assert note.body == "Called back, left no voicemail."
    assert note.author == user


@pytest.mark.django_db(transaction=True)
def test_editor_publishes_a_draft_and_it_appears_on_the_site(page, site, new_context):
    draft = ArticleFactory(title="Slowing down the cycle", status=Article.Status.DRAFT)
    page.goto(site + draft.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")

    user, device = staff_member("editor", EDITOR_PERMISSIONS)
    staff = new_context().new_page()
    sign_in(staff, site, user, device)
    staff.goto(site + reverse("admin:articles_article_changelist"))
    staff.locator(f"input[name='_selected_action'][value='{draft.pk}']").check()
    staff.locator("select[name='action']").select_option("publish_now")
    staff.get_by_role("button", name="Run").click()

    page.goto(site + draft.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Slowing down the cycle")
    page.goto(site + reverse("articles:list"))
    expect(page.get_by_role("link", name="Slowing down the cycle")).to_be_visible()
