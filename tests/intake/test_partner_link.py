"""The partner link's whole life, and the partner's page and answers."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeRequest, PartnerInvitation, PartnerResponse, hash_token
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import (
    CONCERNS,
    PARTNER_AVAILABILITY,
    PARTNER_FIRST_NAME,
    PARTNER_MESSAGE,
    PARTNER_NAME,
    REQUESTER_NAME,
    couples_request_with_token,
    form_values,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db


def test_token_is_long_random_and_only_its_hash_is_stored(client):
    intake_request, token = couples_request_with_token(client)

    assert len(token) >= 32  # 24+ random bytes, url-safe base64
    invitation = PartnerInvitation.objects.get(intake_request=intake_request)
    assert invitation.token_hash == hash_token(token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_partnerinvitation")
        rows = cursor.fetchall()
    assert rows
    assert all(token not in str(value) for row in rows for value in row)


def test_two_requests_get_different_tokens(client):
    _first, first = couples_request_with_token(client)
    _second, second = couples_request_with_token(client)

    assert first != second


def test_link_expires_after_the_configured_days(client, settings):
    settings.INTAKE_INVITATION_DAYS = 10
    before = timezone.now()
    intake_request, token = couples_request_with_token(client)

    invitation = intake_request.invitation
    assert before + timedelta(days=10) <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + timedelta(days=10)
    assert client.get(partner_url(token)).status_code == 200

    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    assert client.get(partner_url(token)).status_code == 404


def test_partner_page_explains_without_blame_and_reveals_nothing(client):
    topic = TopicFactory(slug="for-partners", name="For partners")
    ArticleFactory(title="What couples sessions are really like", topics=[topic])
    _intake_request, token = couples_request_with_token(client)
    partner_client = client.__class__()

    response = partner_client.get(partner_url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone close to you asked us to share this link" in html
    assert "not right now" in html.lower()
    for value in (REQUESTER_NAME, PARTNER_FIRST_NAME, CONCERNS, "jordan@example.com"):
        assert value not in html
    assert "What couples sessions are really like" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html
    for value in ('value="join"', 'value="questions"', 'value="not_now"'):
        assert value in html


def test_partner_page_links_to_no_other_site(client):
    _intake_request, token = couples_request_with_token(client)

    html = client.get(partner_url(token)).content.decode()
    # "Leave this site" is the one way to another site, and it sends no Referer
    # (nor does the page: Referrer-Policy: no-referrer), so the token stays here.
    leave = re.compile(
        rf'<a class="quick-exit__link" href="{settings.QUICK_EXIT_URL}" '
        r'rel="noreferrer" ping="[^"]*"'
    )
    assert len(leave.findall(html)) == 1
    html = leave.sub("", html)

    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html
    assert 'href="//' not in html


def test_partner_joining_is_stored_and_flags_nothing_when_safe(
    client, django_capture_on_commit_callbacks
):
    intake_request, token = couples_request_with_token(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(partner_url(token), partner_post("join"), follow=True)

    assert response.redirect_chain == [(reverse("intake:partner-done"), 302)]
    answer = PartnerResponse.objects.get()
    assert answer.intake_request == intake_request
    assert answer.answer == "join"
    assert answer.name == PARTNER_NAME
    assert answer.email == "alex@example.com"
    assert answer.contact_preferences == "Text message"
    assert PARTNER_AVAILABILITY in answer.availability
    assert answer.message == PARTNER_MESSAGE
    assert (answer.partner_safety, answer.in_crisis) == ("no", "no")
    assert answer.consented_at is not None
    intake_request.refresh_from_db()
    assert intake_request.partner_answered
    assert not intake_request.is_safety_flagged and not intake_request.is_urgent
    assert "Thank you for answering" in response.content.decode()


def test_partner_answer_stops_the_link_working(client):
    _intake_request, token = couples_request_with_token(client)
    client.post(partner_url(token), partner_post("not_now"))

    assert client.get(partner_url(token)).status_code == 404
    again = client.post(partner_url(token), partner_post("join"))
    assert again.status_code == 404
    assert PartnerResponse.objects.count() == 1


def test_partner_questions_and_not_now_keep_only_what_they_ask(client):
    _first, token = couples_request_with_token(client)
    client.post(
        partner_url(token), partner_post("questions", partner_safety="yes", in_crisis="yes")
    )
    questions = PartnerResponse.objects.get()
    assert questions.answer == "questions"
    assert questions.name == PARTNER_NAME
    # Safety answers are never discarded, whatever the answer (test_safety_rule).
    assert questions.partner_safety == "yes" and questions.in_crisis == "yes"

    _second, token = couples_request_with_token(client)
    client.post(partner_url(token), partner_post("not_now", name="Someone", email="a@b.example"))
    not_now = PartnerResponse.objects.get(answer="not_now")
    assert not_now.name == "" and not_now.email == ""
    assert not_now.message == PARTNER_MESSAGE


def test_partner_answers_are_checked_for_each_answer(client):
    _intake_request, token = couples_request_with_token(client)

    response = client.post(
        partner_url(token),
        partner_post("join", name="", contact_methods=None, partner_safety=None, consent=None),
    )

    errors = response.context["form"].errors
    assert set(errors) >= {"name", "contact_methods", "partner_safety", "consent"}
    assert "There is a problem" in response.content.decode()
    assert PARTNER_MESSAGE in response.content.decode()
    assert not PartnerResponse.objects.exists()

    response = client.post(
        partner_url(token), partner_post("questions", email="", contact_methods=["email"])
    )
    assert "email" in response.context["form"].errors

    response = client.post(partner_url(token), {"started": partner_post()["started"]})
    assert "answer" in response.context["form"].errors


@pytest.mark.parametrize("answer", ["yes", "prefer_not"])
def test_partner_safety_concern_flags_the_request_and_shows_support(client, answer):
    intake_request, token = couples_request_with_token(client)

    response = client.post(
        partner_url(token), partner_post("join", partner_safety=answer), follow=True
    )

    intake_request.refresh_from_db()
    assert intake_request.is_safety_flagged
    html = response.content.decode()
    assert "1-800-799-7233" in html
    assert "never share it with your partner" in html


def test_partner_in_crisis_sees_crisis_resources_first_and_request_is_urgent(client):
    intake_request, token = couples_request_with_token(client)

    response = client.post(partner_url(token), partner_post("join", in_crisis="yes"), follow=True)

    intake_request.refresh_from_db()
    assert intake_request.is_urgent
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    assert main.index('id="crisis-heading"') < main.index("<h1")


def test_requester_never_sees_the_partner_answer(client):
    intake_request, token = couples_request_with_token(client)
    partner_client = client.__class__()
    partner_client.post(partner_url(token), partner_post("join", partner_safety="yes"))

    confirmation = client.get(reverse("intake:done")).content.decode()

    for value in (PARTNER_NAME, PARTNER_MESSAGE, PARTNER_AVAILABILITY, "alex@example.com"):
        assert value not in confirmation
    assert "answered" not in confirmation.lower()
    assert "1-800-799-7233" not in confirmation


def test_partner_confirmation_reflects_only_the_partners_own_answers(client):
    # The request is urgent because of the requester's answer: the partner's
    # page must not say so.
    _request, token = couples_request_with_token(client, in_crisis="yes")
    partner_client = client.__class__()

    response = partner_client.post(partner_url(token), partner_post("join"), follow=True)

    html = response.content.decode()
    assert 'id="crisis-heading"' not in html
    assert "1-800-799-7233" not in html


def test_a_resent_request_never_shows_the_requester_their_partners_answers(client):
    data = request_post("couples")
    first = client.post(reverse("intake:request"), data, follow=True)
    token = first.context["done"]["token"]
    client.__class__().post(
        partner_url(token), partner_post("join", in_crisis="yes", partner_safety="yes")
    )
    # Another request from the same browser, then the first form sent again
    # (pressing back a few times).
    client.post(reverse("intake:request"), request_post())

    again = client.post(reverse("intake:request"), data, follow=True)

    assert again.context["done"]["is_repeat"]
    html = again.content.decode()
    assert 'id="crisis-heading"' not in html
    assert "1-800-799-7233" not in html


def test_revoked_link_is_the_kind_404(client):
    intake_request, token = couples_request_with_token(client)
    invitation = intake_request.invitation
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = User.objects.create_user("staffer")
    invitation.save()

    response = client.get(partner_url(token))

    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/request/partner/not-a-real-token/",
        "/request/partner/" + "A" * 5000 + "/",
        "/request/partner/%00%FF%FE/",
        "/request/partner/%C3%28/",
        "/request/partner/..%2F..%2Fadmin/",
    ],
)
def test_unknown_huge_or_binary_tokens_get_the_same_404(client, path):
    response = client.get(path)
    posted = client.post(path, partner_post("join"))

    assert response.status_code == 404
    assert posted.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert "This link no longer works" in posted.content.decode()
    assert not PartnerResponse.objects.exists()


def test_unknown_expired_used_and_revoked_links_look_alike(client):
    def page(token):
        html = client.get(partner_url(token)).content.decode()
        return html.replace(token, "")

    unknown = page("x" * 43)
    _request, used = couples_request_with_token(client)
    client.post(partner_url(used), partner_post("not_now"))
    _request, expired = couples_request_with_token(client)
    PartnerInvitation.objects.filter(token_hash=hash_token(expired)).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    assert page(used) == unknown
    assert page(expired) == unknown


def test_partner_thank_you_page_needs_an_answer_first(client):
    response = client.get(reverse("intake:partner-done"))

    assert response.status_code == 302


def test_request_without_safety_concern_is_not_affected_by_other_requests(client):
    first, token = couples_request_with_token(client)
    second, _other = couples_request_with_token(client)

    client.post(partner_url(token), partner_post("join", partner_safety="yes"))

    assert IntakeRequest.objects.get(pk=first.pk).is_safety_flagged
    assert not IntakeRequest.objects.get(pk=second.pk).is_safety_flagged


def test_partner_answers_are_ciphertext_in_the_database(client):
    _intake_request, token = couples_request_with_token(client)
    client.post(partner_url(token), partner_post("join", partner_safety="prefer_not"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, email, availability, message, partner_safety, in_crisis"
            " FROM intake_partnerresponse"
        )
        row = cursor.fetchone()

    assert PARTNER_NAME not in row[0] and "alex@example.com" not in row[1]
    assert PARTNER_AVAILABILITY not in row[2] and PARTNER_MESSAGE not in row[3]
    assert all(value.startswith("gAAAAA") for value in row)


def test_partner_answer_posted_with_a_null_origin_is_accepted(client):
    """Browsers send `Origin: null` from a no-referrer page; the CSRF token still counts."""
    _request, token = couples_request_with_token(client)
    browser = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
    page = browser.get(partner_url(token))
    assert page["Referrer-Policy"] == "no-referrer"
    response = browser.post(
        partner_url(token),
        partner_post(csrfmiddlewaretoken=form_values(page.content.decode())["csrfmiddlewaretoken"]),
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 302
    assert PartnerResponse.objects.count() == 1


def test_partner_answer_with_a_null_origin_but_no_csrf_token_is_refused(client):
    _request, token = couples_request_with_token(client)
    browser = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
    browser.get(partner_url(token))
    response = browser.post(partner_url(token), partner_post(), HTTP_ORIGIN="null")
    assert response.status_code == 403
    assert PartnerResponse.objects.count() == 0


def test_partner_answer_from_another_site_is_refused(client):
    _request, token = couples_request_with_token(client)
    browser = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")
    page = browser.get(partner_url(token))
    response = browser.post(
        partner_url(token),
        partner_post(csrfmiddlewaretoken=form_values(page.content.decode())["csrfmiddlewaretoken"]),
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert PartnerResponse.objects.count() == 0
