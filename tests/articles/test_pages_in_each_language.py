"""The practice's own pages in each language: the Spanish site shows the Spanish
page, or, until an editor has published one, the English page marked as English
with a note in Spanish; editors keep both in the admin like any page."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from articles.models import Page
from tests.articles.admin_forms import page_form
from tests.articles.conftest import make_staff
from tests.conftest import otp_login
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

NOT_TRANSLATED = "Todavía no hemos traducido esta página al español"


def es(name):
    with translation.override("es"):
        return reverse(name)


def html_of(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def page_editor():
    return make_staff(
        "page-editor",
        ["add_page", "change_page", "view_page", "publish_page", "view_article"],
    )


def test_the_spanish_site_shows_the_spanish_page(client):
    PageFactory(kind="fees", body="A couples session is $230.")
    PageFactory(
        kind="fees", language="es", title="Tarifas y seguros", body="Una sesión de pareja: $230."
    )

    spanish = html_of(client.get("/es/fees/"))
    english = html_of(client.get("/fees/"))

    assert "<h1>Tarifas y seguros</h1>" in spanish
    assert "Una sesión de pareja" in spanish and "A couples session" not in spanish
    assert NOT_TRANSLATED not in spanish
    assert ' lang="en"' not in spanish.split('<main id="main"', 1)[1].split("</main>")[0]
    assert "A couples session" in english and "Una sesión" not in english


def test_without_a_spanish_page_the_english_one_is_shown_marked_as_english(client):
    PageFactory(
        kind="privacy",
        title="Privacy",
        summary="What this website keeps.",
        # Long enough for a table of contents.
        body="## What it collects\n\nNothing about you.\n\n## How long\n\n"
        + "Not long at all. " * 300,
    )

    response = client.get("/es/privacy/")
    html = html_of(response)
    main = html.split('<main id="main"', 1)[1].split("</main>")[0]

    assert response.status_code == 200
    assert '<html lang="es">' in html
    # Said first, in Spanish, and outside the English text.
    assert main.index(NOT_TRANSLATED) < main.index("<h1")
    assert '<h1 lang="en">Privacy</h1>' in main
    assert '<p class="lede" lang="en">What this website keeps.</p>' in main
    assert re.search(r'<div class="prose" lang="en">\s*<h2 id="what-it-collects"', main)
    # The table of contents' entries are English too; its heading is Spanish.
    assert '<ol lang="en">' in main and "En esta página" in main
    # The crumb and the browser tab name the page in Spanish, at its Spanish address.
    assert 'href="http://testserver/es/privacy/" aria-current="page">Privacidad</a>' in main
    assert "<title>Privacidad · " in html
    # Search engines are pointed at the English page, whose text this is.
    assert '<link rel="canonical" href="http://testserver/privacy/">' in html
    assert '<link rel="alternate" hreflang=' not in html


def test_the_english_site_never_shows_the_spanish_page(client):
    PageFactory(kind="contact", language="es", title="Contacto y cómo llegar")
    assert client.get("/contact/").status_code == 404
    assert client.get("/es/contact/").status_code == 200


@pytest.mark.parametrize("kind", ["fees", "privacy", "accessibility", "contact"])
def test_a_page_written_in_neither_language_is_404_on_both_sites(client, kind):
    assert client.get(reverse(kind)).status_code == 404
    assert client.get(es(kind)).status_code == 404


def test_a_spanish_draft_is_not_shown_to_the_public_who_get_the_english_page(client):
    PageFactory(kind="fees", body="A couples session is $230.")
    PageFactory(kind="fees", language="es", status=Page.Status.DRAFT, body="Borrador de tarifas.")

    html = html_of(client.get("/es/fees/"))

    assert "Borrador" not in html
    assert "A couples session is $230." in html and NOT_TRANSLATED in html


def test_a_spanish_draft_without_an_english_page_is_404_to_the_public(client):
    PageFactory(kind="fees", language="es", status=Page.Status.DRAFT, body="Borrador.")
    assert client.get("/es/fees/").status_code == 404


def test_staff_preview_the_spanish_draft_at_its_spanish_address(client, page_editor):
    PageFactory(kind="fees", body="A couples session is $230.")
    PageFactory(kind="fees", language="es", status=Page.Status.DRAFT, body="Borrador de tarifas.")
    otp_login(client, page_editor)

    response = client.get("/es/fees/")
    html = html_of(response)

    assert "Borrador de tarifas." in html and NOT_TRANSLATED not in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]


def test_pages_in_both_languages_name_each_other_and_the_switcher_leads_there(client):
    PageFactory(kind="accessibility", title="Accessibility")
    PageFactory(kind="accessibility", language="es", title="Accesibilidad")

    english = html_of(client.get("/accessibility/"))
    spanish = html_of(client.get("/es/accessibility/"))

    for html in (english, spanish):
        assert (
            '<link rel="alternate" hreflang="en" href="http://testserver/accessibility/">' in html
        )
        assert (
            '<link rel="alternate" hreflang="es" href="http://testserver/es/accessibility/">'
            in html
        )
    assert 'href="/es/accessibility/" hreflang="es" lang="es">Español</a>' in english
    assert 'href="/accessibility/" hreflang="en" lang="en">English</a>' in spanish
    assert '<link rel="canonical" href="http://testserver/es/accessibility/">' in spanish


def test_the_switcher_leads_to_the_english_page_shown_in_spanish_and_home_where_none(client):
    PageFactory(kind="fees")
    assert 'href="/es/fees/" hreflang="es"' in html_of(client.get("/fees/"))

    PageFactory(kind="contact", language="es", title="Contacto")
    # No English contact page: the English site's home instead of a 404.
    assert 'href="/" hreflang="en"' in html_of(client.get("/es/contact/"))


def test_placeholders_are_filled_in_the_language_of_the_page(client, settings):
    settings.CRISIS_LINE_NAME = "988 Suicide & Crisis Lifeline"
    settings.CRISIS_LINE_NAME_ES = "Línea 988"
    settings.INTAKE_RETENTION_DAYS = 90
    body = (
        "Keep [[intake_retention_days]] days; call the [[crisis_line]]; "
        "we answer [[response_time]]."
    )
    PageFactory(kind="privacy", body=body)
    PageFactory(kind="privacy", language="es", body=body)
    PageFactory(kind="contact", body=body)

    spanish = html_of(client.get("/es/privacy/"))
    english_shown_in_spanish = html_of(client.get("/es/contact/"))

    assert "Keep 90 days" in spanish
    assert "Línea 988" in spanish and settings.PRACTICE_RESPONSE_TIME_ES in spanish
    # An English text keeps English values, on the Spanish site too.
    assert "988 Suicide &amp; Crisis Lifeline" in english_shown_in_spanish
    assert settings.PRACTICE_RESPONSE_TIME in english_shown_in_spanish
    assert "[[" not in spanish + english_shown_in_spanish


# --- The admin ----------------------------------------------------------------


def test_editors_add_a_spanish_page_beside_the_english_one(
    client, page_editor, django_capture_on_commit_callbacks
):
    english = PageFactory(kind="fees")
    visitor = Client()
    assert NOT_TRANSLATED in html_of(visitor.get("/es/fees/"))  # and in the page cache
    otp_login(client, page_editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_page_add"),
            page_form(english, language="es", title="Tarifas", body="Una sesión: $230."),
        )

    assert response.status_code == 302
    spanish = Page.objects.get(kind="fees", language="es")
    assert spanish.title == "Tarifas" and spanish.history.count() == 1
    html = html_of(visitor.get("/es/fees/"))
    assert "Una sesión: $230." in html and NOT_TRANSLATED not in html


def test_a_second_page_of_the_same_kind_and_language_is_refused(client, page_editor):
    english = PageFactory(kind="fees")
    otp_login(client, page_editor)

    response = client.post(reverse("admin:articles_page_add"), page_form(english, title="Again"))

    assert response.status_code == 200
    assert "Page with this Kind and Language already exists." in html_of(response)
    assert Page.objects.filter(kind="fees").count() == 1


def test_editors_see_and_filter_pages_by_language(client, page_editor):
    PageFactory(kind="fees", title="What sessions cost")
    PageFactory(kind="fees", language="es", title="Lo que cuestan las sesiones")
    otp_login(client, page_editor)
    changelist = reverse("admin:articles_page_changelist")

    everything = html_of(client.get(changelist))
    spanish = html_of(client.get(changelist, {"language__exact": "es"}))

    assert '<td class="field-language">Español</td>' in everything
    assert "Lo que cuestan las sesiones" in spanish and "What sessions cost" not in spanish


def test_the_preview_link_of_a_spanish_page_opens_it_on_the_spanish_site(client, page_editor):
    spanish = PageFactory(kind="fees", language="es", status=Page.Status.DRAFT)
    otp_login(client, page_editor)
    html = html_of(client.get(reverse("admin:articles_page_change", args=[spanish.pk])))
    assert re.search(r'<a class="button" href="/es/fees/"[^>]*>Preview on the site', html)


def test_a_writer_without_the_publish_permission_cannot_publish_a_spanish_page(client):
    writer = make_staff("page-writer", ["add_page", "change_page", "view_page"])
    otp_login(client, writer)
    english = PageFactory(kind="fees")

    response = client.post(
        reverse("admin:articles_page_add"),
        page_form(english, language="es", status="published", body="Tarifas."),
    )

    assert response.status_code == 302
    assert Page.objects.get(kind="fees", language="es").status == Page.Status.DRAFT
    assert "Tarifas." not in html_of(Client().get("/es/fees/"))


def test_the_history_of_a_spanish_page_lists_its_own_revisions(client, page_editor):
    english = PageFactory(kind="fees", body="English text.")
    spanish = PageFactory(kind="fees", language="es", body="Primera versión.")
    otp_login(client, page_editor)
    client.post(
        reverse("admin:articles_page_change", args=[spanish.pk]),
        page_form(spanish, body="Segunda versión."),
    )

    history = client.get(reverse("admin:articles_page_history", args=[spanish.pk]))

    assert history.status_code == 200
    assert [v.body for v in spanish.history.order_by("history_date")] == [
        "Primera versión.",
        "Segunda versión.",
    ]
    assert english.history.count() == 1


def test_the_editors_role_keeps_pages_in_both_languages(client):
    from django.contrib.auth.models import Group

    editor = make_staff("role-editor", [])
    editor.groups.add(Group.objects.get(name="Editors"))
    english = PageFactory(kind="privacy")
    otp_login(client, editor)

    response = client.post(
        reverse("admin:articles_page_add"),
        page_form(english, language="es", title="Privacidad", body="Aviso."),
    )

    assert response.status_code == 302
    assert Page.objects.get(kind="privacy", language="es").status == Page.Status.PUBLISHED


# --- The demo content -------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)


def test_the_demo_has_every_page_in_spanish(client, demo):
    for kind in Page.Kind.values:
        response = client.get(es(kind))
        html = html_of(response)
        assert response.status_code == 200, kind
        assert NOT_TRANSLATED not in html, kind
        assert ' lang="en"' not in html.split('<main id="main"', 1)[1].split("</main>")[0], kind


def test_the_spanish_fees_page_keeps_the_good_faith_estimate_notice(client, demo):
    html = html_of(client.get(es("fees")))
    for text in [
        "Estimación de Buena Fe",
        "Ley Sin Sorpresas",
        "por escrito",
        "pedir una estimación en cualquier momento",
        "no es un contrato",
        "$400 o más",
        "120 días naturales",
        "www.cms.gov/nosurprises",
        "1-800-985-3059",
        "48 horas",
    ]:
        assert text in html, text


def test_the_spanish_privacy_notice_says_what_the_english_one_says_about_data(
    client, demo, settings
):
    settings.INTAKE_RETENTION_DAYS = 90
    settings.INTAKE_INVITATION_DAYS = 21
    settings.INTAKE_QUARANTINE_DAYS = 17
    html = html_of(client.get(es("privacy")))
    for text in [
        "ESTE AVISO DESCRIBE CÓMO SE PUEDE USAR Y DIVULGAR SU INFORMACIÓN MÉDICA",
        "El sitio no pone cookies a quien lo lee, no usa analítica ni ningún tipo de rastreo",
        "no guarda lo que usted escribe en los formularios",
        "se guarda cifrado en nuestra base de datos",
        # Attribution: the article whose button was pressed, only then, nothing else.
        "el último artículo en el que pulsó ese botón, y solo si lo pulsó",
        "No se usa ninguna cookie ni identificador para esto",
        "no se guarda nada sobre lo demás que haya leído y no se envía nada a nadie",
        "aparece solo como “menos de 5”",
        "nunca ve qué solicitud vino de qué artículo",
        "deja de funcionar a los 21 días",
        "se borra 90 días después",
        "se borra a los 17 días si no la aceptamos",
        "solo un número de referencia",
    ]:
        assert text in html, text
    assert "[[" not in html


def test_the_spanish_contact_page_links_to_the_spanish_form(client, demo, settings):
    html = html_of(client.get(es("contact")))
    assert f'href="{es("intake:request")}"' in html
    assert "Cómo encontrarnos" in html and "Lunes a jueves: 9 a.m. a 7 p.m." in html
    assert settings.PRACTICE_RESPONSE_TIME_ES in html
