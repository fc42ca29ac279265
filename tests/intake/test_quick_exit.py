"""Leave this site (issue 11, point 3): which pages have it, where it is in the
page, where it goes, and the session it makes this site forget.

What a browser does with it (the script, Shift three times, Back, axe) is in
tests/browser/test_quick_exit.py.
"""

import io
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Topic
from intake.views import DONE_SESSION_KEY, PARTNER_DONE_SESSION_KEY, SENT_SESSION_KEY
from practice.page_cache import content_version_bump
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    send_request,
)
from tests.practice.test_settings import start_django

pytestmark = pytest.mark.django_db

DEFAULT_URL = "https://www.bbc.co.uk/weather"
CONTROL = re.compile(
    r'<a class="quick-exit__link" href="(?P<href>[^"]+)" rel="noreferrer" '
    r'ping="[^"]*/request/leave/" data-quick-exit-forget="/request/leave/" data-quick-exit>'
    r'Leave this site<span class="visually-hidden">'
)
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def has_control(response) -> bool:
    assert response.status_code == 200, response.status_code
    return bool(CONTROL.search(response.content.decode()))


@pytest.fixture
def sensitive_article():
    topic = TopicFactory(slug="communication", name="Communication and conflict", is_sensitive=True)
    return ArticleFactory(slug="repairing", topics=[TopicFactory(slug="eft"), topic])


@pytest.fixture
def plain_article():
    return ArticleFactory(slug="first-session", topics=[TopicFactory(slug="starting-therapy")])


def test_the_neutral_site_is_a_weather_page_by_default():
    assert django_settings.QUICK_EXIT_URL == DEFAULT_URL
    html = Client().get(reverse("intake:request")).content.decode()
    assert CONTROL.search(html)["href"] == DEFAULT_URL


def test_the_neutral_site_is_a_setting(settings):
    settings.QUICK_EXIT_URL = "https://weather.example.org/today"
    html = Client().get(reverse("intake:request")).content.decode()
    assert CONTROL.search(html)["href"] == "https://weather.example.org/today"


@pytest.mark.parametrize("url", ["http://weather.example.org/", "weather.example.org", "x"])
def test_the_site_refuses_to_start_with_a_neutral_site_that_is_not_https(url):
    result = start_django(DJANGO_DEBUG="1", QUICK_EXIT_URL=url)
    assert result.returncode != 0
    assert "QUICK_EXIT_URL must be a full https:// address" in result.stderr


def test_every_intake_page_has_the_control(client):
    assert has_control(client.get(reverse("intake:request")))
    # A form shown again with its mistakes is rendered in full, not from the skeleton.
    assert has_control(client.post(reverse("intake:request"), {"name": ""}))
    _intake_request, token = couples_request_with_token(client)  # its first view
    assert has_control(client.get(reverse("intake:done")))  # the "seen again" page
    partner = Client()
    assert has_control(partner.get(partner_url(token)))
    done = partner.post(partner_url(token), partner_post("not_now"), follow=True)
    assert done.request["PATH_INFO"] == reverse("intake:partner-done")
    assert has_control(done)
    assert has_control(partner.get(reverse("intake:partner-done")))


def test_the_first_confirmation_has_the_control(client):
    response = send_request(client, "individual", in_crisis="yes")
    assert "If you are in danger right now" in response.content.decode()
    assert has_control(response)


def test_articles_and_topics_about_conflict_safety_or_partners_have_the_control(
    client, sensitive_article
):
    assert has_control(client.get(sensitive_article.get_absolute_url()))
    assert has_control(client.get(reverse("articles:topic", kwargs={"slug": "communication"})))


def test_other_pages_do_not(client, plain_article):
    for url in (
        plain_article.get_absolute_url(),
        reverse("articles:topic", kwargs={"slug": "starting-therapy"}),
        reverse("home"),
        reverse("articles:list"),
        reverse("team"),
    ):
        assert not has_control(client.get(url)), url
        assert "Leave this site" not in client.get(url).content.decode()


def test_the_control_is_the_first_thing_after_the_skip_link(client, sensitive_article):
    for url in (reverse("intake:request"), sensitive_article.get_absolute_url()):
        html = client.get(url).content.decode()
        body = html[html.index("<body>") :]
        skip_end = body.index("Skip to main content</a>") + len("Skip to main content</a>")
        between = body[skip_end : CONTROL.search(body).start()]
        assert re.fullmatch(r'\s*<div class="quick-exit">\s*', between), between


