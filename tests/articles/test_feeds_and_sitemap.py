import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Page
from articles.services import article_translation_link
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory, AuthorFactory, PageFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def articles():
    topic = TopicFactory(name="Communication", slug="communication")
    return {
        "live": ArticleFactory(title="Live article", summary="Read me.", topics=[topic]),
        "draft": ArticleFactory(title="Draft article", draft=True, topics=[topic]),
        "scheduled": ArticleFactory(title="Scheduled article", scheduled=True),
    }


def test_rss_feed_is_valid_xml_listing_only_published_articles(client, articles):
    response = client.get(reverse("articles:feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Live article"]
    item = items[0]
    assert item.findtext("link") == f"http://testserver{articles['live'].get_absolute_url()}"
    assert item.findtext("description") == "Read me."
    assert item.findtext("category") == "Communication"
    assert item.findtext("pubDate")


def test_atom_feed_is_valid_xml_listing_only_published_articles(client, articles):
    response = client.get(reverse("articles:atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Live article"]
    assert entries[0].findtext(f"{ATOM}updated")


def test_sitemap_index_points_to_each_section(client, articles):
    response = client.get(reverse("sitemap"))
    index = ET.fromstring(response.content)
    locations = [node.findtext(f"{SITEMAP}loc") for node in index.findall(f"{SITEMAP}sitemap")]
    assert locations == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-topics.xml",
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-practice.xml",
        "http://testserver/sitemap-team.xml",
    ]
    assert index.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod") is not None


def sitemap_urls(client, section):
    response = client.get(
        reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section})
    )
    assert response.status_code == 200
    return {
        node.findtext(f"{SITEMAP}loc"): node.findtext(f"{SITEMAP}lastmod")
        for node in ET.fromstring(response.content).findall(f"{SITEMAP}url")
    }


def test_sitemap_lists_only_published_articles_with_their_last_change(client, articles):
    urls = sitemap_urls(client, "articles")
    live = articles["live"]
    assert list(urls) == [f"http://testserver{live.get_absolute_url()}"]
    lastmod = urls[f"http://testserver{live.get_absolute_url()}"]
    assert lastmod == timezone.localdate(live.updated_at).isoformat()


def test_sitemap_lists_topics_with_published_articles_and_the_main_pages(client, articles):
    TopicFactory(slug="empty-topic")
    assert list(sitemap_urls(client, "topics")) == [
        "http://testserver/articles/topic/communication/"
    ]
    # Each main page in each language.
    assert list(sitemap_urls(client, "pages")) == [
        "http://testserver/",
        "http://testserver/es/",
        "http://testserver/articles/",
        "http://testserver/es/articles/",
    ]


def test_the_sitemap_index_counts_article_entries_without_building_them(client):
    # An article and its published translation make two <url> entries; an
    # article alone makes one.
    english = ArticleFactory(slug="pair-en", language="en")
    spanish = ArticleFactory(slug="pair-es", language="es", translation=english)
    article_translation_link(article=spanish)
    ArticleFactory.create_batch(3, language="en")
    sitemap = ArticleSitemap()
    entries = len(sitemap._items())

    with mock.patch.object(ArticleSitemap, "limit", 2):
        # The index asks only how many pages there are: that must not build
        # an entry per article (at 10,000 articles it cost 180 ms).
        with mock.patch.object(ArticleSitemap, "_items", side_effect=AssertionError):
            pages = ArticleSitemap().paginator.num_pages
        second_page = ArticleSitemap().paginator.page(2).object_list

    assert entries == 5
    assert pages == 3
    assert len(second_page) == 2
    index = client.get(reverse("sitemap")).content.decode()
    assert "http://testserver/sitemap-articles.xml" in index


@pytest.fixture
def translated_and_not():
    """Articles in every situation the sitemap meets: a live pair, an article
    whose translation is scheduled or a draft, articles in one language only."""
    pair_en = ArticleFactory(slug="pair-en", language="en")
    ArticleFactory(slug="pair-es", language="es", translation=pair_en)
    waiting_en = ArticleFactory(slug="waiting-en", language="en")
    ArticleFactory(slug="waiting-es", language="es", translation=waiting_en, scheduled=True)
    draft_en = ArticleFactory(slug="draft-en", language="en", draft=True)
    ArticleFactory(slug="alone-es-with-draft", language="es", translation=draft_en)
    ArticleFactory(slug="alone-es", language="es")
    ArticleFactory.create_batch(2, language="en")
    for article in Article.objects.exclude(translation=None):
        article_translation_link(article=article)


