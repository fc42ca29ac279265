"""What a reader of the Spanish site gets: the forms, their mistakes, the error
pages and the requester's emails in Spanish, and the practice's own sentences
from their Spanish settings. (Every text being translatable and translated is
tests/test_translations.py's.)"""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from intake.emails import notification_email
from intake.forms import IntakeRequestForm
from intake.models import Notification
from practice.context_processors import practice
from practice.views import page_not_found, server_error
from tests.factories import IntakeRequestFactory


@pytest.mark.django_db
def test_the_request_form_asks_and_answers_mistakes_in_spanish():
    with translation.override("es"):
        form = IntakeRequestForm(data={"email": "not-an-address", "name": "Ana\u200b"})
        assert not form.is_valid()
        assert str(form.fields["journey"].label) == "¿Con qué le gustaría recibir ayuda?"
        assert form.errors["in_crisis"] == ["Por favor, díganos si corre peligro inmediato."]
        assert form.errors["email"] == ["Escriba un correo electrónico como nombre@ejemplo.com."]
        assert form.errors["name"][0].startswith("Su nombre contiene caracteres invisibles")
    # The same form in English, as before.
    form = IntakeRequestForm(data={})
    assert not form.is_valid()
    assert form.errors["in_crisis"] == ["Please answer whether you are in immediate danger."]


def test_an_error_page_is_spanish_without_a_database_or_a_session():
    request = RequestFactory().get("/es/no-such-page/")
    with translation.override("es"):
        not_found = page_not_found(request).content.decode()
        server = server_error(request).content.decode()
    assert "No encontramos esa página" in not_found
    assert "Algo salió mal de nuestra parte" in server
    assert "Si corre peligro, llame al" in server


def test_the_receipt_is_written_in_spanish():
    context = {
        "reference": "R-ABC123",
        "practice_name": "Harbor & Hearth",
        "practice_phone": "(555) 010-2040",
        "response_time": "en un plazo de dos días hábiles",
        "is_discreet": False,
        "crisis": {"emergency_number": "911", "line_name": "988", "line_text": "988"},
    }
    with translation.override("es"):
        subject = render_to_string("intake/email/receipt_subject.txt", context)
        body = render_to_string("intake/email/receipt.txt", context)
    assert subject.strip() == "Recibimos su solicitud (R-ABC123)"
    assert "Su número de referencia es R-ABC123." in body
    assert "Harbor & Hearth" in body  # plain text: nothing is escaped


@pytest.mark.django_db
def test_a_spanish_receipt_is_spanish_from_greeting_to_answer_time(settings):
    intake_request = IntakeRequestFactory(language="es", is_discreet_sender=False)
    notification = Notification.objects.create(
        intake_request=intake_request, kind=Notification.Kind.RECEIPT
    )
    receipt = notification_email(notification=notification)
    assert receipt.subject == f"Recibimos su solicitud ({intake_request.reference})"
    assert receipt.body.startswith("Hola:")
    assert f"Su número de referencia es {intake_request.reference}." in receipt.body
    assert f"nos comunicaremos con usted {settings.PRACTICE_RESPONSE_TIME_ES}," in receipt.body
    assert settings.PRACTICE_RESPONSE_TIME not in receipt.body


def test_the_practices_own_words_have_spanish_settings_that_fall_back_to_english(settings):
    request = RequestFactory().get("/")
    settings.PRACTICE_RESPONSE_TIME_ES = "en un plazo de un día hábil"
    settings.PRACTICE_TAGLINE_ES = ""
    with translation.override("es"):
        spanish = practice(request)["practice"]
    english = practice(request)["practice"]
    assert spanish["response_time"] == "en un plazo de un día hábil"
    assert spanish["tagline"] == settings.PRACTICE_TAGLINE  # empty: the English one
    assert english["response_time"] == settings.PRACTICE_RESPONSE_TIME


@pytest.mark.django_db
def test_the_crisis_line_in_the_middle_of_a_sentence_keeps_its_words_in_capitals(client):
    # 988 takes Spanish texts of AYUDA; the sentence lowers only its first letter.
    spanish = client.get("/es/request/").content.decode()
    english = client.get("/request/").content.decode()

    assert "llame al 988 y marque 2 para español, o envíe AYUDA por texto al 988" in spanish
    assert "if you are thinking of harming yourself, call or text 988, any time" in english
