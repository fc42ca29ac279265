"""A form sent with the honeypot filled (browser autofill does that to people)
is kept in quarantine: stored and confirmed, but nobody is told until staff
release it into the queue, which then sends what was held back; staff may
delete it instead, and the purge deletes what is left after
INTAKE_QUARANTINE_DAYS. An urgent or safety-flagged request is never held."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import selectors, services, staff
from intake.models import AccessRecord, IntakeRequest, Notification, PartnerInvitation
from tests.conftest import otp_login
from tests.factories import ArticleFactory, IntakeRequestFactory, PartnerInvitationFactory
from tests.intake.journeys import (
    CONCERNS,
    PARTNER_AVAILABILITY,
    latest_request,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("intake:request")
CHANGELIST = reverse("admin:intake_intakerequest_changelist")
AUTOFILLED = {"website": "jordan@example.com"}


@pytest.fixture(autouse=True)
def _practice_inbox(settings):
    settings.PRACTICE_NOTIFY_EMAIL = ["office@practice.example"]
    settings.SITE_URL = "https://practice.example"


def send(client, django_capture_on_commit_callbacks, journey="couples", **overrides):
    """Post the form with the honeypot filled; the confirmation page it leads to."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            REQUEST_URL, request_post(journey, **AUTOFILLED | overrides), follow=True
        )


def held(**fields):
    return IntakeRequestFactory(quarantined_at=timezone.now(), **fields)


def release_url(intake_request):
    return reverse("admin:intake_intakerequest_release", args=[intake_request.pk])


def discard_url(intake_request):
    return reverse("admin:intake_intakerequest_discard", args=[intake_request.pk])


def change_url(intake_request):
    return reverse("admin:intake_intakerequest_change", args=[intake_request.pk])


def queue(client, **query):
    response = client.get(CHANGELIST, query)
    return [r.reference for r in response.context["cl"].result_list]


def kinds(intake_request):
    return sorted(
        Notification.objects.filter(intake_request=intake_request).values_list("kind", flat=True)
    )


# --- The public side -------------------------------------------------------------


def test_an_autofilled_honeypot_stores_the_request_in_quarantine_and_confirms_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(client, django_capture_on_commit_callbacks, wants_link_emailed="on")

    stored = IntakeRequest.objects.get()
    assert stored.quarantined_at is not None
    assert stored.concerns == CONCERNS
    assert not Notification.objects.exists()
    assert mailoutbox == []
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("intake:done")
    assert stored.reference in html
    # A real person whose autofill filled the trap keeps their partner link.
    token = response.context["done"]["token"]
    assert partner_url(token) in html
    assert PartnerInvitation.objects.usable().get().intake_request == stored
    assert Client().get(partner_url(token)).status_code == 200


def test_an_autofilled_honeypot_with_a_mistake_is_shown_again_and_nothing_stored(client):
    response = client.post(REQUEST_URL, request_post("individual", name="", **AUTOFILLED))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check your answers and press Send again" in html
    assert CONCERNS in html
    assert response.context["form"]["website"].value() == ""
    assert not IntakeRequest.objects.exists()


@pytest.mark.parametrize(
    ("journey", "answers"),
    [
        ("individual", {"in_crisis": "yes"}),
        ("couples", {"in_crisis": "yes"}),
        ("couples", {"partner_safety": "yes"}),
        ("couples", {"partner_safety": "prefer_not"}),
        ("individual", {"partner_safety": "yes"}),
    ],
)
def test_an_urgent_or_safety_flagged_request_is_never_held_whatever_the_honeypot(
    client, mailoutbox, django_capture_on_commit_callbacks, journey, answers
):
    send(client, django_capture_on_commit_callbacks, journey, **answers)

    stored = IntakeRequest.objects.get()
    assert stored.quarantined_at is None
    assert stored.is_urgent or stored.is_safety_flagged
    assert Notification.Kind.NEW_REQUEST in kinds(stored)
    assert any(m.to == ["office@practice.example"] for m in mailoutbox)


def test_a_crisis_answer_sent_again_on_a_held_request_releases_it_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    data = request_post("individual", **AUTOFILLED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REQUEST_URL, data)
        client.post(REQUEST_URL, data | {"in_crisis": "yes"})
        client.post(REQUEST_URL, data | {"in_crisis": "yes"})

    stored = IntakeRequest.objects.get()
    assert stored.quarantined_at is None
    assert stored.is_urgent
    assert kinds(stored) == ["new_request", "receipt"]
    assert len(mailoutbox) == 2


# --- The partner side -----------------------------------------------------------


def test_a_partner_answer_with_the_honeypot_filled_is_recorded_and_told_to_the_practice(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = PartnerInvitationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            partner_url(invitation.token), partner_post("join", website="alex@example.com")
        )

    assert response["Location"] == reverse("intake:partner-done")
    answer = invitation.intake_request.partner_responses.get()
    assert answer.availability.endswith(PARTNER_AVAILABILITY)
    assert kinds(invitation.intake_request) == ["partner_answer"]
    assert len(mailoutbox) == 1


