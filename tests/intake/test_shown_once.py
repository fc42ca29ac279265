"""A confirmation shows its safety, crisis and partner parts once: on a shared
device, a reload, Back or a later visit finds only a neutral page."""

import time

import pytest
from django.urls import reverse

from intake.views import DONE_SESSION_KEY, PARTNER_DONE_SESSION_KEY
from practice.sessions import SEALED_PREFIX, SEPARATOR, _unsealed
from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

DONE_URL = reverse("intake:done")
PARTNER_DONE_URL = reverse("intake:partner-done")
CRISIS = "If you are in danger right now"
SAFETY = "Support is here if you need it"
PARTNER = "A private link for your partner"
SENSITIVE = (CRISIS, SAFETY, PARTNER, "/request/partner/")


def assert_neutral(response, *, heading):
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert "no-store" in response["Cache-Control"]
    for words in SENSITIVE:
        assert words not in html


def assert_session_holds_nothing_sensitive(client, key, *, token=None):
    kept = client.session[key]
    assert set(kept) <= {"reference", "journey", "sent_at", "shown"}
    if token:
        assert token not in str(dict(client.session))


@pytest.mark.parametrize(
    ("journey", "answers", "first_shows"),
    [
        ("individual", {"in_crisis": "yes"}, CRISIS),
        ("couples", {"partner_safety": "yes"}, SAFETY),
        ("couples", {}, PARTNER),
    ],
    ids=["crisis", "domestic-violence", "partner-link"],
)
def test_the_request_confirmation_shows_once_then_only_a_neutral_page(
    client, journey, answers, first_shows
):
    client.post(reverse("intake:request"), request_post(journey, **answers))
    reference = client.session[DONE_SESSION_KEY]["reference"]

    first = client.get(DONE_URL)

    assert first_shows in first.content.decode()
    assert_session_holds_nothing_sensitive(client, DONE_SESSION_KEY)
    for _view in range(2):
        assert_neutral(
            client.get(DONE_URL),
            heading=f'Your request <span class="reference">{reference}</span> has reached us',
        )


@pytest.mark.parametrize(
    ("answers", "first_shows"),
    [({"in_crisis": "yes"}, CRISIS), ({"partner_safety": "yes"}, SAFETY)],
    ids=["crisis", "domestic-violence"],
)
def test_the_partner_confirmation_shows_once_then_only_a_neutral_page(client, answers, first_shows):
    _request, token = couples_request_with_token(client)
    client.post(partner_url(token), partner_post("join", **answers))

    first = client.get(PARTNER_DONE_URL)

    assert first_shows in first.content.decode()
    assert_session_holds_nothing_sensitive(client, PARTNER_DONE_SESSION_KEY, token=token)
    assert_neutral(client.get(PARTNER_DONE_URL), heading="Your answer has reached us")


def test_the_raw_partner_token_leaves_the_session_with_the_first_view(client):
    _request, token = couples_request_with_token(client)

    assert token not in str(dict(client.session))


def test_a_confirmation_is_forgotten_after_half_an_hour_even_if_the_session_lives_on(
    client, settings
):
    client.post(reverse("intake:request"), request_post("couples"))
    session = client.session
    session[DONE_SESSION_KEY] |= {"sent_at": time.time() - settings.INTAKE_DONE_SECONDS - 1}
    session.save()

    response = client.get(DONE_URL)

    assert response["Location"] == reverse("intake:request")
    assert DONE_SESSION_KEY not in client.session


def test_the_cookie_copy_of_the_session_loses_the_token_with_the_first_view(client, settings):
    # An anonymous session also travels sealed in its cookie (practice.sessions,
    # for a Redis outage): on a shared device that copy must forget the link too.
    _request, token = couples_request_with_token(client)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    sealed = cookie.removeprefix(SEALED_PREFIX).partition(SEPARATOR)[2] or cookie.removeprefix(
        SEALED_PREFIX
    )
    copy = _unsealed(sealed)

    assert copy is not None
    assert token not in str(copy)
    assert copy[DONE_SESSION_KEY]["reference"] == _request.reference
