"""The request form's checks: clear messages, linked from a summary, nothing lost."""

import re

import pytest
from django.urls import reverse

from intake.forms import IntakeRequestForm
from intake.models import IntakeRequest
from tests.intake.journeys import CONCERNS, form_values, request_post

pytestmark = pytest.mark.django_db


def post(client, journey="individual", **overrides):
    return client.post(reverse("intake:request"), request_post(journey, **overrides))


def errors_of(response) -> dict:
    return {
        name: [e.code for e in errors.as_data()]
        for name, errors in response.context["form"].errors.items()
    }


def test_errors_are_summarised_with_links_and_shown_by_each_field(client):
    response = post(client, name="", region="", journey=None)

    assert response.status_code == 200
    assert not IntakeRequest.objects.exists()
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</ul>", html.index('class="error-summary"')
        )
    ]
    assert 'role="alert"' in html
    assert "There is a problem" in summary
    assert '<a href="#id_name">Please tell us your name.</a>' in summary
    assert '<a href="#id_region">Please choose where you live.</a>' in summary
    # A group of radios is reached through its first option.
    assert '<a href="#id_journey_0">Please choose what you would like help with.</a>' in summary
    assert 'id="id_name_error"' in html
    assert re.search(
        r'<input[^>]*aria-describedby="id_name_helptext id_name_error"', html
    ) or re.search(r'<input[^>]*aria-describedby="[^"]*id_name_error', html)
    assert "<title>Error: " in html


def test_summary_is_above_the_heading(client):
    html = post(client, name="").content.decode()

    assert html.index('class="error-summary"') < html.index("<h1")


def test_everything_typed_is_kept_when_something_is_wrong(client):
    response = post(
        client,
        "couples",
        name="",
        partner_readiness="declined",
        wants_now=["couples_hold"],
        partner_safety="no",
        contact_methods=["email", "text"],
        is_voicemail_ok="on",
    )

    html = response.content.decode()
    assert CONCERNS in html
    assert 'value="jordan@example.com"' in html
    for name, value in [
        ("journey", "couples"),
        ("partner_readiness", "declined"),
        ("wants_now", "couples_hold"),
        ("partner_safety", "no"),
        ("contact_methods", "email"),
        ("contact_methods", "text"),
        ("session_format", "online"),
        ("in_crisis", "no"),
    ]:
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', html), name
    assert not re.search(r'<input[^>]*name="contact_methods"[^>]*value="phone"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="is_voicemail_ok"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="consent"[^>]*checked', html)
    assert re.search(r'<option value="Oregon" selected>', html)


@pytest.mark.parametrize(
    "bad",
    [
        "Jordan\u202eevil",  # right-to-left override
        "Jor\u200bdan",  # zero-width space
        "Jordan\u2066x\u2069",  # isolates
        "\ufeffJordan",  # byte order mark
        "Jordan\x07",  # a control character
    ],
)
def test_names_with_hidden_characters_are_refused_with_a_clear_message(client, bad):
    response = post(client, name=bad)

    assert errors_of(response)["name"] == ["hidden_characters"]
    assert "invisible or control characters" in response.content.decode()


def test_hidden_characters_in_email_and_phone_are_refused(client):
    response = post(client, email="jordan\u200b@example.com", phone="555\u202e0103030")

    errors = errors_of(response)
    assert errors["email"] == ["hidden_characters"]
    assert errors["phone"] == ["hidden_characters"]


def test_name_is_trimmed_and_normalised(client):
    post(client, name="  Jose\u0301 Alvarez  ")

    assert IntakeRequest.objects.get().name == "Jos\u00e9 Alvarez"


def test_at_least_one_safe_way_to_reach_you_is_needed(client):
    response = post(client, contact_methods=None)

    assert errors_of(response)["contact_methods"] == ["required"]


def test_email_is_needed_when_email_is_safe(client):
    response = post(client, email="", contact_methods=["email"])

    assert errors_of(response)["email"] == ["required"]


@pytest.mark.parametrize("method", ["phone", "text"])
def test_phone_is_needed_when_calls_or_texts_are_safe(client, method):
    response = post(client, phone="", contact_methods=[method])

    assert errors_of(response)["phone"] == ["required"]


def test_phone_only_is_fine_when_only_the_phone_is_safe(client):
    post(client, email="", contact_methods=["text"])

    saved = IntakeRequest.objects.get()
    assert saved.is_text_ok and not saved.is_email_ok


def test_invalid_email_and_phone_get_plain_messages(client):
    response = post(client, email="jordan@", phone="call me")

    errors = errors_of(response)
    assert errors["email"] == ["invalid_email"]
    assert errors["phone"] == ["invalid_phone"]


def test_couples_request_needs_readiness_safety_answer_and_agreement(client):
    response = post(
        client,
        "couples",
        partner_readiness=None,
        partner_safety=None,
        agrees_confidentiality=None,
    )

    errors = errors_of(response)
    assert errors["partner_readiness"] == ["required"]
    assert errors["partner_safety"] == ["required"]
    assert errors["agrees_confidentiality"] == ["required"]
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize("readiness", ["unsure", "declined", "not_asked"])
def test_partner_not_agreed_needs_a_choice_of_what_to_do_now(client, readiness):
    response = post(client, "couples", partner_readiness=readiness, wants_now=None)

    assert errors_of(response)["wants_now"] == ["required"]


def test_partner_agreed_needs_no_choice_of_what_to_do_now(client):
    post(client, "couples", partner_readiness="agreed", wants_now=None)

    assert IntakeRequest.objects.get().partner_readiness == "agreed"


def test_consent_and_emergency_acknowledgement_are_needed(client):
    response = post(client, consent=None, acknowledges_not_emergency=None)

    errors = errors_of(response)
    assert errors["consent"] == ["required"]
    assert errors["acknowledges_not_emergency"] == ["required"]


def test_everyone_answers_the_crisis_question(client):
    response = post(client, "consult", in_crisis=None)

    assert errors_of(response)["in_crisis"] == ["required"]


def test_long_text_gets_a_clear_limit_message_and_is_kept(client):
    long_text = "word " * 1001  # 5005 characters
    response = post(client, concerns=long_text)

    assert errors_of(response)["concerns"] == ["max_length"]
    html = response.content.decode()
    assert "Please shorten this to 5000 characters or fewer" in html
    assert long_text.strip() in html


def test_emailed_link_needs_email_to_be_safe(client):
    response = post(client, "couples", contact_methods=["phone"], wants_link_emailed="on")

    assert errors_of(response)["wants_link_emailed"] == ["email_not_safe"]


def test_regions_come_from_settings_when_the_form_is_made(settings):
    settings.PRACTICE_REGIONS = ["Idaho", "Montana"]

    choices = [value for value, _label in IntakeRequestForm().fields["region"].choices]

    assert choices == ["", "Idaho", "Montana"]


def test_region_outside_the_list_is_refused(client):
    response = post(client, region="Atlantis")

    assert errors_of(response)["region"] == ["invalid_choice"]


def test_form_carries_a_fresh_submission_key_each_time(client):
    first = form_values(client.get(reverse("intake:request")).content.decode())
    second = form_values(client.get(reverse("intake:request")).content.decode())

    assert first["submission_key"] and second["submission_key"]
    assert first["submission_key"] != second["submission_key"]
