"""Articles have a language: each site lists only its own, and an article may
name its translation, linked both ways."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from tests.articles.admin_forms import admin_form_data
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

ENGLISH_TITLE = "Fighting without wounding each other"
SPANISH_TITLE = "Pelear sin herirnos"


@pytest.fixture
def both():
    topic = TopicFactory(slug="communication", name="Communication", name_es="Comunicación")
    english = ArticleFactory(title=ENGLISH_TITLE, slug="fighting", topics=[topic])
    spanish = ArticleFactory(
        title=SPANISH_TITLE, slug="pelear-sin-herirnos", language="es", topics=[topic]
    )
    return english, spanish


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("articles:list"),
        reverse("articles:topic", kwargs={"slug": "communication"}),
        reverse("articles:feed"),
        reverse("articles:list") + "?q=pelear",
    ],
)
def test_the_english_site_lists_no_spanish_article(client, both, url):
    html = client.get(url).content.decode()
    assert SPANISH_TITLE not in html
    if "q=" not in url:
        assert ENGLISH_TITLE in html


def test_an_articles_neighbours_and_related_articles_are_in_its_language(client, both):
    english, _ = both
    html = client.get(english.get_absolute_url()).content.decode()
    assert SPANISH_TITLE not in html


def test_a_topic_has_its_spanish_name_in_spanish():
    topic = TopicFactory(name="Communication", name_es="Comunicación")
    untranslated = TopicFactory(name="Starting therapy")
    with translation.override("es"):
        assert topic.display_name == "Comunicación"
        assert untranslated.display_name == "Starting therapy"
    assert topic.display_name == "Communication"


def test_editors_link_a_translation_and_it_is_kept_both_ways(editor_client, both):
    english, spanish = both
    change = reverse("admin:articles_article_change", args=[english.pk])
    response = editor_client.post(change, admin_form_data(english, translation=spanish.pk))
    assert response.status_code == 302
    english.refresh_from_db()
    spanish.refresh_from_db()
    assert (english.translation, spanish.translation) == (spanish, english)

    # A new counterpart replaces the old one on both sides.
    other = ArticleFactory(language="es", slug="otra")
    response = editor_client.post(change, admin_form_data(english, translation=other.pk))
    assert response.status_code == 302
    english.refresh_from_db()
    spanish.refresh_from_db()
    other.refresh_from_db()
    assert (english.translation, other.translation, spanish.translation) == (other, english, None)


def test_a_translation_must_be_in_the_other_language(editor_client, both):
    english, _ = both
    another_english = ArticleFactory(slug="another")
    change = reverse("admin:articles_article_change", args=[english.pk])
    response = editor_client.post(change, admin_form_data(english, translation=another_english.pk))
    assert response.status_code == 200
    assert "Choose an article in the other language." in response.content.decode()
    english.refresh_from_db()
    assert english.translation is None


def test_editors_filter_articles_by_language(editor_client, both):
    html = editor_client.get(
        reverse("admin:articles_article_changelist"), {"language__exact": "es"}
    ).content.decode()
    assert SPANISH_TITLE in html and ENGLISH_TITLE not in html


def test_an_article_links_to_the_site_of_its_own_language(both):
    english, spanish = both
    assert Article.objects.get(pk=english.pk).language == "en"
    with translation.override("es"):
        assert english.get_absolute_url() == "/articles/fighting/"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Spanish stemming is PostgreSQL's configuration"
)
def test_spanish_articles_are_searched_with_spanish_word_forms(client):
    # "sesiones" and "sesión" are one word to Spanish stemming, two to English.
    # (Matched as typed: no spelling correction in between.)
    article = ArticleFactory(
        title="Qué pasa en la primera sesión", slug="primera-sesion", language="es"
    )
    with translation.override("es"):
        found = Article.objects.published().in_language().matching("sesiones")
        assert list(found) == [article]
    html = client.get("/es/articles/", {"q": "sesiones"}).content.decode()
    assert article.title in html


def test_the_spanish_search_finds_spanish_words_as_written(client, both):
    html = client.get("/es/articles/", {"q": "herirnos"}).content.decode()
    assert SPANISH_TITLE in html
    assert ENGLISH_TITLE not in client.get("/es/articles/", {"q": "fighting"}).content.decode()
