"""Every journey through the request form, end to end, as a person sends it."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from intake.models import IntakeRequest, Notification, PartnerInvitation
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import (
    AVAILABILITY_NOTES,
    CONCERNS,
    PARTNER_FIRST_NAME,
    REQUESTER_NAME,
    latest_request,
    request_post,
    send_request,
)

pytestmark = pytest.mark.django_db


def test_form_page_shows_every_section_without_javascript(client):
    response = client.get(reverse("intake:request"))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("journey", "partner_readiness", "partner_safety", "in_crisis", "wants_now"):
        assert f'name="{name}"' in html
    assert "How privacy works between partners" in html
    assert 'src="/static/js/intake.js" defer' in html
    assert "no-store" in response["Cache-Control"]


def test_individual_request_is_stored_and_confirmed(client):
    response = send_request(client, "individual")

    assert response.redirect_chain == [(reverse("intake:done"), 302)]
    saved = latest_request()
    assert saved.journey == "individual"
    assert saved.name == REQUESTER_NAME
    assert saved.email == "jordan@example.com"
    assert (saved.is_email_ok, saved.is_phone_ok, saved.is_text_ok) == (True, True, False)
    assert saved.session_format == "online"
    assert saved.region == "Oregon"
    assert saved.availability == ["weekday_evening", "weekend"]
    assert saved.availability_notes == AVAILABILITY_NOTES
    assert saved.concerns == CONCERNS
    assert saved.in_crisis == "no"
    assert saved.consented_at and saved.acknowledged_not_emergency_at
    assert not saved.is_urgent and not saved.is_safety_flagged
    assert not PartnerInvitation.objects.exists()
    html = response.content.decode()
    assert saved.reference in html
    assert "What happens next" in html
    assert "private link for your partner" not in html
    assert "no-store" in response["Cache-Control"]


def test_individual_journey_ignores_couples_answers_but_the_safety_one(client):
    send_request(
        client,
        "individual",
        partner_first_name=PARTNER_FIRST_NAME,
        partner_readiness="declined",
        partner_safety="yes",
        wants_now=["couples_hold"],
        wants_link_emailed="on",
    )

    saved = latest_request()
    assert saved.partner_first_name == ""
    assert saved.partner_readiness == ""
    assert not saved.wants_couples_hold and not saved.wants_link_emailed
    # A safety answer is never discarded (test_safety_rule).
    assert saved.partner_safety == "yes"
    assert saved.is_safety_flagged
    assert saved.agreed_confidentiality_at is None


@pytest.mark.parametrize("readiness", ["agreed", "unsure", "declined", "not_asked"])
def test_couples_request_with_each_readiness_gets_a_partner_link(client, readiness):
    wants_now = [] if readiness == "agreed" else ["individual_now", "couples_hold"]
    response = send_request(client, "couples", partner_readiness=readiness, wants_now=wants_now)

    saved = latest_request()
    assert saved.journey == "couples"
    assert saved.partner_readiness == readiness
    assert saved.partner_first_name == PARTNER_FIRST_NAME
    assert saved.partner_safety == "no"
    assert saved.agreed_confidentiality_at is not None
    assert saved.wants_individual_now is (readiness != "agreed")
    assert saved.wants_couples_hold is (readiness != "agreed")
    assert not saved.is_safety_flagged
    invitation = saved.invitation
    token = response.context["done"]["token"]
    assert invitation.token_hash != token
    html = response.content.decode()
    assert reverse("intake:partner", kwargs={"token": token}) in html
    assert 'class="copy-field"' in html
    assert "works once" in html


def test_intensive_request_gets_a_partner_link(client):
    response = send_request(client, "intensive", partner_readiness="agreed", wants_now=[])

    saved = latest_request()
    assert saved.journey == "intensive"
    assert PartnerInvitation.objects.filter(intake_request=saved).exists()
    assert response.context["done"]["token"]


def test_consult_request_is_stored_without_partner_link(client):
    response = send_request(client, "consult")

    saved = latest_request()
    assert saved.journey == "consult"
    assert not PartnerInvitation.objects.exists()
    assert saved.reference in response.content.decode()


def test_link_in_query_preselects_journey_and_readiness(client):
    response = client.get(
        reverse("intake:request"), {"journey": "couples", "readiness": "not_asked"}
    )

    html = response.content.decode()
    assert re.search(r'<input[^>]*name="journey"[^>]*value="couples"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="partner_readiness"[^>]*value="not_asked"[^>]*checked', html)
    assert len(re.findall(r"<input[^>]*checked", html)) == 2


def test_unknown_values_in_query_preselect_nothing(client):
    response = client.get(reverse("intake:request"), {"journey": "<b>", "readiness": "x"})

    html = response.content.decode()
    assert not re.search(r"<input[^>]*checked", html)
    assert "&lt;b&gt;" not in html and "<b>" not in html


@pytest.mark.parametrize("answer", ["yes", "prefer_not"])
def test_safety_concern_means_no_partner_link_and_gentle_resources(
    client, mailoutbox, django_capture_on_commit_callbacks, answer
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_request(client, "couples", partner_safety=answer, wants_link_emailed="on")

    saved = latest_request()
    assert saved.is_safety_flagged
    assert saved.partner_safety == answer
    assert not PartnerInvitation.objects.exists()
    assert not saved.wants_link_emailed
    assert not Notification.objects.filter(kind=Notification.Kind.PARTNER_LINK).exists()
    assert all("/request/partner/" not in m.body for m in mailoutbox)
    html = response.content.decode()
    assert "1-800-799-7233" in html
    assert "we will not contact your partner" in html
    assert "/request/partner/" not in html
    assert 'class="copy-field"' not in html
    assert response.context["done"]["token"] is None


def test_crisis_answer_puts_crisis_resources_first_and_marks_urgent(client):
    response = send_request(client, "couples", in_crisis="yes")

    saved = latest_request()
    assert saved.is_urgent
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    assert main.index('id="crisis-heading"') < main.index("<h1")
    assert main.index('id="crisis-heading"') < main.index(saved.reference)
    assert "tel:988" in main


def test_no_crisis_answer_shows_no_crisis_block(client):
    response = send_request(client, "individual")

    assert 'id="crisis-heading"' not in response.content.decode()
    assert not latest_request().is_urgent


def test_confirmation_lists_articles_for_hesitant_partners(client):
    topic = TopicFactory(slug="for-partners", name="For partners")
    ArticleFactory(title="If your partner asked you to come", topics=[topic])
    ArticleFactory(title="A draft about partners", topics=[topic], draft=True)
    ArticleFactory(title="Unrelated reading")

    response = send_request(client, "couples")

    html = response.content.decode()
    assert "If your partner asked you to come" in html
    assert "A draft about partners" not in html
    assert "Unrelated reading" not in html


def test_confirmation_without_a_request_sends_you_to_the_form(client):
    response = client.get(reverse("intake:done"))

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:request")


def test_sensitive_answers_are_ciphertext_in_the_database(client):
    send_request(client, "couples", partner_safety="prefer_not", in_crisis="yes")
    saved = latest_request()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT concerns, availability_notes, partner_first_name, partner_safety, in_crisis"
            " FROM intake_intakerequest WHERE id = %s",
            [saved.pk],
        )
        row = cursor.fetchone()

    concerns, notes, partner_name, safety, crisis = row
    assert CONCERNS not in concerns and "money" not in concerns
    assert AVAILABILITY_NOTES not in notes
    assert PARTNER_FIRST_NAME not in partner_name
    assert safety != "prefer_not" and crisis != "yes"
    assert all(value.startswith("gAAAAA") for value in row)
    assert saved.concerns == CONCERNS


def test_journeys_not_offered_by_the_practice_are_not_shown_or_accepted(client, settings):
    settings.PRACTICE_SERVICES = ["consult"]

    html = client.get(reverse("intake:request")).content.decode()
    assert 'value="intensive"' not in html
    assert 'value="consult"' in html
    assert "discernment" not in html

    response = client.post(reverse("intake:request"), request_post("intensive"))
    assert response.status_code == 200
    assert not IntakeRequest.objects.exists()


def test_discernment_counseling_is_mentioned_when_offered(client, settings):
    settings.PRACTICE_SERVICES = ["consult", "discernment"]

    html = client.get(reverse("intake:request")).content.decode()
    assert "discernment counseling" in html