def test_a_partner_answer_on_a_held_request_waits_for_its_release(
    client, clinician_client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = PartnerInvitationFactory(intake_request=held(journey="couples"))
    intake_request = invitation.intake_request

    with django_capture_on_commit_callbacks(execute=True):
        client.post(partner_url(invitation.token), partner_post("questions"))

    assert intake_request.partner_responses.exists()
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.post(release_url(intake_request))
    assert kinds(intake_request) == ["new_request", "partner_answer", "receipt"]


@pytest.mark.parametrize("answers", [{"in_crisis": "yes"}, {"partner_safety": "yes"}])
def test_a_partners_safety_answer_releases_a_held_request_at_once(
    client, mailoutbox, django_capture_on_commit_callbacks, answers
):
    invitation = PartnerInvitationFactory(intake_request=held(journey="couples"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(partner_url(invitation.token), partner_post("join", **AUTOFILLED | answers))

    intake_request = IntakeRequest.objects.get()
    assert intake_request.quarantined_at is None
    assert intake_request.is_urgent or intake_request.is_safety_flagged
    assert "partner_answer" in kinds(intake_request)
    assert "new_request" in kinds(intake_request)


# --- The staff side: the queue ----------------------------------------------------


def test_a_held_request_is_in_no_view_of_the_queue_but_possible_spam(clinician_client):
    waiting = IntakeRequestFactory()
    closed = IntakeRequestFactory(status="closed")
    spam = held()

    assert queue(clinician_client) == [waiting.reference]
    assert spam.reference not in queue(clinician_client, queue="all")
    assert spam.reference not in queue(clinician_client, queue="done")
    assert queue(clinician_client, status__exact="new") == [waiting.reference]
    assert queue(clinician_client, is_urgent__exact="0", queue="all") == [
        r.reference for r in IntakeRequest.objects.exclude(pk=spam.pk).in_triage_order()
    ]
    assert queue(clinician_client, queue="spam") == [spam.reference]
    assert "Possible spam (1)" in clinician_client.get(CHANGELIST).content.decode()
    assert closed.reference in queue(clinician_client, queue="all")


def test_a_held_request_is_never_exported(make_staff, client):
    exporter = make_staff("exporter", role="Clinicians", perms=["intake.export_intakerequest"])
    staff_client = otp_login(client, exporter)
    shown = IntakeRequestFactory()
    spam = held()

    response = staff_client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [shown.pk, spam.pk]},
    )

    csv = response.content.decode()
    assert shown.reference in csv
    assert spam.reference not in csv
    exported = AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT)
    assert list(exported.values_list("reference", flat=True)) == [shown.reference]


def test_a_held_request_counts_in_the_article_report_only_once_released(clinician):
    article = ArticleFactory()
    IntakeRequestFactory(from_article=article)
    spam = held(from_article=article)

    [before] = selectors.attribution_counts()
    services.request_release(intake_request=spam, by=clinician)
    [after] = selectors.attribution_counts()

    assert (before["total"], after["total"]) == (1, 2)


def test_a_held_requests_page_says_so_and_offers_release_and_delete(clinician_client):
    spam = held()

    html = clinician_client.get(change_url(spam)).content.decode()

    assert "Possible spam:" in html
    assert release_url(spam) in html
    assert discard_url(spam) in html
    assert reverse("admin:intake_intakerequest_triage", args=[spam.pk, "assign"]) not in html


def test_a_held_request_cannot_be_triaged_before_its_release(clinician_client, clinician):
    spam = held()

    page = clinician_client.get(change_url(spam))
    clinician_client.post(change_url(spam), {"status": "contacted", "assigned_to": clinician.pk})

    assert "status" not in page.context["adminform"].form.fields
    spam.refresh_from_db()
    assert (spam.status, spam.assigned_to) == ("new", None)


def test_a_request_in_the_queue_offers_neither_release_nor_delete(clinician_client):
    waiting = IntakeRequestFactory()

    html = clinician_client.get(change_url(waiting)).content.decode()

    assert "Possible spam:" not in html
    assert release_url(waiting) not in html
    assert discard_url(waiting) not in html


# --- Release ----------------------------------------------------------------------


def test_release_sends_what_was_held_once_and_the_link_is_the_one_shown(
    client, clinician_client, mailoutbox, django_capture_on_commit_callbacks
):
    page = send(client, django_capture_on_commit_callbacks, wants_link_emailed="on")
    token = page.context["done"]["token"]
    intake_request = latest_request()

    with django_capture_on_commit_callbacks(execute=True):
        first = clinician_client.post(release_url(intake_request), follow=True)
        second = clinician_client.post(release_url(intake_request), follow=True)

    assert "is in the queue now" in first.content.decode()
    assert "is not held as possible spam" in second.content.decode()
    intake_request.refresh_from_db()
    assert intake_request.quarantined_at is None
    assert intake_request.held_link_secret == ""
    assert kinds(intake_request) == ["new_request", "partner_link", "receipt"]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "jordan@example.com",
        "jordan@example.com",
        "office@practice.example",
    ]
    (link_mail,) = [m for m in mailoutbox if token in m.body]
    assert link_mail.to == ["jordan@example.com"]
    released = AccessRecord.objects.filter(action=AccessRecord.Action.RELEASE)
    assert list(released.values_list("reference", "username")) == [
        (intake_request.reference, "clinician")
    ]
    assert queue(clinician_client) == [intake_request.reference]


