"""Fixtures for the hostile-input, logging and error-page tests."""

import pytest
from django.test import Client

from tests.conftest import otp_login
from tests.intake.journeys import couples_request_with_token


@pytest.fixture
def couples_token(client) -> str:
    """The raw partner token of a couples request sent through the form."""
    _request, token = couples_request_with_token(client)
    return token


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def staff_client(admin_user):
    """A superuser's own browser, signed in with a verified second factor: the
    public forms are posted from `client`, as a stranger would."""
    return otp_login(Client(), admin_user)
