"""While Redis is out of reach, the site is slower and nothing else: every page
answers, every request is stored and confirmed, staff get a clear 503."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from intake.models import IntakeRequest, PartnerInvitation, PartnerResponse
from practice import cache_backends
from practice.cache_backends import RedisCache
from practice.page_cache import local_pages
from practice.sessions import SEALED_PREFIX
from tests.conftest import enrol_device, totp_code
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory
from tests.intake.journeys import (
    PARTNER_NAME,
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
CLOSED = "redis://127.0.0.1:1/0"
REDIS_DOWN = override_settings(
    CACHES={
        alias: {
            "BACKEND": "practice.cache_backends.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
        for alias in ("default", "pages")
    }
)


@pytest.fixture
def client(client):
    # Answer as the server would, instead of raising the error into the test.
    client.raise_request_exception = False
    return client


@pytest.fixture
def content():
    topic = TopicFactory(slug="eft")
    author = AuthorFactory(slug="maya", name="Maya Steadman")
    return ArticleFactory(slug="an-article", title="Steady title", topics=[topic], author=author)


# Each page, and what it shows when rendered from the database.
PUBLIC_PAGES = [
    ("home", {}, "Steady title"),
    ("articles:list", {}, "Steady title"),
    ("articles:topic", {"slug": "eft"}, "Steady title"),
    ("clinician", {"slug": "maya"}, "Steady title"),
    ("team", {}, "Maya Steadman"),
    ("articles:detail", {"slug": "an-article"}, "Steady title"),
    ("articles:feed", {}, "Steady title"),
    ("django.contrib.sitemaps.views.sitemap", {"section": "articles"}, "/articles/an-article/"),
    ("intake:request", {}, 'name="submission_key"'),
]


@pytest.mark.parametrize(("url_name", "kwargs", "text"), PUBLIC_PAGES)
def test_every_public_page_answers_while_redis_is_down(client, content, url_name, kwargs, text):
    url = reverse(url_name, kwargs=kwargs)
    with REDIS_DOWN:
        first = client.get(url)
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert text in second.content.decode()


def test_pages_are_rendered_not_stored_while_redis_is_down(client, content):
    url = content.get_absolute_url()
    with REDIS_DOWN:
        client.get(url)
    local_pages.clear()
    ArticleFactory._meta.model.objects.filter(pk=content.pk).update(title="Changed title")
    # Nothing of the outage was kept: the first page after it is the current one.
    assert "Changed title" in client.get(url).content.decode()


def test_a_request_sent_while_redis_is_down_is_stored_and_confirmed(client):
    with REDIS_DOWN:
        response = client.post(reverse("intake:request"), request_post())
        assert response.status_code == 302
        done = client.get(response.url)
    stored = IntakeRequest.objects.get()
    assert done.status_code == 200
    assert stored.reference in done.content.decode()


def test_sending_the_same_form_again_during_the_outage_stores_it_once(client):
    data = request_post()
    with REDIS_DOWN:
        first = client.post(reverse("intake:request"), data, follow=True)
        again = client.post(reverse("intake:request"), data, follow=True)
    stored = IntakeRequest.objects.get()
    assert stored.reference in first.content.decode()
    assert stored.reference in again.content.decode()


def test_the_confirmation_survives_redis_coming_back(client, settings):
    with REDIS_DOWN:
        response = client.post(reverse("intake:request"), request_post())
    # The session waited in the cookie, sealed; the first request that reaches
    # Redis moves it back there.
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert cookie.startswith(SEALED_PREFIX)
    assert "Jordan" not in cookie
    done = client.get(response.url)
    assert IntakeRequest.objects.get().reference in done.content.decode()
    assert not client.cookies[settings.SESSION_COOKIE_NAME].value.startswith(SEALED_PREFIX)
    assert client.get(response.url).status_code == 200


def test_the_confirmation_survives_redis_going_down_after_the_post(client):
    response = client.post(reverse("intake:request"), request_post())
    with REDIS_DOWN:
        done = client.get(response.url)
    assert IntakeRequest.objects.get().reference in done.content.decode()


def test_the_confirmation_survives_redis_losing_the_session(client):
    response = client.post(reverse("intake:request"), request_post())
    caches["default"].clear()  # Redis restarted without its data
    done = client.get(response.url)
    assert IntakeRequest.objects.get().reference in done.content.decode()


def test_a_signed_in_session_is_never_copied_into_its_cookie(admin_client, settings):
    admin_client.get(reverse("admin:index"))
    assert ":" not in admin_client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_tampered_sealed_session_is_an_empty_one(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = SEALED_PREFIX + "not-a-sealed-session"
    with REDIS_DOWN:
        response = client.get(reverse("intake:done"))
    assert response.status_code == 302
    assert response.url == reverse("intake:request")


def test_a_couples_request_gets_its_partner_link_while_redis_is_down(client):
    with REDIS_DOWN:
        intake_request, token = couples_request_with_token(client)
    assert PartnerInvitation.objects.usable().filter(intake_request=intake_request).exists()
    assert token


def test_a_partner_answer_is_recorded_while_redis_is_down(client):
    _intake_request, token = couples_request_with_token(client)
    with REDIS_DOWN:
        page = client.get(partner_url(token))
        response = client.post(partner_url(token), partner_post("join"), follow=True)
    assert page.status_code == 200
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("intake:partner-done")
    assert PartnerResponse.objects.get().name == PARTNER_NAME


def test_the_rate_limit_still_holds_in_each_process_while_redis_is_down(client, settings):
    settings.INTAKE_RATE_LIMIT = "2/h"
    with REDIS_DOWN:
        statuses = [
            # An address of this test's own: the counts of this process outlive a test.
            client.post(
                reverse("intake:request"), request_post(), REMOTE_ADDR="203.0.113.77"
            ).status_code
            for _ in range(3)
        ]
    assert statuses[:2] == [302, 302]
    assert statuses[2] != 302
    assert IntakeRequest.objects.count() == 2


def test_staff_sign_in_answers_503_not_500_while_redis_is_down(client, django_user_model):
    user = django_user_model.objects.create_user(
        "office", password="a-long-enough-password", is_staff=True
    )
    device = enrol_device(user)
    with REDIS_DOWN:
        page = client.get(reverse("admin:login"))
        response = client.post(
            reverse("admin:login"),
            {
                "username": "office",
                "password": "a-long-enough-password",
                "otp_token": totp_code(device),
            },
        )
    assert page.status_code == 200
    assert response.status_code == 503
    assert response["Retry-After"]


def test_healthz_says_degraded_but_stays_200_while_redis_is_down(client):
    with REDIS_DOWN:
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "up", "cache": "down"}


def test_after_a_failure_redis_is_left_alone_for_a_moment(monkeypatch):
    backend = RedisCache(CLOSED, {})
    attempts = []
    get_client = backend._cache.get_client
    monkeypatch.setattr(
        backend._cache, "get_client", lambda *a, **k: attempts.append(1) or get_client(*a, **k)
    )
    started = time.monotonic()
    assert backend.get("anything", "missing") == "missing"
    for _ in range(50):
        backend.get("anything")
        backend.set("anything", 1)
    assert backend.add("anything", 1) is False
    with pytest.raises(ValueError):
        backend.incr("anything")
    assert len(attempts) == 1
    assert time.monotonic() - started < 0.5
    assert not backend.is_available()

    later = time.monotonic() + cache_backends.BREAKER_SECONDS + 0.1
    monkeypatch.setattr(cache_backends.time, "monotonic", lambda: later)
    backend.get("anything")
    assert len(attempts) == 2


def test_the_page_cache_is_apart_from_sessions_and_rate_limits(settings):
    assert settings.CACHES["pages"] != settings.CACHES["default"]
    caches["pages"].set("page:probe", "page")
    assert caches["default"].get("page:probe") is None
