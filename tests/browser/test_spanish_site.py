"""The Spanish site in Chromium: a reader switches to Spanish on the request
form and sends a request, with JavaScript and without; what is stored says it
was sent in Spanish. axe-core finds nothing serious on the Spanish pages.

The form is filled in by its fields' names, which are the same in both
languages, so this test does not depend on the Spanish wording.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from articles.models import Page
from intake.models import IntakeRequest
from tests.browser import steps
from tests.browser.test_accessibility import assert_no_serious_violations


def es(name, **kwargs):
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


def answer(page, name, value):
    # Force: some answers are cards drawn over their radio.
    page.locator(f'input[name="{name}"][value="{value}"]').check(force=True)


def fill_individual_request_by_names(page, journey="individual"):
    answer(page, "journey", journey)
    answer(page, "in_crisis", "no")
    if journey == "couples":
        page.locator('input[name="partner_first_name"]').fill("Alex")
        answer(page, "partner_readiness", "unsure")
        answer(page, "wants_now", "individual_now")
        answer(page, "partner_safety", "no")
        page.locator('input[name="agrees_confidentiality"]').check()
    answer(page, "is_adult", "yes")
    page.locator('input[name="name"]').fill(steps.NAME)
    page.locator('input[name="email"]').fill(steps.EMAIL)
    answer(page, "contact_methods", "email")
    answer(page, "session_format", "online")
    page.locator('input[name="online_location_confirmed"]').check()
    page.locator('select[name="region"]').select_option("Oregon")
    answer(page, "payment", "self_pay")
    page.locator('textarea[name="concerns"]').fill("Discutimos por lo mismo cada noche.")
    page.locator('input[name="consent"]').check()
    page.locator('input[name="acknowledges_not_emergency"]').check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_request_sent_from_the_spanish_form_is_stored_as_spanish(
    new_context, viewport, site, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("intake:request"))
    assert page.get_attribute("html", "lang") == "en"

    # The switcher is a plain link, named in its own language.
    page.get_by_role("link", name="Español", exact=True).click()
    expect(page).to_have_url(site + es("intake:request"))
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("link", name="English", exact=True)).to_have_attribute(
        "href", reverse("intake:request")
    )

    fill_individual_request_by_names(page)
    page.locator("form[data-intake-form] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/es/request/done/$"))
    assert page.get_attribute("html", "lang") == "es"
    shown = steps.reference(page)
    stored = IntakeRequest.objects.get()
    assert (stored.reference, stored.language, stored.journey) == (shown, "es", "individual")
    if javascript:
        assert_no_serious_violations(page)


SPANISH_PAGES = {
    "home": lambda: es("home"),
    "article list": lambda: es("articles:list"),
    "article": lambda: es("articles:detail", slug="pelear-sin-herirnos"),
    "translated article": lambda: es(
        "articles:detail", slug="cuando-mi-pareja-no-quiere-ir-a-terapia"
    ),
    "topic": lambda: es("articles:topic", slug="communication"),
    "search results": lambda: es("articles:list") + "?q=pareja",
    "request form": lambda: es("intake:request"),
    "team": lambda: es("team"),
    "clinician": lambda: es("clinician", slug="daniel-reyes"),
    "fees": lambda: es("fees"),
    "privacy": lambda: es("privacy"),
    "accessibility": lambda: es("accessibility"),
    "contact": lambda: es("contact"),
    "404": lambda: "/es/no-such-page/",
}


@pytest.mark.layout
@pytest.mark.parametrize("name", SPANISH_PAGES)
def test_spanish_page_has_no_serious_accessibility_violations(page, site, name):
    page.goto(site + SPANISH_PAGES[name]())
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("link", name="English", exact=True)).to_have_attribute("hreflang", "en")
    assert_no_serious_violations(page)


def test_an_article_switches_to_its_translation(page, site):
    page.goto(site + reverse("articles:detail", kwargs={"slug": "what-your-first-session-is-like"}))
    page.get_by_role("link", name="Español", exact=True).click()
    expect(page).to_have_url(site + es("articles:detail", slug="que-pasa-en-la-primera-sesion"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Qué pasa en la primera sesión de terapia"
    )


def test_the_spanish_partner_page_has_no_serious_accessibility_violations(page, site):
    page.goto(site + es("intake:request"))
    fill_individual_request_by_names(page, journey="couples")
    page.locator("form[data-intake-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/es/request/done/$"))
    link = page.locator("#partner-link").input_value()
    assert re.search(r"/es/request/partner/[\w-]{43}/$", link), link
    assert_no_serious_violations(page)

    page.goto(link)
    assert page.get_attribute("html", "lang") == "es"
    # The switcher keeps the partner on their own page, in English.
    english = page.get_by_role("link", name="English", exact=True)
    expect(english).to_have_attribute("href", link.split("/es", 1)[1])
    assert_no_serious_violations(page)
    # Something to read, in Spanish.
    expect(page.get_by_role("link", name=re.compile("Su pareja le pidió"))).to_have_count(1)


def assert_no_serious_violations_without_javascript(new_context, viewport, url):
    """axe is itself a script: it runs here in a browser that loads none of the
    page's own scripts, which shows the page as a reader without JavaScript
    gets it (these pages have no <noscript> content that would differ)."""
    context = new_context(viewport=viewport)
    context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    page.goto(url)
    assert_no_serious_violations(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    ("url_name", "english_heading", "spanish_heading"),
    [("privacy", "Privacy", "Privacidad"), ("team", "Our team", "Nuestro equipo")],
)
def test_a_reader_switches_to_the_spanish_page(
    new_context, viewport, site, javascript, url_name, english_heading, spanish_heading
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse(url_name))
    expect(page.get_by_role("heading", level=1)).to_have_text(english_heading)

    page.get_by_role("link", name="Español", exact=True).click()

    expect(page).to_have_url(site + es(url_name))
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text(spanish_heading)
    # Nothing on the page is marked as English: it is all written in Spanish.
    expect(page.locator('main [lang="en"]')).to_have_count(0)
    if javascript:
        assert_no_serious_violations(page)
    else:
        assert_no_serious_violations_without_javascript(new_context, viewport, page.url)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_page_not_yet_in_spanish_is_shown_in_english_and_says_so(
    new_context, viewport, site, javascript
):
    Page.objects.filter(kind=Page.Kind.PRIVACY, language="es").delete()
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + es("privacy"))

    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_text("Todavía no hemos traducido esta página al español")).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Privacy")
    expect(heading).to_have_attribute("lang", "en")
    expect(page.locator('.prose[lang="en"]')).to_contain_text("sets no cookies for readers")
    if javascript:
        assert_no_serious_violations(page)
    else:
        assert_no_serious_violations_without_javascript(new_context, viewport, page.url)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_search_is_kept_when_the_reader_switches_language(
    new_context, viewport, site, javascript
):
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + es("articles:list") + "?q=pareja&utm_source=boletin")

    page.get_by_role("link", name="English", exact=True).click()

    expect(page).to_have_url(site + reverse("articles:list") + "?q=pareja")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator('input[name="q"]')).to_have_value("pareja")
