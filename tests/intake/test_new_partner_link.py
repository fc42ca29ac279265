"""Staff issue a replacement partner link: the old one stops working, the new one
goes to the requester's own email address only, and nobody at the practice
ever sees it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from intake import services
from intake.models import AccessRecord, Notification, PartnerInvitation, hash_token
from tests.conftest import otp_login
from tests.factories import (
    IntakeRequestFactory,
    NotificationFactory,
    PartnerInvitationFactory,
    PartnerResponseFactory,
)
from tests.intake.journeys import couples_request_with_token, partner_url

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/request/partner/([\w-]+)/")


def new_link_url(intake_request):
    return reverse("admin:intake_intakerequest_replace_link", args=[intake_request.pk])


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """A couples request sent through the public form, its first link emailed
    to the requester; the outbox emptied after."""
    with django_capture_on_commit_callbacks(execute=True):
        intake_request, token = couples_request_with_token(Client(), wants_link_emailed="on")
    mailoutbox.clear()
    return intake_request, token


def replace(staff_client, intake_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return staff_client.post(new_link_url(intake_request), follow=True)


def test_a_replacement_link_goes_to_the_requester_only_and_the_old_one_stops(
    clinician_client, clinician, sent, mailoutbox, django_capture_on_commit_callbacks
):
    intake_request, old_token = sent

    response = replace(clinician_client, intake_request, django_capture_on_commit_callbacks)

    assert "is on its way to the requester" in response.content.decode()
    (email,) = mailoutbox
    assert email.to == [intake_request.email]
    assert "no longer works" in email.body
    assert email.message()["Auto-Submitted"] == "auto-generated"
    new_token = LINK.search(email.body).group(1)
    assert new_token != old_token
    public = Client()
    assert public.get(partner_url(old_token)).status_code == 404
    assert public.get(partner_url(new_token)).status_code == 200
    assert PartnerInvitation.objects.get().token_hash == hash_token(new_token)
    record = AccessRecord.objects.get(action=AccessRecord.Action.REPLACE_LINK)
    assert (record.username, record.reference) == ("clinician", intake_request.reference)


def test_the_new_token_appears_on_no_staff_page_and_in_no_stored_field(
    admin_client, sent, mailoutbox, django_capture_on_commit_callbacks
):
    intake_request, _old = sent
    replace(admin_client, intake_request, django_capture_on_commit_callbacks)
    new_token = LINK.search(mailoutbox[0].body).group(1)
    invitation = PartnerInvitation.objects.get()
    notification = Notification.objects.get(kind=Notification.Kind.NEW_PARTNER_LINK)

    pages = [
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk]),
        reverse("admin:intake_intakerequest_changelist"),
        reverse("admin:intake_intakerequest_history", args=[intake_request.pk]),
        new_link_url(intake_request),
        reverse("admin:intake_partnerinvitation_changelist"),
        reverse("admin:intake_partnerinvitation_change", args=[invitation.pk]),
        reverse("admin:intake_notification_changelist"),
        reverse("admin:intake_notification_change", args=[notification.pk]),
        reverse("admin:intake_accessrecord_changelist"),
    ]
    for page in pages:
        html = admin_client.get(page).content.decode()
        assert new_token not in html, page
        assert invitation.token_hash not in html, page
    # The outbox kept it only until it was sent.
    assert notification.sent_at and notification.secret == ""
    stored = [
        *AccessRecord.objects.values_list(),
        *Notification.objects.values_list(),
        *PartnerInvitation.objects.values_list(),
    ]
    assert new_token not in str(stored)


def test_the_page_asks_first_and_sends_nothing_until_confirmed(clinician_client, sent, mailoutbox):
    intake_request, old_token = sent

    page = clinician_client.get(new_link_url(intake_request))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Yes, send a new link to the requester" in html
    assert "you will not see it" in html
    assert mailoutbox == []
    assert Client().get(partner_url(old_token)).status_code == 200


def test_the_requests_page_offers_the_button_to_those_who_may_use_it(
    clinician_client, sent, make_staff
):
    intake_request, _token = sent
    change = reverse("admin:intake_intakerequest_change", args=[intake_request.pk])

    offered = clinician_client.get(change).content.decode()
    reader = otp_login(Client(), make_staff("reader", perms=["intake.view_intakerequest"]))
    not_offered = reader.get(change).content.decode()

    assert new_link_url(intake_request) in offered
    assert "Issue a replacement link" in offered
    assert new_link_url(intake_request) not in not_offered
    assert reader.post(new_link_url(intake_request)).status_code == 403


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        (lambda: IntakeRequestFactory(), "Only couples requests have a partner link."),
        (
            lambda: IntakeRequestFactory(journey="couples", is_safety_flagged=True),
            "flagged for safety follow-up",
        ),
        (lambda: PartnerResponseFactory().intake_request, "The partner has answered already."),
        (
            lambda: (
                PartnerInvitationFactory(
                    intake_request=IntakeRequestFactory(journey="couples", is_email_ok=False)
                ).intake_request
            ),
            "no email address that is safe to use",
        ),
        (
            lambda: (
                PartnerInvitationFactory(
                    intake_request=IntakeRequestFactory(journey="couples", email="")
                ).intake_request
            ),
            "no email address that is safe to use",
        ),
    ],
    ids=["individual", "safety follow-up", "answered", "email not safe", "no email"],
)
def test_no_new_link_when_it_must_not_or_cannot_be_sent(
    clinician_client, mailoutbox, django_capture_on_commit_callbacks, made, reason
):
    intake_request = made()
    before = list(PartnerInvitation.objects.values_list("token_hash", flat=True))

    page = clinician_client.get(new_link_url(intake_request)).content.decode()
    response = replace(clinician_client, intake_request, django_capture_on_commit_callbacks)
    change_page = clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk])
    ).content.decode()

    assert reason in page and "Yes, send a new link" not in page
    assert reason in response.content.decode()
    assert "Issue a replacement link" not in change_page
    assert mailoutbox == []
    assert list(PartnerInvitation.objects.values_list("token_hash", flat=True)) == before
    with pytest.raises(services.InvitationNotReplaceable, match=re.escape(reason)):
        services.invitation_replace(intake_request=intake_request)


def test_a_revoked_link_can_be_replaced(
    clinician_client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = PartnerInvitationFactory(revoked_at="2026-01-01T00:00:00Z")
    intake_request = invitation.intake_request

    replace(clinician_client, intake_request, django_capture_on_commit_callbacks)

    invitation.refresh_from_db()
    assert invitation.state == "active"
    new_token = LINK.search(mailoutbox[0].body).group(1)
    assert Client().get(partner_url(new_token)).status_code == 200


def test_an_unsent_email_with_the_old_link_is_never_sent(
    clinician_client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = PartnerInvitationFactory()
    intake_request = invitation.intake_request
    stale = NotificationFactory(
        intake_request=intake_request, kind=Notification.Kind.PARTNER_LINK, secret=invitation.token
    )

    replace(clinician_client, intake_request, django_capture_on_commit_callbacks)

    stale.refresh_from_db()
    assert stale.sent_at is None and stale.secret == ""
    assert [LINK.search(m.body).group(1) for m in mailoutbox] != [invitation.token]
    assert len(mailoutbox) == 1
    assert invitation.token not in mailoutbox[0].body
