"""Nothing a person sends is dropped as spam or confirmed unless stored; double
posts store one request; bursts get their form back with a 429."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from intake import services, spam
from intake.forms import IntakeRequestForm
from intake.models import IntakeRequest, Notification, PartnerResponse
from intake.views import SENT_SESSION_KEY
from tests.factories import IntakeRequestFactory
from tests.intake.journeys import (
    CONCERNS,
    PARTNER_AVAILABILITY,
    couples_request_with_token,
    form_values,
    partner_post,
    partner_url,
    request_post,
    usable_invitations,
)

pytestmark = pytest.mark.django_db


REQUEST_URL = reverse("intake:request")
SEND_AGAIN = "Please check your answers and press Send again"


def post(client, data, **extra):
    return client.post(REQUEST_URL, data, **extra)


def test_honeypot_is_hidden_from_people_screen_readers_and_keyboards(client):
    html = client.get(reverse("intake:request")).content.decode()

    start = html.index('class="honeypot"')
    honeypot = html[html.rindex("<div", 0, start) : html.index("</div>", start)]
    assert 'aria-hidden="true"' in honeypot
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert 'name="website"' in honeypot


def test_a_post_after_the_minimum_time_is_accepted(client, settings):
    settings.INTAKE_MIN_SECONDS = 3

    post(client, request_post(started=spam.started_token(at=time.time() - 4)))

    assert IntakeRequest.objects.count() == 1


@pytest.mark.parametrize("started", [None, "", "forged", spam.started_token() + "x"])
def test_a_missing_or_forged_start_time_asks_to_send_again_and_keeps_the_answers(client, started):
    response = post(client, request_post(started=started))

    assert response.status_code == 200
    assert not IntakeRequest.objects.exists()
    html = response.content.decode()
    assert "There is a problem" in html
    assert "press the button again" in html
    assert CONCERNS in html
    fresh = response.context["form"]["started"].value()
    assert spam.form_age(fresh) is not None


def assert_shown_again(response, *, message, typed):
    """The form again with what was typed, one calm line, and no confirmation."""
    html = response.content.decode()
    assert message in html
    assert typed in html
    assert "Thank you" not in html
    assert not re.search(r"R-[A-Z2-9]{5,}", html)


def test_a_post_faster_than_a_person_types_is_shown_again_and_the_second_send_is_stored(
    client, settings
):
    settings.INTAKE_MIN_SECONDS = 3
    data = request_post(started=spam.started_token())

    response = post(client, data)

    assert response.status_code == 200
    assert_shown_again(response, message=SEND_AGAIN, typed=CONCERNS)
    assert not IntakeRequest.objects.exists()
    assert client.get(reverse("intake:done"))["Location"] == REQUEST_URL
    again = post(client, data | form_values(response.content.decode()))
    assert again["Location"] == reverse("intake:done")
    assert IntakeRequest.objects.get().concerns == CONCERNS


def test_an_autofilled_honeypot_is_stored_in_quarantine_and_confirmed(client):
    data = request_post("couples", website="jordan@example.com")

    response = post(client, data)

    assert response["Location"] == reverse("intake:done")
    stored = IntakeRequest.objects.get()
    assert stored.quarantined_at is not None
    assert not Notification.objects.exists()
    assert stored.reference in client.get(reverse("intake:done")).content.decode()


def test_a_honeypot_sent_too_fast_is_shown_again_with_it_emptied(client, settings):
    settings.INTAKE_MIN_SECONDS = 3
    data = request_post("couples", website="jordan@example.com", started=spam.started_token())

    response = post(client, data)

    assert_shown_again(response, message=SEND_AGAIN, typed=CONCERNS)
    assert response.context["form"]["website"].value() == ""
    assert not IntakeRequest.objects.exists()
    again = post(client, data | form_values(response.content.decode()) | {"website": ""})
    assert again["Location"] == reverse("intake:done")
    assert IntakeRequest.objects.get().quarantined_at is None


def test_over_the_rate_limit_the_form_comes_back_with_everything_typed_and_a_429(client, settings):
    settings.INTAKE_RATE_LIMIT = "2/h"
    post(client, request_post())
    post(client, request_post())

    response = post(client, request_post(concerns="third time QX7-over-limit"))

    assert response.status_code == 429
    assert response["Retry-After"]
    assert_shown_again(response, message="Please wait a little", typed="QX7-over-limit")
    assert "reached us" not in response.content.decode()
    assert IntakeRequest.objects.count() == 2


def test_rate_limit_counts_per_client_address(client, settings):
    settings.INTAKE_RATE_LIMIT = "1/m"
    post(client, request_post(), REMOTE_ADDR="203.0.113.1")

    other = post(client, request_post(), REMOTE_ADDR="203.0.113.2")
    same = post(client, request_post(), REMOTE_ADDR="203.0.113.1")

    assert other.status_code == 302
    assert same.status_code == 429


def test_mistakes_do_not_use_up_the_limit(client, settings):
    settings.INTAKE_RATE_LIMIT = "1/h"
    for _attempt in range(3):
        post(client, request_post(name=""))

    assert post(client, request_post()).status_code == 302
    assert IntakeRequest.objects.count() == 1


def test_partner_over_the_rate_limit_gets_the_page_again_and_the_link_still_works(client, settings):
    _request, token = couples_request_with_token(client)
    settings.INTAKE_RATE_LIMIT = "0/h"

    response = client.post(partner_url(token), partner_post("join"))

    assert response.status_code == 429
    assert_shown_again(response, message="Please wait a little", typed=PARTNER_AVAILABILITY)
    assert not PartnerResponse.objects.exists()
    assert client.get(partner_url(token)).status_code == 200


def test_a_partner_sending_too_fast_gets_the_page_again_and_the_second_send_is_stored(
    client, settings
):
    _request, token = couples_request_with_token(client)
    settings.INTAKE_MIN_SECONDS = 3
    data = partner_post("join", started=spam.started_token())

    response = client.post(partner_url(token), data)

    assert response.status_code == 200
    assert_shown_again(response, message=SEND_AGAIN, typed=PARTNER_AVAILABILITY)
    assert not PartnerResponse.objects.exists()
    again = client.post(partner_url(token), data | form_values(response.content.decode()))
    assert again["Location"] == reverse("intake:partner-done")
    assert PartnerResponse.objects.get().availability.endswith(PARTNER_AVAILABILITY)


def test_a_partner_honeypot_is_recorded_and_confirmed(client):
    _request, token = couples_request_with_token(client)

    response = client.post(partner_url(token), partner_post("join", website="bot"))

    assert response["Location"] == reverse("intake:partner-done")
    assert PartnerResponse.objects.get().availability.endswith(PARTNER_AVAILABILITY)


@pytest.mark.parametrize("journey", ["individual", "couples"])
def test_a_crisis_answer_in_a_resent_form_is_kept_and_flags_the_stored_request(client, journey):
    data = request_post(journey)
    post(client, data)

    response = post(client, data | {"in_crisis": "yes"}, follow=True)

    stored = IntakeRequest.objects.get()
    assert stored.in_crisis == "yes"
    assert stored.is_urgent
    assert "we will look at it first" in response.content.decode()


@pytest.mark.parametrize("same_session", [True, False])
def test_a_partner_safety_answer_in_a_resent_form_is_kept_and_closes_the_link(client, same_session):
    data = request_post("couples")
    post(client, data)
    if not same_session:
        client.cookies.clear()

    response = post(client, data | {"partner_safety": "prefer_not"}, follow=True)

    assert "/request/partner/" not in response.content.decode()
    stored = IntakeRequest.objects.get()
    assert stored.partner_safety == "prefer_not"
    assert stored.is_safety_flagged
    assert not usable_invitations().exists()


def test_a_resent_form_never_lowers_a_stored_safety_answer(client):
    data = request_post("couples", in_crisis="yes", partner_safety="yes")
    post(client, data)

    post(client, data | {"in_crisis": "no", "partner_safety": "no"})

    stored = IntakeRequest.objects.get()
    assert (stored.in_crisis, stored.partner_safety) == ("yes", "yes")
    assert stored.is_urgent and stored.is_safety_flagged


def test_the_same_form_posted_twice_stores_one_request(client, django_capture_on_commit_callbacks):
    data = request_post("couples")

    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, data)
        first_page = client.get(reverse("intake:done")).content.decode()
        second = post(client, data)
        second_page = client.get(reverse("intake:done")).content.decode()

    assert first["Location"] == second["Location"] == reverse("intake:done")
    assert IntakeRequest.objects.count() == 1
    assert Notification.objects.count() == 2
    reference = IntakeRequest.objects.get().reference
    assert "/request/partner/" in first_page
    # The link was shown once; the same form again finds only a neutral page.
    assert f'Your request <span class="reference">{reference}</span> has reached us' in (
        second_page
    )
    assert "/request/partner/" not in second_page


def assert_told_it_arrived_without_its_reference(client, response, *, reference):
    """Sent again from a browser with no record of it: the person learns their
    request arrived, but not its reference or partner link."""
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:done")
    html = client.get(reverse("intake:done")).content.decode()
    assert "We have your request" in html
    assert "You had already sent this request" in html
    assert reference not in html
    assert "/request/partner/" not in html
    again = client.get(reverse("intake:done")).content.decode()
    assert "Your request has reached us" in again
    assert reference not in again


def test_the_same_form_sent_again_from_another_session_is_told_it_arrived_without_its_reference(
    client,
):
    data = request_post("couples")
    post(client, data)
    reference = IntakeRequest.objects.get().reference
    other = Client()

    response = post(other, data)

    assert IntakeRequest.objects.count() == 1
    assert Notification.objects.count() == 2
    assert_told_it_arrived_without_its_reference(other, response, reference=reference)


def test_a_send_whose_answer_was_lost_is_told_it_arrived_when_sent_again(client):
    # The first answer (and the session cookie it set) never reached the
    # browser: a dropped connection, a worker killed mid-answer.
    data = request_post("couples")
    post(client, data)
    reference = IntakeRequest.objects.get().reference
    client.cookies.clear()

    response = post(client, data)

    assert IntakeRequest.objects.count() == 1
    assert Notification.objects.count() == 2
    assert_told_it_arrived_without_its_reference(client, response, reference=reference)


def test_another_persons_form_with_a_copied_key_is_stored_as_its_own_request(client):
    # A saved copy of someone's form page, filled in by someone else: the key
    # is the first person's, the request is not.
    first = request_post("couples")
    post(client, first)
    original = IntakeRequest.objects.get()
    someone_else = first | {
        "name": "Riley Okafor",
        "email": "riley@example.com",
        "phone": "(555) 010-7788",
        "in_crisis": "yes",
        "partner_safety": "yes",
    }
    other = Client()

    response = post(other, someone_else, follow=True)

    assert IntakeRequest.objects.count() == 2
    theirs = IntakeRequest.objects.exclude(pk=original.pk).get()
    assert theirs.name == "Riley Okafor"
    assert theirs.submission_key != original.submission_key
    assert theirs.is_urgent and theirs.is_safety_flagged
    html = response.content.decode()
    assert theirs.reference in html
    assert original.reference not in html
    assert "You had already sent this request" not in html
    # The first person's request is untouched: no flags, its link still open.
    original.refresh_from_db()
    assert not original.is_urgent and not original.is_safety_flagged
    assert usable_invitations().filter(intake_request=original).count() == 1


def test_a_session_resending_an_earlier_form_of_its_own_is_told_it_was_sent(client, settings):
    settings.INTAKE_RATE_LIMIT = "100/h"
    first = request_post()
    post(client, first)
    first_reference = IntakeRequest.objects.get().reference
    post(client, request_post())

    response = post(client, first, follow=True)

    assert IntakeRequest.objects.count() == 2
    html = response.content.decode()
    assert first_reference in html
    assert "You had already sent this request" in html


def test_a_session_remembers_only_its_last_ten_forms(client, settings):
    settings.INTAKE_RATE_LIMIT = "100/h"
    forms = [request_post() for _ in range(11)]
    for data in forms:
        post(client, data)
    first, last = IntakeRequest.objects.order_by("created_at", "pk")[:: len(forms) - 1]

    forgotten = post(client, forms[0], follow=True)
    remembered = post(client, forms[1], follow=True)

    assert IntakeRequest.objects.count() == 11
    assert "You had already sent this request" in forgotten.content.decode()
    assert first.reference not in forgotten.content.decode()
    assert "You had already sent this request" in remembered.content.decode()
    assert IntakeRequest.objects.order_by("created_at", "pk")[1].reference in (
        remembered.content.decode()
    )
    assert len(client.session[SENT_SESSION_KEY]) == 10


def test_a_concurrent_post_of_the_same_form_finds_the_first_request():
    fields = _form_fields()
    sender = {name: fields[name] for name in ("name", "email", "phone")}
    first = IntakeRequestFactory(reference="R-AAAAAA", **sender)

    created = services.request_create(**fields | {"submission_key": first.submission_key})

    assert created.intake_request == first and not created.is_new
    assert IntakeRequest.objects.count() == 1
    assert Notification.objects.count() == 0


def test_a_reference_collision_is_retried(monkeypatch):
    references = iter(["R-AAAAAA", "R-AAAAAA", "R-BBBBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(references))

    first = services.request_create(**_form_fields())
    second = services.request_create(**_form_fields())

    assert (first.intake_request.reference, second.intake_request.reference) == (
        "R-AAAAAA",
        "R-BBBBBB",
    )
    assert second.is_new
    assert Notification.objects.filter(intake_request=second.intake_request).count() == 2


def test_references_are_short_and_easy_to_read_aloud(client):
    post(client, request_post())

    reference = IntakeRequest.objects.get().reference
    assert reference.startswith("R-") and 5 <= len(reference) - 2 <= 10
    assert not set(reference[2:]) & set("01OIL")


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("10/h", (10, 3600)), ("5/m", (5, 60)), ("1/s", (1, 1)), ("100/d", (100, 86400))],
)
def test_rates_are_read_from_settings(rate, expected):
    assert spam.parse_rate(rate) == expected


def test_a_malformed_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="10/h"):
        spam.parse_rate("ten per hour")


def _form_fields(**overrides) -> dict:
    """request_create's arguments, as the request form gives them."""
    form = IntakeRequestForm(request_post())
    assert form.is_valid(), form.errors
    return form.request_fields() | overrides
