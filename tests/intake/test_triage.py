"""Triage in a minute: the queue shows what is still to do, most pressing first,
and a request's page answers "is it urgent, is it safe to call, who has it"
above the detail, with each step one click away and recorded."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import AccessRecord, IntakeRequest
from tests.conftest import otp_login
from tests.factories import (
    IntakeRequestFactory,
    NoteFactory,
    PartnerInvitationFactory,
    PartnerResponseFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_intakerequest_changelist")
ONE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def change_url(intake_request):
    return reverse("admin:intake_intakerequest_change", args=[intake_request.pk])


def step_url(intake_request, step):
    return reverse("admin:intake_intakerequest_triage", args=[intake_request.pk, step])


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def queue(client, **query):
    response = client.get(CHANGELIST, query)
    return [r.reference for r in response.context["cl"].result_list]


# --- The queue -------------------------------------------------------------------


def test_the_queue_shows_open_requests_and_hides_closed_and_referred_behind_a_filter(
    clinician_client,
):
    waiting = IntakeRequestFactory(status="contacted")
    closed = IntakeRequestFactory(status="closed")
    referred = IntakeRequestFactory(status="referred")

    assert queue(clinician_client) == [waiting.reference]
    assert set(queue(clinician_client, queue="done")) == {closed.reference, referred.reference}
    assert len(queue(clinician_client, queue="all")) == 3
    # Choosing a status shows that status, whatever the queue's default.
    assert queue(clinician_client, status__exact="closed") == [closed.reference]
    html = clinician_client.get(CHANGELIST).content.decode()
    assert "Open (still to deal with)" in html and "Closed or referred" in html


def test_urgent_first_then_safety_then_the_oldest_new_ones(clinician_client):
    made = {
        "in review, oldest": IntakeRequestFactory(status="in_review", created_at=ago(days=9)),
        "new, newer": IntakeRequestFactory(created_at=ago(days=1)),
        "new, older": IntakeRequestFactory(created_at=ago(days=3)),
        "safety, newer": IntakeRequestFactory(
            journey="couples", is_safety_flagged=True, created_at=ago(hours=2)
        ),
        "urgent, newest": IntakeRequestFactory(is_urgent=True, created_at=ago(minutes=5)),
        "urgent, older": IntakeRequestFactory(is_urgent=True, created_at=ago(days=2)),
    }
    names = {r.reference: name for name, r in made.items()}

    order = [names[reference] for reference in queue(clinician_client)]

    assert order == [
        "urgent, older",
        "urgent, newest",
        "safety, newer",
        "new, older",
        "new, newer",
        "in review, oldest",
    ]


def test_the_columns_a_clinician_triages_by(clinician_client, clinician):
    clinician.first_name, clinician.last_name = "Ana", "Ruiz"
    clinician.save()
    IntakeRequestFactory(journey="couples", assigned_to=clinician, is_urgent=True)

    html = clinician_client.get(CHANGELIST).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert headers == [
        "reference",
        "received",
        "journey_short",
        "readiness_short",
        "status",
        "urgent",
        "safety",
        "under_18",
        "assigned",
        "partner_answered",
    ]
    for shown in ("Couples", "Not asked yet", "New", "Urgent", "Ana Ruiz"):
        assert f">{shown}<" in html or f"<strong>{shown}</strong>" in html, shown


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda: PartnerInvitationFactory(revoked_at=ago(days=1)).intake_request, "Revoked"),
        (lambda: PartnerInvitationFactory(expires_at=ago(days=1)).intake_request, "Expired"),
        (lambda: PartnerInvitationFactory().intake_request, "Not yet"),
        (lambda: PartnerResponseFactory().intake_request, "Yes"),
        (
            lambda: IntakeRequestFactory(journey="couples", is_safety_flagged=True),
            "No link",
        ),
        (lambda: IntakeRequestFactory(), "-"),
    ],
    ids=["revoked", "expired", "active", "answered", "safety, no link", "individual"],
)
def test_partner_answered_says_what_became_of_the_link(clinician_client, make, shown):
    make()

    html = clinician_client.get(CHANGELIST).content.decode()

    assert f'<td class="field-partner_answered">{shown}</td>' in html


def test_dates_have_one_format_everywhere_staff_look(clinician_client, clinician):
    intake_request = PartnerInvitationFactory(revoked_at=ago(days=1)).intake_request
    NoteFactory(intake_request=intake_request, author=clinician)

    listing = clinician_client.get(CHANGELIST).content.decode()
    page = clinician_client.get(change_url(intake_request)).content.decode()

    received = re.search(r'<td class="field-received">([^<]*)</td>', listing).group(1)
    assert ONE_FORMAT.match(received), received
    stamps = re.findall(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", page)
    # Received (twice), revoked, the note, consent, acknowledgement, updated...
    assert len(stamps) >= 6
    # ...and no date written any other way.
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d", page)
    assert not re.search(r"\b[ap]\.m\.", page)


@pytest.mark.parametrize(
    ("count", "message"),
    [(1, "Marked 1 request as contacted."), (3, "Marked 3 requests as contacted.")],
)
def test_action_messages_count_properly(clinician_client, count, message):
    requests = [IntakeRequestFactory() for _ in range(count)]

    response = clinician_client.post(
        CHANGELIST,
        {"action": "mark_contacted", "_selected_action": [r.pk for r in requests]},
        follow=True,
    )

    assert message in response.content.decode()
    assert "request(s)" not in response.content.decode()


def test_assigning_and_revoking_count_properly(clinician_client):
    requests = [PartnerInvitationFactory().intake_request for _ in range(2)]
    selected = {"_selected_action": [r.pk for r in requests]}

    assigned = clinician_client.post(
        CHANGELIST, {"action": "assign_to_me", **selected}, follow=True
    )
    revoked = clinician_client.post(
        CHANGELIST, {"action": "revoke_partner_links", **selected}, follow=True
    )

    assert "Assigned 2 requests to you." in assigned.content.decode()
    assert "Revoked 2 partner links." in revoked.content.decode()


# --- A request's page ----------------------------------------------------------------


def summary_of(html):
    start = html.index('<section class="request-summary"')
    return html[start : html.index("</section>", start)]


def test_the_page_opens_with_what_triage_needs(clinician_client, clinician):
    intake_request = IntakeRequestFactory(
        is_urgent=True,
        is_phone_ok=False,
        is_text_ok=True,
        is_voicemail_ok=False,
        is_discreet_sender=True,
        assigned_to=clinician,
    )

    html = clinician_client.get(change_url(intake_request)).content.decode()

    summary = summary_of(html)
    assert html.index("request-summary") < html.index('id="intakerequest_form"')
    assert "Urgent:" in summary
    assert "Safety follow-up" not in summary
    assert "<dt>Safe to call?</dt><dd><strong>No: do not call</strong></dd>" in summary
    assert "<dt>Text messages</dt><dd>Safe</dd>" in summary
    assert "<dt>Voicemail</dt><dd><strong>Do not leave one</strong></dd>" in summary
    assert "<dt>Sender name</dt><dd><strong>Use the discreet name</strong></dd>" in summary
    assert "<dt>Assigned to</dt><dd>You</dd>" in summary


def test_a_safety_flag_is_said_in_words_and_calls_are_fine_when_safe(clinician_client, clinician):
    intake_request = IntakeRequestFactory(
        journey="couples", is_safety_flagged=True, is_phone_ok=True
    )

    summary = summary_of(clinician_client.get(change_url(intake_request)).content.decode())

    assert "Safety follow-up:" in summary and "Never contact the partner" in summary
    assert "<dt>Safe to call?</dt><dd>Yes</dd>" in summary
    assert "<dt>Assigned to</dt><dd>Nobody yet</dd>" in summary


def test_rarely_needed_sections_are_folded_away(clinician_client):
    individual = IntakeRequestFactory()

    html = clinician_client.get(change_url(individual)).content.decode()

    folded = re.findall(r"<details><summary>\s*<h2[^>]*>([^<]+)</h2>", html)
    assert "Consent and timestamps" in folded
    assert "Couples" in folded
    assert "Private answers" not in folded and "Triage" not in folded


@pytest.mark.parametrize(
    ("step", "button", "status"),
    [
        ("contacted", "Mark contacted", "contacted"),
        ("booked", "Consultation booked", "consultation_booked"),
        ("close", "Close", "closed"),
    ],
)
def test_each_status_step_is_one_click_and_recorded(
    clinician_client, clinician, step, button, status
):
    intake_request = IntakeRequestFactory()
    page = clinician_client.get(change_url(intake_request)).content.decode()

    response = clinician_client.post(step_url(intake_request, step), follow=True)

    assert f'action="{step_url(intake_request, step)}"' in page
    assert f">{button}</button>" in page
    assert response.redirect_chain[-1][0] == change_url(intake_request)
    intake_request.refresh_from_db()
    assert intake_request.status == status
    assert (intake_request.closed_at is not None) == (status == "closed")
    changes = AccessRecord.objects.filter(action="change", reference=intake_request.reference)
    assert list(changes.values_list("username", flat=True)) == ["clinician"]
    label = IntakeRequest.Status(status).label.lower()
    assert f"{intake_request.reference} is marked {label}." in response.content.decode()


def test_assign_to_me_is_one_click_and_recorded(clinician_client, clinician):
    intake_request = IntakeRequestFactory()

    response = clinician_client.post(step_url(intake_request, "assign"), follow=True)

    intake_request.refresh_from_db()
    assert intake_request.assigned_to == clinician
    assert f"{intake_request.reference} is assigned to you." in response.content.decode()
    assert AccessRecord.objects.filter(action="change").count() == 1
    # Done: the button is gone, and the page says who has it.
    page = response.content.decode()
    assert ">Assign to me</button>" not in page
    assert "<dt>Assigned to</dt><dd>You</dd>" in page


def test_steps_are_posts_by_those_who_may_change_requests(clinician_client, make_staff):
    intake_request = IntakeRequestFactory()
    reader = otp_login(Client(), make_staff("reader", perms=["intake.view_intakerequest"]))

    asked = clinician_client.get(step_url(intake_request, "close"))
    unknown = clinician_client.post(step_url(intake_request, "delete"))
    refused = reader.post(step_url(intake_request, "close"))
    page = reader.get(change_url(intake_request)).content.decode()

    assert (asked.status_code, unknown.status_code, refused.status_code) == (405, 404, 403)
    intake_request.refresh_from_db()
    assert intake_request.status == "new"
    assert "</button>" not in summary_of(page)


def test_revoking_the_link_is_confirmed_first_and_shows_revoked(clinician_client):
    intake_request = PartnerInvitationFactory().intake_request
    page = clinician_client.get(change_url(intake_request)).content.decode()
    revoke = reverse("admin:intake_intakerequest_revoke", args=[intake_request.pk])

    confirmation = clinician_client.get(revoke)
    clinician_client.post(revoke)
    listing = clinician_client.get(CHANGELIST).content.decode()

    assert f'href="{revoke}"' in page
    assert "This cannot be undone" in confirmation.content.decode()
    assert '<td class="field-partner_answered">Revoked</td>' in listing
