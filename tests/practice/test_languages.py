"""The language of a page: the address alone chooses it (practice.middleware.
UrlLanguageMiddleware), and whatever keeps a rendered page keys it by language."""

import gettext
import os
import time

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from intake import skeleton
from practice.page_cache import PageCacheMiddleware, cache_public_page
from practice.translations import catalogs_compile

pytestmark = pytest.mark.django_db


def test_the_browser_and_cookies_never_choose_the_language_of_an_address(client):
    client.cookies["django_language"] = "es"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_admin_is_in_english_whatever_the_browser_asks(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "en"


def test_a_page_is_rendered_with_the_language_active_only_while_it_is_rendered(client):
    client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert translation.get_language() == "en"


def _language_page(request):
    return HttpResponse(translation.get_language())


def test_the_page_cache_never_serves_a_page_stored_in_another_language():
    middleware = PageCacheMiddleware(cache_public_page(_language_page))
    request = RequestFactory().get("/")
    # resolve() in the middleware would find the home page; the view here is
    # the one given to the middleware, so make the path's view public too.
    for language in ("en", "es", "en", "es"):
        with translation.override(language):
            assert middleware(request).content.decode() == language


def test_a_blank_form_is_kept_once_per_language():
    request = RequestFactory().get("/request/")
    pages = {}
    for language in ("en", "es", "en"):
        with translation.override(language):
            response = skeleton.blank_page(
                request, key=("languages-test",), render=translation.get_language
            )
            pages.setdefault(language, set()).add(response.content.decode())
    assert pages == {"en": {"en"}, "es": {"es"}}


CATALOG = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Request a session"
msgstr "Solicitar una sesión"

#, fuzzy
msgid "Our team"
msgstr "Un equipo adivinado"

msgctxt "a word"
msgid "May"
msgstr "Mayo"

msgid "one article"
msgid_plural "%(count)s articles"
msgstr[0] "un artículo"
msgstr[1] "%(count)s artículos"
"""


@pytest.fixture
def locale_dir(tmp_path):
    source = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    source.parent.mkdir(parents=True)
    source.write_text(CATALOG, encoding="utf-8")
    return tmp_path


def _read(compiled):
    with compiled.open("rb") as file:
        return gettext.GNUTranslations(file)


def test_catalogs_compile_without_gettext_tools_and_leave_guesses_out(locale_dir):
    written = catalogs_compile([locale_dir])
    compiled = locale_dir / "es" / "LC_MESSAGES" / "django.mo"
    assert written == [compiled]
    messages = _read(compiled)
    assert messages.gettext("Request a session") == "Solicitar una sesión"
    assert messages.pgettext("a word", "May") == "Mayo"
    assert messages.ngettext("one article", "%(count)s articles", 3) == "%(count)s artículos"
    # A fuzzy entry is a guess: the English stays.
    assert messages.gettext("Our team") == "Our team"


def test_catalogs_compile_again_only_when_their_source_changed(locale_dir):
    catalogs_compile([locale_dir])
    assert catalogs_compile([locale_dir]) == []
    source = locale_dir / "es" / "LC_MESSAGES" / "django.po"
    source.write_text(CATALOG.replace("Solicitar una sesión", "Pedir una cita"), encoding="utf-8")
    later = time.time() + 5
    os.utime(source, (later, later))
    assert len(catalogs_compile([locale_dir])) == 1
    compiled = locale_dir / "es" / "LC_MESSAGES" / "django.mo"
    assert _read(compiled).gettext("Request a session") == "Pedir una cita"


def test_a_stale_catalog_is_a_warning_until_the_command_compiles_it(locale_dir, settings):
    settings.LOCALE_PATHS = [locale_dir]
    warnings = [message.id for message in run_checks()]
    assert "practice.W030" in warnings
    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert "practice.W030" not in [message.id for message in run_checks()]
    assert (locale_dir / "es" / "LC_MESSAGES" / "django.mo").exists()
