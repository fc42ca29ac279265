"""The practice's own pages (fees, privacy, accessibility, contact): served with
the demo content, edited in the admin like articles, and linked from every page."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Page
from tests.articles.admin_forms import page_form
from tests.articles.conftest import make_staff
from tests.conftest import otp_login
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

PAGE_KINDS = ["fees", "privacy", "accessibility", "contact"]


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)


@pytest.mark.parametrize(
    ("url_name", "wanted"),
    [
        ("team", ["Maya Okafor", "Daniel Reyes", "Ruth Lindqvist", "Licensed in"]),
        (
            "fees",
            [
                "Session fees",
                "sliding scale",
                "out of network",
                "superbill",
                "Cancelling or moving a session",
                "Good Faith Estimate",
                "$400 or more above your estimate",
                "120 calendar days",
                "www.cms.gov/nosurprises",
                "1-800-985-3059",
            ],
        ),
        (
            "privacy",
            [
                "THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION ABOUT YOU MAY BE USED",
                "Effective date",
                "How we use and share your information",
                "Your rights",
                "Our duties",
                "Office for Civil Rights",
                "sets no cookies for readers",
                "365 days later",
                "after 60 days",
            ],
        ),
        ("accessibility", ["WCAG", "2.2, level AA", "axe", "375 pixels", "Another way"]),
        (
            "contact",
            [
                "200 Example Street, Suite 3, Portland, OR 97205",
                "(555) 010-2040",
                "Monday to Thursday: 9 a.m. to 7 p.m.",
                "Friday: 9 a.m. to 3 p.m.",
                "Finding us",
                "no step",
                'src="/static/img/contact-map.svg"',
                'alt="Sketch map: the office is on Example Street',
            ],
        ),
    ],
)
def test_every_page_is_served_with_the_demo_content(client, demo, url_name, wanted):
    response = client.get(reverse(url_name))
    html = response.content.decode().replace("&#x27;", "'").replace("&amp;", "&")
    assert response.status_code == 200
    for text in wanted:
        assert text in html, text


def test_retention_periods_on_the_privacy_page_come_from_configuration(client, demo, settings):
    settings.INTAKE_RETENTION_DAYS = 90
    settings.INTAKE_INVITATION_DAYS = 21
    settings.INTAKE_QUARANTINE_DAYS = 17
    html = client.get(reverse("privacy")).content.decode()
    assert "deleted 90 days later" in html
    assert "after 21 days" in html
    assert "deleted after 17 days unless we accept it" in html
    assert "[[" not in html


def test_hours_come_from_configuration(client, demo, settings):
    settings.PRACTICE_HOURS = "Tu-We 10:00-18:30"
    html = client.get(reverse("contact")).content.decode()
    assert "Tuesday to Wednesday: 10 a.m. to 6:30 p.m." in html
    assert "Monday" not in html.split("How to reach us")[1].split("</dl>")[0]


def test_footer_links_to_every_page_of_the_practice(client, demo):
    html = client.get(reverse("home")).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for url_name in ["team", *PAGE_KINDS]:
        url = reverse(url_name)
        assert f'href="{url}"' in footer, url_name
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_a_page_not_yet_written_is_404(client, kind):
    assert client.get(reverse(kind)).status_code == 404


def test_a_draft_page_is_404_to_the_public_and_a_preview_to_staff(client, editor):
    PageFactory(kind="fees", status=Page.Status.DRAFT, body="Draft fees.")
    assert Client().get(reverse("fees")).status_code == 404

    otp_login(client, editor)
    response = client.get(reverse("fees"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview — not published" in html
    assert "Last updated" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def page_editor(editor):
    editor.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_page", "view_page", "add_page", "publish_page"]
        )
    )
    return editor


def test_an_edit_through_the_admin_is_kept_as_a_revision_and_shows_at_once(
    client, page_editor, django_capture_on_commit_callbacks
):
    page = PageFactory(kind="fees", body="A couples session is $230.")
    visitor = Client()
    assert "$230" in visitor.get(reverse("fees")).content.decode()

    otp_login(client, page_editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_page_change", args=[page.pk]),
            page_form(page, body="A couples session is $240."),
        )

    assert response.status_code == 302
    assert "$240" in visitor.get(reverse("fees")).content.decode()
    assert page.history.count() == 2
    assert "$230" in page.history.earliest().body


def test_an_unknown_placeholder_is_refused_with_a_message(client, page_editor):
    page = PageFactory(kind="privacy")
    otp_login(client, page_editor)
    response = client.post(
        reverse("admin:articles_page_change", args=[page.pk]),
        page_form(page, body="We keep requests for [[retention_days]] days."),
    )
    assert response.status_code == 200
    assert "Unknown placeholder [[retention_days]]" in response.content.decode()


def test_a_writer_without_the_publish_permission_cannot_publish_a_page(client):
    writer = make_staff("page-writer", ["add_page", "change_page", "view_page"])
    page = PageFactory(kind="fees", status=Page.Status.DRAFT)
    otp_login(client, writer)
    response = client.post(
        reverse("admin:articles_page_change", args=[page.pk]),
        page_form(page, status="published", body="Changed."),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == Page.Status.DRAFT
    assert page.body == "Changed."


def test_the_change_page_links_to_the_preview_in_one_click(client, page_editor):
    page = PageFactory(kind="fees", status=Page.Status.DRAFT)
    otp_login(client, page_editor)
    html = client.get(reverse("admin:articles_page_change", args=[page.pk])).content.decode()
    link = rf'<a class="button" href="{reverse("fees")}"[^>]*>'
    assert re.search(link + r"Preview on the site \(not published\)</a>", html)
    assert 'rows="30"' in html and "markdown-editor" in html


def test_the_editors_role_may_keep_pages_and_images():
    from django.contrib.auth.models import Group

    names = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Editors").permissions.all()
    }
    assert {
        "articles.change_page",
        "articles.publish_page",
        "articles.add_articleimage",
        "articles.change_licence",
        "articles.view_historicalpage",
    } <= names


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_the_last_updated_time_is_a_valid_html_datetime(client, demo, kind):
    # Saved times carry microseconds; HTML allows at most three digits of a second.
    response = client.get(reverse(kind))
    stamps = re.findall(r'<time datetime="([^"]+)"', response.content.decode())
    assert stamps
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
