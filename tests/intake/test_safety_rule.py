"""The safety rule on every path: a safety answer is never discarded.

"In immediate danger / thinking of harming myself = yes" makes the request
urgent; "my partner has hurt, threatened or frightened me = yes / prefer not to
say" flags it for safety follow-up. Both are stored and the next page shows the
matching resources, whichever journey or partner answer they came with.
"""

import pytest
from django.urls import reverse

from intake.models import IntakeRequest, PartnerInvitation, PartnerResponse
from tests.intake.journeys import (
    couples_request_with_token,
    latest_request,
    partner_post,
    partner_url,
    send_request,
)

pytestmark = pytest.mark.django_db

DV_NUMBER = "1-800-799-7233"
CRISIS_HEADING = 'id="crisis-heading"'
SAFETY_HEADING = 'id="safety-heading"'


@pytest.mark.parametrize("journey", ["individual", "couples", "intensive", "consult"])
@pytest.mark.parametrize("partner_safety", ["yes", "prefer_not", "no"])
@pytest.mark.parametrize("in_crisis", ["yes", "no"])
def test_request_keeps_every_safety_answer_on_every_journey(
    client, journey, partner_safety, in_crisis
):
    response = send_request(client, journey, partner_safety=partner_safety, in_crisis=in_crisis)

    assert response.status_code == 200
    stored = latest_request()
    concern = partner_safety in ("yes", "prefer_not")
    assert stored.in_crisis == in_crisis
    assert stored.is_urgent is (in_crisis == "yes")
    assert stored.is_safety_flagged is concern
    if concern:
        assert stored.partner_safety == partner_safety
        assert not PartnerInvitation.objects.filter(intake_request=stored).exists()
    html = response.content.decode()
    assert (SAFETY_HEADING in html) is concern
    assert (DV_NUMBER in html) is concern
    assert (CRISIS_HEADING in html) is (in_crisis == "yes")


def test_individual_journey_without_a_partner_answer_stores_none(client):
    send_request(client, "individual")

    stored = latest_request()
    assert stored.partner_safety == ""
    assert not stored.is_safety_flagged


@pytest.mark.parametrize("answer", ["join", "questions", "not_now"])
@pytest.mark.parametrize("partner_safety", ["yes", "prefer_not", "no"])
@pytest.mark.parametrize("in_crisis", ["yes", "no"])
def test_partner_safety_answers_are_kept_whatever_the_answer(
    client, answer, partner_safety, in_crisis
):
    intake_request, token = couples_request_with_token(client)

    response = client.post(
        partner_url(token),
        partner_post(answer, partner_safety=partner_safety, in_crisis=in_crisis),
        follow=True,
    )

    assert response.status_code == 200
    stored = PartnerResponse.objects.get()
    concern = partner_safety in ("yes", "prefer_not")
    assert stored.answer == answer
    assert stored.in_crisis == in_crisis
    if concern:
        assert stored.partner_safety == partner_safety
    intake_request.refresh_from_db()
    assert intake_request.is_urgent is (in_crisis == "yes")
    assert intake_request.is_safety_flagged is concern
    html = response.content.decode()
    assert (SAFETY_HEADING in html) is concern
    assert (CRISIS_HEADING in html) is (in_crisis == "yes")


@pytest.mark.parametrize("answer", ["join", "questions", "not_now"])
def test_every_partner_is_asked_the_crisis_question(client, answer):
    _intake_request, token = couples_request_with_token(client)

    response = client.post(partner_url(token), partner_post(answer, in_crisis=None))

    assert response.status_code == 200
    assert "in_crisis" in response.context["form"].errors
    assert not PartnerResponse.objects.exists()


@pytest.mark.parametrize("answer", ["join", "questions"])
def test_every_partner_who_leaves_contact_details_is_asked_about_safety(client, answer):
    _intake_request, token = couples_request_with_token(client)

    response = client.post(partner_url(token), partner_post(answer, partner_safety=None))

    assert "partner_safety" in response.context["form"].errors
    assert not PartnerResponse.objects.exists()


def test_not_now_need_not_answer_the_partner_safety_question(client):
    intake_request, token = couples_request_with_token(client)

    client.post(partner_url(token), partner_post("not_now", partner_safety=None))

    assert PartnerResponse.objects.get().partner_safety == ""
    assert not IntakeRequest.objects.get(pk=intake_request.pk).is_safety_flagged


def _crisis_question_comes_first(html: str, first_other: str) -> None:
    form = html[html.index("<form") :]
    assert form.index('name="in_crisis"') < form.index(first_other)


def test_request_form_asks_the_crisis_question_first_with_help_beside_it(client, settings):
    html = client.get(reverse("intake:request")).content.decode()

    _crisis_question_comes_first(html, 'name="journey"')
    help_text = html[html.index('id="crisis-help"') :]
    help_text = help_text[: help_text.index("</p>")]
    assert settings.EMERGENCY_NUMBER in help_text
    assert settings.DV_HOTLINE_NUMBER in help_text


def test_partner_page_asks_the_crisis_question_first_with_help_beside_it(client, settings):
    _intake_request, token = couples_request_with_token(client)

    html = client.get(partner_url(token)).content.decode()

    _crisis_question_comes_first(html, 'name="answer"')
    assert 'id="crisis-help"' in html
    assert settings.EMERGENCY_NUMBER in html


def test_request_form_says_what_individual_sessions_do_not_use(client):
    html = client.get(reverse("intake:request")).content.decode()

    assert "not used for individual sessions" in html
