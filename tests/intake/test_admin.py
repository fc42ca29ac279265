import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import AccessRecord, IntakeRequest, Note, PartnerInvitation
from tests.conftest import otp_login
from tests.factories import (
    IntakeRequestFactory,
    NoteFactory,
    NotificationFactory,
    PartnerInvitationFactory,
    PartnerResponseFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_intakerequest_changelist")


def change_url(intake_request):
    return reverse("admin:intake_intakerequest_change", args=[intake_request.pk])


def change_form_data(response, **overrides):
    """What the browser would post back from a change page, with some fields changed."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, value in management.initial.items():
            data[f"{inline.formset.prefix}-{name}"] = value
    return data | overrides


def action(client, name, *requests):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [r.pk for r in requests]},
    )


# --- The changelist -------------------------------------------------------------


def test_changelist_shows_the_triage_columns_with_flags_in_words(admin_client, admin_user):
    urgent = IntakeRequestFactory(is_urgent=True, assigned_to=admin_user)
    couples = IntakeRequestFactory(journey="couples", is_safety_flagged=True)
    PartnerResponseFactory(intake_request=couples)

    response = admin_client.get(CHANGELIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert urgent.reference in content
    assert couples.reference in content
    assert "<strong>Urgent</strong>" in content
    assert "<strong>Safety follow-up</strong>" in content
    assert "I haven&#x27;t asked my partner yet" in content
    assert "admin" in content  # the assigned clinician


def test_changelist_never_shows_what_people_wrote_or_notes(admin_client):
    intake_request = IntakeRequestFactory(concerns="My secret worry about drinking")
    NoteFactory(intake_request=intake_request, body="Clinician's private impression")

    content = admin_client.get(CHANGELIST).content.decode()

    assert "secret worry" not in content
    assert "private impression" not in content


def test_changelist_query_count_does_not_grow_with_rows(admin_client, admin_user):
    def add_requests(count):
        for i in range(count):
            intake_request = IntakeRequestFactory(
                journey="couples" if i % 2 else "individual",
                assigned_to=admin_user if i % 3 else None,
            )
            if i % 2:
                PartnerInvitationFactory(intake_request=intake_request)

    add_requests(5)
    with CaptureQueriesContext(connection) as five_rows:
        assert admin_client.get(CHANGELIST).status_code == 200
    add_requests(45)

    with CaptureQueriesContext(connection) as fifty_rows:
        response = admin_client.get(CHANGELIST)

    assert response.context["cl"].result_count == 50
    assert len(fifty_rows) == len(five_rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "closed"}, {"closed"}),
        ({"is_urgent__exact": "1"}, {"urgent"}),
        ({"journey__exact": "couples"}, {"couples"}),
        ({"q": "robin@example.org"}, {"searched"}),
    ],
)
def test_changelist_filters_and_search(admin_client, query, expected):
    made = {
        "closed": IntakeRequestFactory(status="closed"),
        "urgent": IntakeRequestFactory(is_urgent=True),
        "couples": IntakeRequestFactory(journey="couples"),
        "searched": IntakeRequestFactory(email="robin@example.org"),
    }

    response = admin_client.get(CHANGELIST, query)

    shown = {r.pk for r in response.context["cl"].result_list}
    assert shown == {made[name].pk for name in expected}


def test_requests_cannot_be_added_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:intake_intakerequest_add"))

    assert response.status_code == 403


# --- The change page ------------------------------------------------------------


def test_change_page_shows_decrypted_answers_and_private_answers_as_labels(admin_client):
    intake_request = IntakeRequestFactory(
        journey="couples",
        concerns="We stopped talking after the move.",
        partner_safety="prefer_not",
        in_crisis="yes",
        is_urgent=True,
        is_safety_flagged=True,
    )

    content = admin_client.get(change_url(intake_request)).content.decode()

    assert "We stopped talking after the move." in content
    assert "I&#x27;d prefer not to say" in content
    assert "What they&#x27;d like help with" in content
    assert "Private answers" in content
    assert "Weekday evenings" in content
    assert "Start individual sessions now" in content


def test_change_page_shows_the_partner_link_state_and_the_partner_answers(admin_client):
    intake_request = IntakeRequestFactory(journey="couples")
    response_ = PartnerResponseFactory(
        intake_request=intake_request, answer="questions", message="Can we talk first about cost?"
    )

    content = admin_client.get(change_url(intake_request)).content.decode()

    assert "Answered on" in content
    assert "I have questions first: please contact me" in content
    assert "Can we talk first about cost?" in content
    assert response_.invitation.token_hash not in content


def test_change_page_shows_an_active_link_and_its_expiry(admin_client):
    intake_request = IntakeRequestFactory(journey="couples")
    invitation = PartnerInvitationFactory(intake_request=intake_request)

    content = admin_client.get(change_url(intake_request)).content.decode()

    assert "Active: works until" in content
    assert invitation.token_hash not in content
    assert "Revoke partner link" in content


def test_only_status_and_assignment_can_be_changed(admin_client, clinician):
    intake_request = IntakeRequestFactory(name="Sam Rivera")
    page = admin_client.get(change_url(intake_request))

    response = admin_client.post(
        change_url(intake_request),
        change_form_data(page, status="in_review", assigned_to=clinician.pk, name="Someone Else"),
    )

    assert response.status_code == 302
    intake_request.refresh_from_db()
    assert intake_request.status == "in_review"
    assert intake_request.assigned_to == clinician
    assert intake_request.name == "Sam Rivera"


def test_closing_in_the_change_form_sets_closed_at_and_reopening_clears_it(admin_client):
    intake_request = IntakeRequestFactory()
    page = admin_client.get(change_url(intake_request))

    admin_client.post(change_url(intake_request), change_form_data(page, status="closed"))
    intake_request.refresh_from_db()
    assert intake_request.status == "closed"
    assert intake_request.closed_at is not None

    page = admin_client.get(change_url(intake_request))
    admin_client.post(change_url(intake_request), change_form_data(page, status="in_review"))
    intake_request.refresh_from_db()
    assert intake_request.closed_at is None


def test_a_note_gets_its_author_and_time_from_whoever_saves_it(clinician_client, clinician):
    intake_request = IntakeRequestFactory()
    earlier = NoteFactory(intake_request=intake_request, body="First call: no answer.")
    page = clinician_client.get(change_url(intake_request))
    prefix = next(
        i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is Note
    )

    response = clinician_client.post(
        change_url(intake_request),
        change_form_data(
            page,
            **{
                f"{prefix}-1-body": "Spoke briefly; prefers evenings.",
                # An attempt to rewrite an existing note is ignored.
                f"{prefix}-0-id": earlier.pk,
                f"{prefix}-0-body": "Rewritten",
            },
        ),
    )

    assert response.status_code == 302
    notes = list(intake_request.notes.order_by("pk"))
    assert [n.body for n in notes] == ["First call: no answer.", "Spoke briefly; prefers evenings."]
    assert notes[1].author == clinician
    assert timezone.now() - notes[1].created_at < timedelta(minutes=1)


def test_existing_notes_show_read_only(clinician_client):
    intake_request = IntakeRequestFactory()
    NoteFactory(intake_request=intake_request, body="Left a discreet message.")

    content = clinician_client.get(change_url(intake_request)).content.decode()

    assert "Left a discreet message." in content
    assert "Left a discreet message.</textarea>" not in content
    assert "When saved" in content  # the form for a new note


# --- Actions ----------------------------------------------------------------------


def test_assign_to_me(clinician_client, clinician):
    first, second = IntakeRequestFactory(), IntakeRequestFactory()

    action(clinician_client, "assign_to_me", first, second)

    assert set(IntakeRequest.objects.values_list("assigned_to", flat=True)) == {clinician.pk}


def test_mark_contacted_and_close(clinician_client):
    intake_request = IntakeRequestFactory()

    action(clinician_client, "mark_contacted", intake_request)
    intake_request.refresh_from_db()
    assert intake_request.status == "contacted"

    action(clinician_client, "close", intake_request)
    intake_request.refresh_from_db()
    assert intake_request.status == "closed"
    assert intake_request.closed_at is not None


def test_export_is_a_csv_of_triage_facts_only(admin_client, admin_user):
    admin_user.first_name, admin_user.last_name = "Dana", "Lee"
    admin_user.save()
    intake_request = IntakeRequestFactory(
        journey="couples",
        is_urgent=True,
        assigned_to=admin_user,
        concerns="Private words",
        partner_safety="yes",
    )

    response = action(admin_client, "export_csv", intake_request)

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Reference", "Received", "Journey", "Partner readiness", "Status"]
    assert rows[1][0] == intake_request.reference
    assert "Couples sessions" in rows[1]
    assert "Dana Lee" in rows[1]
    assert "Private words" not in response.content.decode()
    assert "Alex" not in response.content.decode()


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_cells_a_spreadsheet_would_run(admin_client, prefix):
    intake_request = IntakeRequestFactory(region=f"{prefix}HYPERLINK(1)")

    response = action(admin_client, "export_csv", intake_request)

    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert f"'{prefix}HYPERLINK(1)" in rows[1]


def test_export_needs_its_own_permission(client, make_staff):
    intake_request = IntakeRequestFactory()
    otp_login(client, make_staff("no-export", role="Clinicians"))

    changelist = client.get(CHANGELIST)
    response = action(client, "export_csv", intake_request)

    assert "export_csv" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert not AccessRecord.objects.filter(action="export").exists()


def test_export_with_the_permission(client, make_staff):
    intake_request = IntakeRequestFactory()
    otp_login(
        client, make_staff("manager", role="Clinicians", perms=["intake.export_intakerequest"])
    )

    response = action(client, "export_csv", intake_request)

    assert response["Content-Type"].startswith("text/csv")


# --- Revoking a partner link ----------------------------------------------------


def test_revoking_from_the_change_page_asks_then_revokes(clinician_client, clinician):
    intake_request = IntakeRequestFactory(journey="couples")
    invitation = PartnerInvitationFactory(intake_request=intake_request)
    url = reverse("admin:intake_intakerequest_revoke", args=[intake_request.pk])

    confirmation = clinician_client.get(url)
    invitation.refresh_from_db()
    assert confirmation.status_code == 200
    assert invitation.revoked_at is None

    response = clinician_client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert invitation.revoked_by == clinician
    assert AccessRecord.objects.filter(
        action="revoke", reference=intake_request.reference, user=clinician
    ).exists()
    page = clinician_client.get(change_url(intake_request)).content.decode()
    assert "Revoked on" in page
    assert "Revoke partner link</a>" not in page


def test_revoke_action_on_the_changelist(clinician_client):
    first, second = IntakeRequestFactory(journey="couples"), IntakeRequestFactory(journey="couples")
    PartnerInvitationFactory(intake_request=first)
    PartnerInvitationFactory(intake_request=second)

    action(clinician_client, "revoke_partner_links", first, second)

    states = {i.state for i in PartnerInvitation.objects.filter(intake_request__in=[first, second])}
    assert states == {"revoked"}


def test_a_request_without_a_partner_link_has_nothing_to_revoke(admin_client):
    intake_request = IntakeRequestFactory()

    page = admin_client.get(change_url(intake_request)).content.decode()
    response = admin_client.get(
        reverse("admin:intake_intakerequest_revoke", args=[intake_request.pk])
    )

    assert "Revoke partner link</a>" not in page
    assert response.status_code == 404


# --- Notifications --------------------------------------------------------------


def test_notifications_list_unsent_first(admin_client):
    intake_request = IntakeRequestFactory()
    sent = NotificationFactory(
        intake_request=intake_request, kind="receipt", sent_at=timezone.now(), attempts=1
    )
    unsent = NotificationFactory(
        intake_request=intake_request, kind="new_request", attempts=3, last_error="SMTPException"
    )

    response = admin_client.get(reverse("admin:intake_notification_changelist"))
    only_unsent = admin_client.get(reverse("admin:intake_notification_changelist"), {"sent": "no"})

    assert [n.pk for n in response.context["cl"].result_list] == [unsent.pk, sent.pk]
    assert [n.pk for n in only_unsent.context["cl"].result_list] == [unsent.pk]
    assert "SMTPException" in response.content.decode()


def test_notifications_are_read_only(admin_client):
    notification = NotificationFactory(intake_request=IntakeRequestFactory(), kind="new_request")
    url = reverse("admin:intake_notification_change", args=[notification.pk])

    response = admin_client.post(url, {"attempts": 0})

    assert response.status_code == 403
    assert admin_client.get(reverse("admin:intake_notification_add")).status_code == 403


def test_retry_sending_now_sends_an_unsent_notification(admin_client, mailoutbox):
    notification = NotificationFactory(
        intake_request=IntakeRequestFactory(),
        kind="new_request",
        attempts=2,
        last_error="SMTPException",
    )

    admin_client.post(
        reverse("admin:intake_notification_changelist"),
        {"action": "retry_now", "_selected_action": [notification.pk]},
    )

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert len(mailoutbox) == 1


def test_partner_invitations_never_show_the_token_hash(admin_client):
    invitation = PartnerInvitationFactory(intake_request=IntakeRequestFactory(journey="couples"))

    listing = admin_client.get(reverse("admin:intake_partnerinvitation_changelist"))
    detail = admin_client.get(
        reverse("admin:intake_partnerinvitation_change", args=[invitation.pk])
    )

    assert listing.status_code == detail.status_code == 200
    assert invitation.token_hash not in listing.content.decode()
    assert invitation.token_hash not in detail.content.decode()
