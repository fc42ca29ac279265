import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cache import SessionStore
from django.urls import reverse

from tests.conftest import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user(
        "office", password="a-long-enough-password", is_staff=True, is_superuser=True
    )
    return otp_login(client, user)


def test_staff_session_survives_within_twelve_hours(staff_client):
    assert staff_client.get(reverse("admin:index")).status_code == 200
    session = staff_client.session
    session["_signed_in_at"] = int(time.time()) - 11 * 3600
    session.save()
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_staff_session_ends_twelve_hours_after_sign_in(staff_client):
    staff_client.get(reverse("admin:index"))
    session = staff_client.session
    session["_signed_in_at"] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    # Signed out for good: the next page asks for a sign-in too.
    assert staff_client.get(reverse("admin:index")).status_code == 302


def test_idle_limit_is_thirty_minutes_renewed_on_each_request(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_signing_out_invalidates_the_session(staff_client):
    staff_client.get(reverse("admin:index"))
    old_key = staff_client.session.session_key
    staff_client.post(reverse("admin:logout"))
    assert not SessionStore().exists(old_key)
