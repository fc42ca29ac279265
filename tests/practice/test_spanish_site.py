"""The Spanish site under /es/: the same pages, in Spanish, each cached apart
from its English twin; a switcher on every page, hreflang alternates, sitemaps
and feeds per language; a request sent there is stored and answered in Spanish."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from intake.models import IntakeRequest, Notification
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import couples_request_with_token, latest_request, request_post

pytestmark = pytest.mark.django_db

ENGLISH_TITLE = "Why the same fight keeps happening"
SPANISH_TITLE = "Pelear sin herirnos"
SPANISH_ONLY_TITLE = "Terapia individual o de pareja"


def es(name, **kwargs):
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def articles():
    topic = TopicFactory(slug="communication", name="Communication", name_es="Comunicación")
    english = ArticleFactory(title=ENGLISH_TITLE, slug="same-fight", topics=[topic])
    spanish = ArticleFactory(
        title=SPANISH_TITLE,
        slug="pelear-sin-herirnos",
        language="es",
        topics=[topic],
        translation=english,
    )
    english.translation = spanish
    english.save()
    alone = ArticleFactory(title=SPANISH_ONLY_TITLE, slug="individual-o-pareja", language="es")
    return english, spanish, alone


def html_of(response):
    return response.content.decode()


def test_es_serves_the_spanish_site(client, articles):
    response = client.get("/es/")
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    html = html_of(response)
    assert '<html lang="es">' in html
    assert SPANISH_TITLE in html and ENGLISH_TITLE not in html


def test_a_cached_page_is_never_served_for_the_other_language(client, articles):
    for _ in range(2):  # the second round comes from the page cache
        english, spanish = client.get("/articles/"), client.get("/es/articles/")
        assert '<html lang="en">' in html_of(english)
        assert ENGLISH_TITLE in html_of(english) and SPANISH_TITLE not in html_of(english)
        assert '<html lang="es">' in html_of(spanish)
        assert SPANISH_TITLE in html_of(spanish) and ENGLISH_TITLE not in html_of(spanish)


def test_a_spanish_speaking_browser_gets_english_at_the_english_address(client, articles):
    client.get("/es/")  # a Spanish page in the cache first
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200  # no redirect to /es/
    assert '<html lang="en">' in html_of(response)
    assert ENGLISH_TITLE in html_of(response)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/articles/", "/es/articles/"),
        ("/es/articles/", "/articles/"),
        ("/team/", "/es/team/"),
        ("/request/", "/es/request/"),
        ("/es/request/", "/request/"),
    ],
)
def test_the_switcher_leads_to_the_same_page_in_the_other_language(
    client, articles, path, expected
):
    html = html_of(client.get(path))
    other = "es" if expected.startswith("/es/") else "en"
    assert f'href="{expected}" hreflang="{other}" lang="{other}"' in html


def test_the_switcher_on_an_article_leads_to_its_translation_or_the_other_list(client, articles):
    english, spanish, alone = articles
    assert f'href="{spanish.get_absolute_url()}" hreflang="es"' in html_of(
        client.get(english.get_absolute_url())
    )
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in html_of(
        client.get(spanish.get_absolute_url())
    )
    assert 'href="/articles/" hreflang="en"' in html_of(client.get(alone.get_absolute_url()))


def test_hreflang_alternates_name_pages_that_exist_in_both_languages(client, articles):
    english, _spanish, alone = articles
    home = html_of(client.get("/"))
    assert '<link rel="alternate" hreflang="en" href="http://testserver/">' in home
    assert '<link rel="alternate" hreflang="es" href="http://testserver/es/">' in home
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/">' in home
    article = html_of(client.get(english.get_absolute_url()))
    assert 'hreflang="es" href="http://testserver/es/articles/pelear-sin-herirnos/"' in article
    untranslated = html_of(client.get(alone.get_absolute_url()))
    assert '<link rel="alternate" hreflang=' not in untranslated


def test_an_article_is_found_at_the_address_of_its_own_language(client, articles):
    english, spanish, _ = articles
    response = client.get("/es/articles/same-fight/")
    assert response.status_code == 302
    assert response["Location"] == "/articles/same-fight/"
    assert client.get("/articles/pelear-sin-herirnos/")["Location"] == spanish.get_absolute_url()


def test_each_language_has_its_own_feed(client, articles):
    english_feed, spanish_feed = (
        html_of(client.get("/articles/feed/")),
        html_of(client.get("/es/articles/feed/")),
    )
    assert ENGLISH_TITLE in english_feed and SPANISH_TITLE not in english_feed
    assert SPANISH_TITLE in spanish_feed and SPANISH_ONLY_TITLE in spanish_feed
    assert ENGLISH_TITLE not in spanish_feed
    assert "http://testserver/es/articles/pelear-sin-herirnos/" in spanish_feed


def test_the_sitemap_names_each_article_in_every_language_it_exists_in(client, articles):
    xml = html_of(client.get("/sitemap-articles.xml"))
    assert xml.count("<loc>http://testserver/articles/same-fight/</loc>") == 1
    assert xml.count("<loc>http://testserver/es/articles/pelear-sin-herirnos/</loc>") == 1
    assert (
        '<xhtml:link rel="alternate" hreflang="es" '
        'href="http://testserver/es/articles/pelear-sin-herirnos/"/>' in xml
    )
    assert "<loc>http://testserver/es/articles/individual-o-pareja/</loc>" in xml
    pages = html_of(client.get("/sitemap-pages.xml"))
    assert "<loc>http://testserver/es/</loc>" in pages
    assert 'hreflang="x-default" href="http://testserver/"' in pages


def test_the_spanish_topic_page_uses_the_spanish_name(client, articles):
    html = html_of(client.get("/es/articles/topic/communication/"))
    assert "<h1>Comunicación</h1>" in html
    assert SPANISH_TITLE in html and ENGLISH_TITLE not in html


def test_robots_keeps_crawlers_off_the_partner_pages_in_both_languages(client):
    text = html_of(client.get("/robots.txt"))
    assert "Disallow: /request/partner/" in text
    assert "Disallow: /es/request/partner/" in text


def test_a_request_sent_from_the_spanish_site_is_stored_and_answered_in_spanish(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://practice.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/es/request/",
            request_post("couples", wants_link_emailed="on"),
        )
    assert response.status_code == 302
    assert response["Location"] == "/es/request/done/"
    stored = latest_request()
    assert stored.language == "es"
    done = html_of(client.get("/es/request/done/"))
    assert '<html lang="es">' in done
    assert re.search(r"https?://testserver/es/request/partner/[\w-]{43}/", done)
    to_requester = [mail for mail in mailoutbox if mail.to == ["jordan@example.com"]]
    kinds = {n.kind for n in Notification.objects.filter(sent_at__isnull=False)}
    assert Notification.Kind.PARTNER_LINK in kinds
    link_mail = next(mail for mail in to_requester if "/request/partner/" in mail.body)
    assert "https://practice.example/es/request/partner/" in link_mail.body
    assert any(settings.CRISIS_LINE_NAME_ES in mail.body for mail in to_requester)
    # Written in Spanish (locale/es), not only with Spanish links.
    assert all(mail.body.startswith("Hola:") for mail in to_requester)
    assert not any("Hello," in mail.body for mail in to_requester)


def test_the_partner_link_works_under_es_and_its_switcher_keeps_each_partners_token(client):
    _, first = couples_request_with_token(client)
    _, second = couples_request_with_token(client, name="Sam Otherperson")
    for token in (first, second):
        english = f"/request/partner/{token}/"
        spanish = f"/es/request/partner/{token}/"
        page = client.get(spanish)
        assert page.status_code == 200
        assert '<html lang="es">' in html_of(page)
        assert f'href="{english}" hreflang="en"' in html_of(page)
        assert f'href="{spanish}" hreflang="es"' in html_of(client.get(english))
    assert IntakeRequest.objects.count() == 2
