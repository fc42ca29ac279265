"""A partner link that cannot be used, whatever the reason, gets one kind page
with a 404: the practice's phone, a way to ask a question, and nothing that
tells an answered link from an expired, revoked or unknown one."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import views
from intake.models import InvitationNotUsable, PartnerInvitation, PartnerResponse, hash_token
from tests.intake.journeys import couples_request_with_token, partner_post, partner_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def gone_tokens(client):
    """A token for each way a link stops working."""
    _request, used = couples_request_with_token(client)
    assert client.post(partner_url(used), partner_post("not_now")).status_code == 302
    _request, expired = couples_request_with_token(client)
    PartnerInvitation.objects.filter(token_hash=hash_token(expired)).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    request, revoked = couples_request_with_token(client)
    request.invitation.revoked_at = timezone.now()
    request.invitation.revoked_by = User.objects.create_user("staffer")
    request.invitation.save()
    # The same length and alphabet as a real token.
    unknown = "Q" * len(used)
    return {"used": used, "expired": expired, "revoked": revoked, "unknown": unknown}


def test_used_expired_revoked_and_unknown_links_get_the_same_kind_404(gone_tokens, settings):
    pages = {}
    for reason, token in gone_tokens.items():
        response = Client().get(partner_url(token))
        assert response.status_code == 404, reason
        pages[reason] = response.content

    # Byte for byte: the page has no form, so not even a CSRF token differs.
    assert len(set(pages.values())) == 1
    html = pages["unknown"].decode()
    assert "This link no longer works" in html
    assert "We could not find that page" not in html
    assert settings.PRACTICE_PHONE in html and 'href="tel:' in html
    assert f'href="{reverse("intake:request")}?journey=consult"' in html
    assert f'href="{reverse("contact")}"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<meta name="referrer" content="no-referrer">' in html
    for token in gone_tokens.values():
        assert token not in html


def test_a_link_stops_working_the_moment_it_expires(client, monkeypatch):
    _request, token = couples_request_with_token(client)
    expires_at = PartnerInvitation.objects.get(token_hash=hash_token(token)).expires_at
    assert Client().get(partner_url(token)).status_code == 200

    # Nothing is saved: the time comes. The page asks with the time of each visit.
    monkeypatch.setattr(timezone, "now", lambda: expires_at + timedelta(seconds=1))
    assert Client().get(partner_url(token)).status_code == 404
    monkeypatch.setattr(timezone, "now", lambda: expires_at - timedelta(seconds=1))
    assert Client().get(partner_url(token)).status_code == 200


def test_posting_an_answer_to_a_link_that_is_gone_gets_the_same_page(gone_tokens):
    before = PartnerResponse.objects.count()
    unknown = Client().get(partner_url(gone_tokens["unknown"])).content

    for reason, token in gone_tokens.items():
        response = Client().post(partner_url(token), partner_post("join"))
        assert response.status_code == 404, reason
        assert response.content == unknown, reason

    assert PartnerResponse.objects.count() == before


def test_the_kind_404_is_never_cached_and_leaks_no_referrer(gone_tokens):
    for token in gone_tokens.values():
        first = Client().get(partner_url(token))
        again = Client().get(partner_url(token))
        assert first["Referrer-Policy"] == again["Referrer-Policy"] == "no-referrer"
        assert "no-store" in first["Cache-Control"] and "no-store" in again["Cache-Control"]


def test_a_link_that_stops_working_while_an_answer_is_recorded_gets_the_kind_404(
    client, monkeypatch
):
    _request, token = couples_request_with_token(client)
    unknown = Client().get(partner_url("Q" * len(token))).content

    def answered_meanwhile(**kwargs):
        raise InvitationNotUsable

    monkeypatch.setattr(views, "partner_response_record", answered_meanwhile)
    response = Client().post(partner_url(token), partner_post("join"))

    assert response.status_code == 404
    assert response.content == unknown


def test_other_missing_pages_keep_the_ordinary_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
