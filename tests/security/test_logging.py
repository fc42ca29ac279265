"""No log line carries what a person typed, nor a partner's private link.

Every record from every logger is captured at DEBUG and formatted by the
project's own formatter, as it would be written, during good, bad, failed and
rate-limited submissions of both public forms.
"""

import logging
import secrets

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from practice.log import KeyValueFormatter, RequestIdFilter
from tests.intake.journeys import (
    AVAILABILITY_NOTES,
    CONCERNS,
    PARTNER_AVAILABILITY,
    PARTNER_FIRST_NAME,
    PARTNER_MESSAGE,
    PARTNER_NAME,
    REQUESTER_NAME,
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)
from tests.security.hostile import REQUEST_URL, csrf_token_of

pytestmark = pytest.mark.django_db

TYPED = [
    REQUESTER_NAME,
    "Quillfeather",
    "jordan@example.com",
    "(555) 010-3030",
    "010-3030",
    CONCERNS,
    AVAILABILITY_NOTES,
    PARTNER_FIRST_NAME,
    PARTNER_NAME,
    "Partnerly",
    "alex@example.com",
    "555 010 4040",
    PARTNER_MESSAGE,
    PARTNER_AVAILABILITY,
    "QX7",
]


class LineCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(KeyValueFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(settings):
    """Every line every logger writes while the test runs, at DEBUG."""
    collector = LineCollector()
    names = ["", "django", *settings.LOGGING.get("loggers", {})]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(collector)
    yield collector.lines
    logging.getLogger().removeHandler(collector)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def assert_nothing_typed_in(lines: list[str], *, tokens=()) -> None:
    assert lines, "nothing was logged: the capture is not working"
    secrets = [*TYPED, *tokens, *(token[:12] for token in tokens)]
    leaks = [(secret, line) for line in lines for secret in secrets if secret in line]
    assert not leaks, leaks
    assert all("\n" not in line for line in lines)


def test_good_submissions_log_nothing_typed(
    client, log_lines, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _request, token = couples_request_with_token(client, wants_link_emailed="on")
        response = client.post(partner_url(token), partner_post())

    assert response.status_code == 302
    assert len(mailoutbox) >= 3
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_submissions_with_errors_log_nothing_typed(client, log_lines):
    _request, token = couples_request_with_token(client)
    log_lines.clear()

    bad_request = client.post(
        REQUEST_URL, request_post("couples", name=REQUESTER_NAME + "\u202e", consent=None)
    )
    bad_answer = client.post(
        partner_url(token), partner_post(email="alex@example.com\r\nBcc: x", consent=None)
    )

    assert bad_request.status_code == bad_answer.status_code == 200
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_submissions_whose_mail_fails_log_nothing_typed(
    client, settings, log_lines, django_capture_on_commit_callbacks
):
    # Its error quotes the requester's address, as real mail servers' errors do.
    settings.MAILERS = {"default": {"BACKEND": "tests.intake.mail_backends.FailingEmailBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        _request, token = couples_request_with_token(client, wants_link_emailed="on")
        response = client.post(partner_url(token), partner_post())

    assert response.status_code == 302
    assert sum("not sent" in line for line in log_lines) == 4
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_rate_limited_submissions_log_nothing_typed(client, settings, log_lines):
    _request, token = couples_request_with_token(client)
    settings.INTAKE_RATE_LIMIT = "0/h"
    client.post(partner_url(token), partner_post(website="http://spam.example"))

    responses = [
        client.post(REQUEST_URL, request_post()),
        client.post(partner_url(token), partner_post()),
    ]

    assert [r.status_code for r in responses] == [429, 429]
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_spam_turned_away_logs_nothing_typed(client, log_lines):
    _request, token = couples_request_with_token(client)

    client.post(REQUEST_URL, request_post(website="http://spam.example"))
    client.post(partner_url(token), partner_post(started="forged"))
    client.post(partner_url(token), partner_post(website="http://spam.example"))

    assert any("honeypot" in line for line in log_lines)
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_refused_partner_pages_log_neither_the_token_nor_anything_typed(client, log_lines):
    _request, token = couples_request_with_token(client)
    almost = token[:-1] + ("A" if token[-1] != "A" else "B")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(partner_url(token))

    statuses = [
        csrf_client.post(partner_url(token), partner_post()).status_code,
        csrf_client.post(
            partner_url(token), partner_post(csrfmiddlewaretoken="x" * 64)
        ).status_code,
        client.put(partner_url(token)).status_code,
        client.get(partner_url(almost)).status_code,
        client.post(partner_url(almost), partner_post()).status_code,
    ]

    assert statuses == [403, 403, 405, 404, 404]
    assert_nothing_typed_in(log_lines, tokens=[token, almost])


def test_a_refused_request_form_logs_nothing_typed(log_lines):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_token_of(csrf_client.get(REQUEST_URL))

    response = csrf_client.post(REQUEST_URL, request_post(csrfmiddlewaretoken="x" * 64))

    assert response.status_code == 403
    assert_nothing_typed_in(log_lines)


def test_crashes_log_the_exception_type_but_nothing_typed(client, monkeypatch, log_lines):
    _request, token = couples_request_with_token(client)

    def crash(**kwargs):
        # Exceptions can quote the values they were given, as database errors do.
        raise ValueError(" ".join(str(value) for value in kwargs.values()))

    monkeypatch.setattr("intake.views.request_create", crash)
    monkeypatch.setattr("intake.views.partner_response_record", crash)
    client.raise_request_exception = False

    statuses = [
        client.post(REQUEST_URL, request_post()).status_code,
        client.post(partner_url(token), partner_post()).status_code,
    ]

    assert statuses == [500, 500]
    assert any("exc=ValueError" in line for line in log_lines)
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_a_database_outage_logs_nothing_typed(client, monkeypatch, log_lines):
    def unavailable(**kwargs):
        raise OperationalError(f"could not insert {kwargs['name']} {kwargs['email']}")

    monkeypatch.setattr("intake.views.request_create", unavailable)

    response = client.post(REQUEST_URL, request_post())

    assert response.status_code == 503
    assert any("database unavailable" in line for line in log_lines)
    assert_nothing_typed_in(log_lines)


def a_partner_page(request, token):
    return HttpResponse("A partner page")


# The partner link at another address than the site's, for the test below.
urlpatterns = [
    path("ask/", include(([path("join/<str:token>/", a_partner_page, name="partner")], "intake")))
]


def test_the_token_is_hidden_wherever_the_partner_link_lives(client, settings, log_lines):
    settings.ROOT_URLCONF = __name__
    token = secrets.token_urlsafe(32)

    response = client.get(f"/ask/join/{token}/")
    logging.getLogger("django.security.csrf").warning("Forbidden: /ask/join/%s/ and more", token)

    assert response.status_code == 200
    assert sum("/ask/join/[token]/" in line for line in log_lines) == 2
    assert_nothing_typed_in(log_lines, tokens=[token])


def test_the_token_is_hidden_when_the_urls_cannot_be_read(settings, log_lines):
    settings.ROOT_URLCONF = "tests.security.no_such_urls"
    token = secrets.token_urlsafe(32)

    logging.getLogger("django.request").error("Internal Server Error: /request/partner/%s/", token)

    assert_nothing_typed_in(log_lines, tokens=[token])
