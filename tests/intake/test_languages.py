"""A request remembers the language it was sent in: staff see it, and the
requester's emails go out in it; the practice's own stay in English."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from intake.emails import notification_email
from intake.models import Notification
from tests.conftest import otp_login
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


def test_the_csv_export_names_each_requests_language(client, make_staff):
    exporter = make_staff("exporter", role="Clinicians", perms=["intake.export_intakerequest"])
    otp_login(client, exporter)
    spanish = IntakeRequestFactory(language="es")
    english = IntakeRequestFactory(language="en")

    response = client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "export_csv", "_selected_action": [spanish.pk, english.pk]},
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    # The new column comes last: the columns of older exports keep their places.
    assert list(rows[0])[-1] == "Language"
    assert list(rows[0])[:3] == ["Reference", "Received", "Journey"]
    assert {row["Reference"]: row["Language"] for row in rows} == {
        spanish.reference: "Español",
        english.reference: "English",
    }


@pytest.mark.parametrize(("language", "shown"), [("es", "Español"), ("en", "English")])
def test_a_requests_page_shows_its_language_among_the_sessions_facts(
    clinician_client, language, shown
):
    intake_request = IntakeRequestFactory(language=language)
    html = clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk])
    ).content.decode()
    row = html.split('class="form-row field-language"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "Language:" in row and f'<div class="readonly">{shown}</div>' in row
