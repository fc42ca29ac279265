"""Every kind of page carries the full set of security headers."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import enrol_device, totp_code
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def assert_security_headers(response, referrer_policy="same-origin"):
    csp = {
        directive.split()[0]: " ".join(directive.split()[1:])
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    for directive, sources in EXPECTED_CSP.items():
        assert csp[directive] == sources, directive
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == referrer_policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Server" not in response


@pytest.fixture
def https(client):
    # As behind the TLS-terminating proxy.
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    return client


def test_home_page_headers(https):
    assert_security_headers(https.get(reverse("home")))


def test_article_page_headers(https):
    article = ArticleFactory(published=True)
    response = https.get(article.get_absolute_url())
    assert response.status_code == 200
    assert_security_headers(response)


def test_request_form_headers(https):
    response = https.get(reverse("intake:request"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_admin_login_headers(https):
    response = https.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_not_found_page_headers(https):
    response = https.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)


def test_csrf_failure_page_headers():
    client = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
    response = client.post(reverse("intake:request"), {"name": "A"})
    assert response.status_code == 403
    assert b"Please send the form again" in response.content
    assert_security_headers(response)


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response.url.startswith("https://")


def test_unknown_host_gets_400(client):
    response = client.get(reverse("home"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"Something was wrong with that request" in response.content


def test_csrf_cookie_is_host_prefixed_and_secure(https):
    response = https.get(reverse("intake:request"))
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"]
    assert cookie["path"] == "/"
    assert cookie["samesite"] == "Lax"
    assert not cookie["domain"]


def test_session_cookie_is_host_prefixed_secure_and_http_only(https, django_user_model):
    user = django_user_model.objects.create_user(
        "office", password="a-long-enough-password", is_staff=True
    )
    device = enrol_device(user)
    response = https.post(
        reverse("admin:login"),
        {
            "username": "office",
            "password": "a-long-enough-password",
            "otp_token": totp_code(device),
        },
    )
    # Signed in: the admin's login view redirects to the index.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["path"] == "/"
    assert cookie["samesite"] == "Lax"