def test_release_sends_no_link_that_stopped_working_meanwhile(
    client, clinician, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, django_capture_on_commit_callbacks, wants_link_emailed="on")
    intake_request = latest_request()
    PartnerInvitation.objects.update(revoked_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_release(intake_request=intake_request, by=clinician)

    assert kinds(intake_request) == ["new_request", "receipt"]


def test_release_without_a_safe_email_tells_the_practice_only(
    clinician_client, mailoutbox, django_capture_on_commit_callbacks
):
    spam = held(is_email_ok=False)

    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.post(release_url(spam))

    assert kinds(spam) == ["new_request"]
    assert [m.to for m in mailoutbox] == [["office@practice.example"]]


def test_the_bulk_release_action_releases_only_held_requests(
    clinician_client, django_capture_on_commit_callbacks
):
    spam, other_spam, waiting = held(), held(), IntakeRequestFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(
            CHANGELIST + "?queue=spam",
            {"action": "release", "_selected_action": [spam.pk, other_spam.pk, waiting.pk]},
            follow=True,
        )

    assert "Released 2 requests into the queue" in response.content.decode()
    assert not IntakeRequest.objects.quarantined().exists()
    assert kinds(spam) == kinds(other_spam) == ["new_request", "receipt"]
    assert kinds(waiting) == []


def test_a_replacement_link_waits_for_the_release(clinician):
    spam = held(journey="couples")

    refusal = services.invitation_replacement_refusal(intake_request=spam)

    assert refusal and "possible spam" in refusal


# --- Delete -----------------------------------------------------------------------


def test_delete_asks_first_then_removes_the_request_and_what_hangs_off_it(
    clinician_client, django_capture_on_commit_callbacks
):
    invitation = PartnerInvitationFactory(intake_request=held(journey="couples"))
    spam = invitation.intake_request

    asked = clinician_client.get(discard_url(spam))
    assert asked.status_code == 200
    assert IntakeRequest.objects.filter(pk=spam.pk).exists()
    response = clinician_client.post(discard_url(spam), follow=True)

    assert f"{spam.reference} is deleted" in response.content.decode()
    assert not IntakeRequest.objects.filter(pk=spam.pk).exists()
    assert not PartnerInvitation.objects.exists()
    assert not Notification.objects.exists()
    deleted = AccessRecord.objects.filter(action=AccessRecord.Action.DISCARD)
    assert list(deleted.values_list("reference", flat=True)) == [spam.reference]


def test_a_request_in_the_queue_is_never_deleted_as_spam(clinician_client):
    waiting = IntakeRequestFactory()

    page = clinician_client.get(discard_url(waiting)).content.decode()
    clinician_client.post(discard_url(waiting))

    assert "cannot be deleted here" in page
    assert IntakeRequest.objects.filter(pk=waiting.pk).exists()
    assert not AccessRecord.objects.filter(action=AccessRecord.Action.DISCARD).exists()


def test_editors_may_neither_release_nor_delete(editor_client):
    spam = held()

    assert editor_client.post(release_url(spam)).status_code == 403
    assert editor_client.post(discard_url(spam)).status_code == 403
    assert IntakeRequest.objects.get().quarantined_at is not None


def test_deleting_twice_deletes_once(clinician):
    spam = held()

    assert staff.request_discard(intake_request=spam, by=clinician)
    assert not staff.request_discard(intake_request=spam, by=clinician)


# --- The purge --------------------------------------------------------------------


def purge(*args):
    out = StringIO()
    call_command("purge_requests", *args, stdout=out)
    return out.getvalue()


def test_held_requests_are_purged_after_the_quarantine_period_and_not_before(settings):
    settings.INTAKE_QUARANTINE_DAYS = 30
    now = timezone.now()
    old = IntakeRequestFactory(quarantined_at=now - timedelta(days=31))
    PartnerInvitationFactory(
        intake_request=IntakeRequestFactory(
            journey="couples", quarantined_at=now - timedelta(days=30, minutes=1)
        )
    )
    recent = IntakeRequestFactory(quarantined_at=now - timedelta(days=29))
    released_long_ago = IntakeRequestFactory(created_at=now - timedelta(days=90))

    output = purge()

    assert old.reference in output
    assert set(IntakeRequest.objects.values_list("pk", flat=True)) == {
        recent.pk,
        released_long_ago.pk,
    }
    assert not PartnerInvitation.objects.exists()


def test_the_quarantine_period_is_a_setting(settings):
    settings.INTAKE_QUARANTINE_DAYS = 5
    spam = IntakeRequestFactory(quarantined_at=timezone.now() - timedelta(days=6))

    assert staff.requests_purge(dry_run=True) == [spam.reference]
    settings.INTAKE_QUARANTINE_DAYS = 7
    assert staff.requests_purge() == []
