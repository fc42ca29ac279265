"""A request remembers the language it was sent in: staff see it, and the
requester's emails go out in it; the practice's own stay in English."""

import pytest
from django.urls import reverse
from django.utils import translation

from intake.emails import notification_email
from intake.models import Notification
from tests.factories import IntakeRequestFactory
from tests.intake.journeys import latest_request, send_request

pytestmark = pytest.mark.django_db


def test_a_request_sent_from_the_english_site_is_stored_as_english(client):
    send_request(client, "individual")
    assert latest_request().language == "en"


def _email(intake_request, kind):
    notification = Notification.objects.create(intake_request=intake_request, kind=kind)
    return notification_email(notification=notification)


def test_a_spanish_requesters_receipt_names_the_crisis_line_in_spanish(settings):
    settings.CRISIS_LINE_NAME_ES = "Línea 988 de Prevención del Suicidio y Crisis"
    receipt = _email(IntakeRequestFactory(language="es"), Notification.Kind.RECEIPT)
    assert "Línea 988 de Prevención del Suicidio y Crisis" in receipt.body
    assert "988 Suicide & Crisis Lifeline" not in receipt.body


def test_an_english_requesters_receipt_stays_english_whatever_page_sends_it():
    with translation.override("es"):
        receipt = _email(IntakeRequestFactory(language="en"), Notification.Kind.RECEIPT)
    assert "988 Suicide & Crisis Lifeline" in receipt.body


def test_the_practices_notification_of_a_spanish_request_is_in_english():
    intake_request = IntakeRequestFactory(language="es")
    with translation.override("es"):
        message = _email(intake_request, Notification.Kind.NEW_REQUEST)
    assert "/admin/intake/intakerequest/" in message.body
    assert "Línea" not in message.body


def test_staff_see_and_filter_by_the_language_of_a_request(clinician_client):
    spanish = IntakeRequestFactory(language="es")
    english = IntakeRequestFactory(language="en")
    changelist = reverse("admin:intake_intakerequest_changelist")
    html = clinician_client.get(changelist, {"language__exact": "es"}).content.decode()
    assert spanish.reference in html and english.reference not in html
    assert ">Individual (ES)<" in html
    page = clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[spanish.pk])
    ).content.decode()
    assert "Español" in page
