"""Staff journeys in Chromium: sign in with the second factor, triage a request,
publish an article."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from intake.models import AccessRecord, IntakeRequest, Note
from practice.admin import SIGN_IN_FAILED
from tests.browser import steps
from tests.conftest import enrol_device, totp_code, totp_from_uri
from tests.factories import ArticleFactory
from tests.readme import README, readme_command

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
    steps.sign_in_staff(page, site, user.username, PASSWORD, totp_code(device))


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


def readme_admin_path() -> str:
    """The admin's address as the README's sign-in steps give it, on the live server."""
    text = README.read_text()
    steps = text[text.index("**Sign in to the admin.**") :]
    return re.search(r"http://127\.0\.0\.1:8000(/\S*/)", steps).group(1)


def submit_sign_in(page, username, password, code):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code").fill(code)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Log in").click()
    return navigation.value


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_newcomer_signs_in_by_following_the_readme(
    live_server_url, new_context, monkeypatch, javascript
):
    # Step 1: the README's command, with its options as printed; the password is
    # typed at its prompts.
    _env, args = readme_command("create_staff")
    monkeypatch.setattr(
        "practice.management.commands.create_staff.getpass.getpass", lambda prompt: PASSWORD
    )
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    username = args[-1]
    # Step 2: the authenticator app is set up from the printed address.
    uri = re.search(r"otpauth://\S+", out.getvalue()).group()
    # Step 3: open the admin and sign in with the code the app shows.
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(live_server_url + readme_admin_path())
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:login"))))

    response = submit_sign_in(page, username, PASSWORD, totp_from_uri(uri))

    assert response.status == 200
    expect(page).to_have_url(live_server_url + reverse("admin:index"))
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    user = get_user_model().objects.get(username=username)
    assert user.is_superuser and user.get_full_name() == "Your Name"
    assert AccessRecord.objects.filter(action="login", username=username).count() == 1

    # Every wrong answer looks the same, and the password is not written back.
    other = new_context(java_script_enabled=javascript).new_page()
    other.goto(live_server_url + reverse("admin:login"))
    wrong_code = f"{(int(totp_from_uri(uri)) + 500_000) % 10**6:06d}"
    answers = {}
    for name, (who, password, code) in {
        "unknown username": ("nobody-here", PASSWORD, totp_from_uri(uri)),
        "wrong password": (username, PASSWORD + "x", totp_from_uri(uri)),
        "wrong code": (username, PASSWORD, wrong_code),
    }.items():
        failed = submit_sign_in(other, who, password, code)
        answers[name] = (failed.status, other.locator(".errornote").inner_text())
        expect(other.get_by_label("Password")).to_have_value("")
        assert password not in other.content()
    assert len(set(answers.values())) == 1, answers
    assert answers["wrong code"] == (200, SIGN_IN_FAILED)
    assert AccessRecord.objects.filter(action="login_failed").count() == 3
