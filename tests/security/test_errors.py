"""With debug off a crash shows the friendly 500 page and nothing of its cause,
and the intake views keep what people typed out of error reports."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from intake import services, views
from intake.services import invitation_create
from tests.intake.journeys import (
    CONCERNS,
    PARTNER_MESSAGE,
    PARTNER_NAME,
    REQUESTER_NAME,
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)
from tests.security.hostile import REQUEST_URL
from tests.security.urls import SECRET_DETAIL

pytestmark = pytest.mark.django_db

TYPED = [REQUESTER_NAME, "jordan@example.com", "010-3030", CONCERNS, PARTNER_NAME, PARTNER_MESSAGE]
# Parts of those values, as they may be cut or wrapped in a report.
# Long enough not to turn up by chance in a report (an address, a port, a time).
MARKERS = [
    "Quillfeather",
    "jordan@example",
    "(555) 010-3030",
    "QX7",
    "Partnerly",
    "alex@example",
    "555 010 4040",
]


@pytest.fixture
def crashing_site(settings, client):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.security.urls"
    client.raise_request_exception = False
    return client


def assert_friendly_500(response, settings) -> None:
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'class="site-footer"' in html
    assert "988" in html
    for leak in (
        "Traceback",
        'File "',
        ".py",
        str(settings.BASE_DIR),
        "site-packages",
        "secret-detail",
        "/etc/passwd",
        "SELECT",
        "intake_intakerequest",
        "ValueError",
        "ProgrammingError",
        "KeyError",
    ):
        assert leak not in html, leak


@pytest.mark.parametrize("kind", ["value", "database", "key"])
def test_a_crash_shows_the_friendly_500_page_and_nothing_of_its_cause(
    crashing_site, settings, kind
):
    response = crashing_site.get(f"/broken/{kind}/")

    assert_friendly_500(response, settings)


def test_a_crash_on_a_post_shows_nothing_of_what_was_posted(crashing_site, settings):
    response = crashing_site.post("/broken/value/", request_post())

    assert_friendly_500(response, settings)
    assert all(value not in response.content.decode() for value in TYPED)


def test_a_crash_in_the_request_form_shows_the_friendly_page_without_what_was_typed(
    crashing_site, settings, monkeypatch
):
    def crash(**fields):
        raise ValueError(f"{SECRET_DETAIL} {fields['name']} {fields['concerns']}")

    monkeypatch.setattr("intake.views.request_create", crash)

    response = crashing_site.post(REQUEST_URL, request_post())

    assert_friendly_500(response, settings)
    assert all(value not in response.content.decode() for value in TYPED)


def test_a_crash_in_the_partner_form_shows_the_friendly_page_without_what_was_typed(
    crashing_site, settings, monkeypatch
):
    _request, token = couples_request_with_token(crashing_site)

    def crash(**fields):
        raise ValueError(f"{SECRET_DETAIL} {fields['name']} {fields['message']}")

    monkeypatch.setattr("intake.views.partner_response_record", crash)

    response = crashing_site.post(partner_url(token), partner_post())

    assert_friendly_500(response, settings)
    assert all(value not in response.content.decode() for value in TYPED)
    assert token not in response.content.decode()


# --- Error reports (the debug page, mail to ADMINS) ----------------------------


def posted(path: str, data: dict):
    request = RequestFactory().post(path, data)
    request.session = {}
    # As the test client does: these tests are about error reports, not CSRF.
    request._dont_enforce_csrf_checks = True
    return request


def report_of(request) -> str:
    """The technical report (the debug page, or mail to ADMINS with include_html)
    for the exception being handled: it shows every frame's local variables."""
    return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def fail(*args, **kwargs):
    raise RuntimeError("the database went away")


def test_the_request_form_hides_every_posted_field_from_error_reports(monkeypatch):
    monkeypatch.setattr("intake.views.request_create", fail)
    data = request_post("couples")
    request = posted(REQUEST_URL, data)

    with pytest.raises(RuntimeError):
        views.request_form(request)

    assert request.sensitive_post_parameters == "__ALL__"
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert set(shown) == set(data)
    assert all(value == "********************" for value in shown.values())


def test_the_partner_form_hides_every_posted_field_from_error_reports(client, monkeypatch):
    intake_request, _token = couples_request_with_token(client)
    intake_request.invitation.delete()
    _invitation, token = invitation_create(intake_request=intake_request)
    monkeypatch.setattr("intake.views.partner_response_record", fail)
    data = partner_post()
    request = posted(partner_url(token), data)

    with pytest.raises(RuntimeError):
        views.partner(request, token=token)

    assert request.sensitive_post_parameters == "__ALL__"
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert set(shown) == set(data)
    assert all(value == "********************" for value in shown.values())


def test_a_report_of_a_failure_while_storing_a_request_shows_nothing_typed(monkeypatch):
    # Deep inside the service: its frames hold every value typed.
    monkeypatch.setattr("intake.crypto.encrypt", fail)
    request = posted(REQUEST_URL, request_post("couples"))

    try:
        views.request_form(request)
    except RuntimeError:
        report = report_of(request)
    else:
        pytest.fail("the service did not fail")

    assert "request_create" in report
    leaks = [value for value in MARKERS if value in report]
    assert not leaks, leaks


def test_a_report_of_a_failure_while_storing_a_partner_answer_shows_nothing_typed(
    client, monkeypatch
):
    _intake_request, token = couples_request_with_token(client)
    monkeypatch.setattr("intake.crypto.encrypt", fail)
    request = posted(partner_url(token), partner_post())

    try:
        views.partner(request, token=token)
    except RuntimeError:
        report = report_of(request)
    else:
        pytest.fail("the service did not fail")

    assert "partner_response_record" in report
    leaks = [value for value in MARKERS if value in report]
    assert not leaks, leaks


def test_the_services_that_store_what_people_type_hide_their_variables():
    for service in (services.request_create, services.partner_response_record):
        assert service.__name__ == service.__wrapped__.__name__
        assert service.__code__.co_name == "sensitive_variables_wrapper"