def test_the_sitemap_index_counts_exactly_the_entries_the_sitemap_lists(client, translated_and_not):
    listed = sitemap_urls(client, "articles")
    # The pair twice (each address once), every other live article once.
    assert len(listed) == 7
    assert "http://testserver/es/articles/pair-es/" in listed
    assert "http://testserver/es/articles/alone-es-with-draft/" in listed
    assert not any("waiting-es" in url or "draft-en" in url for url in listed)
    assert ArticleSitemap().pair_count() == 7
    with mock.patch.object(ArticleSitemap, "limit", 3):
        index = client.get(reverse("sitemap"), {"v": "3"}).content.decode()
        assert "sitemap-articles.xml?p=3</loc>" in index
        assert "sitemap-articles.xml?p=4</loc>" not in index


def test_the_sitemap_index_gives_the_newest_change_of_a_published_article(client):
    older = ArticleFactory(language="en")
    newer = ArticleFactory(language="es")
    Article.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=9))
    Article.objects.filter(pk=newer.pk).update(updated_at=timezone.now() - timedelta(days=2))
    ArticleFactory(draft=True)  # changed just now, but nobody can read it
    index = ET.fromstring(client.get(reverse("sitemap")).content)
    lastmod = index.find(f"{SITEMAP}sitemap/{SITEMAP}lastmod").text
    newer.refresh_from_db()
    assert datetime.fromisoformat(lastmod) == newer.updated_at


@pytest.mark.parametrize("count", [5, 40])
def test_the_sitemap_index_asks_the_database_four_times_however_many_articles(
    client, settings, django_assert_num_queries, translated_and_not, count
):
    ArticleFactory.create_batch(count, language="en")
    # A session cookie keeps the page cache out of it: the view answers.
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-has-ended"
    # The articles' entries and newest change together, then the topics, the
    # practice's pages (their count and newest change from the same rows) and
    # the clinicians: none of them grows with the articles.
    with django_assert_num_queries(4):
        response = client.get(reverse("sitemap"))
    assert response.status_code == 200


XHTML = "{http://www.w3.org/1999/xhtml}"


def sitemap_alternates(client, section):
    """{<loc>: {hreflang: href}} of a section, both languages' entries alike."""
    response = client.get(
        reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section})
    )
    assert response.status_code == 200
    return {
        node.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in node.findall(f"{XHTML}link")
        }
        for node in ET.fromstring(response.content).findall(f"{SITEMAP}url")
    }


def test_the_practice_pages_are_listed_in_the_languages_they_are_published_in(client):
    PageFactory(kind="fees")
    PageFactory(kind="fees", language="es", title="Tarifas")
    PageFactory(kind="privacy")
    PageFactory(kind="privacy", language="es", status=Page.Status.DRAFT)
    PageFactory(kind="contact", status=Page.Status.DRAFT)
    PageFactory(kind="contact", language="es")

    listed = sitemap_alternates(client, "practice")

    both = {
        "en": "http://testserver/fees/",
        "es": "http://testserver/es/fees/",
        "x-default": "http://testserver/fees/",
    }
    assert listed == {
        "http://testserver/fees/": both,
        "http://testserver/es/fees/": both,
        # The Spanish privacy page is a draft: /es/privacy/ shows the English
        # page, whose address alone is listed.
        "http://testserver/privacy/": {
            "en": "http://testserver/privacy/",
            "x-default": "http://testserver/privacy/",
        },
        "http://testserver/es/contact/": {"es": "http://testserver/es/contact/"},
    }


def test_a_practice_page_gives_its_newest_change_in_either_language(client):
    english = PageFactory(kind="fees")
    spanish = PageFactory(kind="fees", language="es")
    Page.objects.filter(pk=english.pk).update(updated_at=timezone.now() - timedelta(days=30))
    Page.objects.filter(pk=spanish.pk).update(updated_at=timezone.now() - timedelta(days=3))
    spanish.refresh_from_db()
    lastmods = set(sitemap_urls(client, "practice").values())
    assert lastmods == {timezone.localdate(spanish.updated_at).isoformat()}


def test_the_team_and_every_clinician_are_listed_in_both_languages(client):
    AuthorFactory(slug="maya", team_position=1)
    AuthorFactory(slug="daniel", team_position=2, bio_es="Daniel atiende en español.")

    listed = sitemap_alternates(client, "team")

    assert list(listed) == [
        "http://testserver/team/",
        "http://testserver/es/team/",
        "http://testserver/team/maya/",
        "http://testserver/es/team/maya/",
        "http://testserver/team/daniel/",
        "http://testserver/es/team/daniel/",
    ]
    assert listed["http://testserver/es/team/maya/"] == {
        "en": "http://testserver/team/maya/",
        "es": "http://testserver/es/team/maya/",
        "x-default": "http://testserver/team/maya/",
    }