def test_a_cached_article_page_has_the_control(
    client, sensitive_article, django_assert_num_queries
):
    first = client.get(sensitive_article.get_absolute_url())
    with django_assert_num_queries(0):  # answered by the page cache
        hit = client.get(sensitive_article.get_absolute_url())
    assert hit.content == first.content
    assert has_control(hit)


def test_an_editor_marking_a_topic_reaches_its_cached_articles(
    client, plain_article, django_capture_on_commit_callbacks
):
    assert not has_control(client.get(plain_article.get_absolute_url()))
    topic = Topic.objects.get(slug="starting-therapy")
    topic.is_sensitive = True
    topic.save()
    # Saved through the admin, a topic bumps the content version; here by hand.
    with django_capture_on_commit_callbacks(execute=True):
        content_version_bump()
    assert has_control(Client().get(plain_article.get_absolute_url()))


def test_demo_content_marks_the_topics_about_partners_and_conflict():
    call_command("load_demo_content", stdout=io.StringIO())
    assert set(Topic.objects.filter(is_sensitive=True).values_list("slug", flat=True)) == {
        "for-partners",
        "when-your-partner-is-not-ready",
        "couples-therapy",
        "communication",
    }


# Leaving: the session this site forgets.


def test_leaving_forgets_the_confirmation(client):
    couples_request_with_token(client)
    assert client.get(reverse("intake:done")).status_code == 200  # "has reached us"

    response = client.post(reverse("intake:leave"), headers=SAME_ORIGIN)

    assert response.status_code == 204
    assert response["Cache-Control"].startswith("max-age=0")
    # The cookie, and the sealed copy of the session in it, is deleted.
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value == "" and cookie["max-age"] == 0
    again = client.get(reverse("intake:done"))
    assert again.status_code == 302 and again["Location"] == reverse("intake:request")


def test_leaving_forgets_a_partners_answer():
    _intake_request, token = couples_request_with_token(Client())
    partner = Client()
    partner.post(partner_url(token), partner_post("join"))
    partner.post(reverse("intake:leave"), headers=SAME_ORIGIN)
    assert partner.get(reverse("intake:partner-done"))["Location"] == reverse("home")


def test_a_ping_from_the_link_without_javascript_is_accepted(client):
    couples_request_with_token(client)
    response = client.post(
        reverse("intake:leave"),
        data="PING",
        content_type="text/ping",
        headers={
            "Sec-Fetch-Site": "same-origin",
            "Ping-From": "http://testserver/request/done/",
            "Ping-To": DEFAULT_URL,
        },
    )
    assert response.status_code == 204
    assert client.get(reverse("intake:done")).status_code == 302


def test_an_older_browser_is_checked_by_its_origin(client):
    couples_request_with_token(client)
    response = client.post(reverse("intake:leave"), headers={"Origin": "http://testserver"})
    assert response.status_code == 204
    assert client.get(reverse("intake:done")).status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
        {},
    ],
    ids=["cross-site", "same-site", "other-origin", "null-origin", "no-headers"],
)
def test_another_site_cannot_make_a_browser_forget(client, headers):
    couples_request_with_token(client)
    response = client.post(reverse("intake:leave"), headers=headers)
    assert response.status_code == 403
    assert client.get(reverse("intake:done")).status_code == 200


def test_leaving_is_a_post(client):
    couples_request_with_token(client)
    assert client.get(reverse("intake:leave"), headers=SAME_ORIGIN).status_code == 405
    assert client.get(reverse("intake:done")).status_code == 200


def test_a_visitor_without_a_session_can_leave(client):
    response = client.post(reverse("intake:leave"), headers=SAME_ORIGIN)
    assert response.status_code == 204
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_staff_who_leave_stay_signed_in_without_the_intake_keys(admin_client):
    session = admin_client.session
    session[DONE_SESSION_KEY] = {"reference": "R-ABC123"}
    session[SENT_SESSION_KEY] = ["a-key"]
    session[PARTNER_DONE_SESSION_KEY] = {"answer": "join"}
    session.save()

    assert admin_client.post(reverse("intake:leave"), headers=SAME_ORIGIN).status_code == 204

    session = admin_client.session
    assert not {DONE_SESSION_KEY, SENT_SESSION_KEY, PARTNER_DONE_SESSION_KEY} & set(session.keys())
    assert admin_client.get(reverse("admin:index")).status_code == 200
