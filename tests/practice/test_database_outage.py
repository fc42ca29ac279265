"""While the database is unreachable, pages answer 503 with Retry-After, never 500."""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from intake.models import IntakeRequest
from tests.intake.journeys import CONCERNS, REQUESTER_NAME, request_post

pytestmark = pytest.mark.django_db


def refuse(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def client(client):
    # Answer as the server would, instead of raising the error into the test.
    client.raise_request_exception = False
    return client


@contextlib.contextmanager
def database_down():
    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.parametrize("name", ["home", "articles:list", "sitemap"])
def test_public_pages_answer_503_with_retry_after(client, name):
    with database_down():
        response = client.get(reverse(name))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"We will be back in a moment" in response.content


def test_visitor_with_a_session_also_gets_503(client, settings):
    session = client.session
    session["something"] = 1
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    with database_down():
        response = client.get(reverse("home"))
    assert response.status_code == 503


def test_request_form_keeps_what_was_typed_when_the_database_is_down(client, settings):
    settings.INTAKE_MIN_SECONDS = 0
    with database_down():
        response = client.post(reverse("intake:request"), request_post())
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert "could not save your request just now" in html
    assert REQUESTER_NAME in html
    assert CONCERNS in html
    assert IntakeRequest.objects.count() == 0


def test_service_comes_back_by_itself(client):
    with database_down():
        assert client.get(reverse("home")).status_code == 503
    assert client.get(reverse("home")).status_code == 200


def test_a_preferred_clinician_is_kept_when_the_database_is_down(client, settings):
    # The form's clinicians and regions come from the database; without it, the
    # form still takes back everything typed, the choice of clinician included.
    settings.INTAKE_MIN_SECONDS = 0
    with database_down():
        response = client.post(
            reverse("intake:request"), request_post(preferred_clinician="maya-okafor")
        )
    assert response.status_code == 503
    html = response.content.decode()
    assert "could not save your request just now" in html
    assert '<option value="maya-okafor" selected>maya-okafor</option>' in html
    assert REQUESTER_NAME in html
