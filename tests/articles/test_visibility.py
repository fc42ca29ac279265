"""Drafts and scheduled articles: hidden from the public, previewed by staff."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

HIDDEN = [{"draft": True}, {"scheduled": True}]


@pytest.mark.parametrize("state", HIDDEN, ids=["draft", "scheduled"])
def test_unpublished_article_is_404_to_the_public(client, state):
    article = ArticleFactory(**state)
    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", HIDDEN, ids=["draft", "scheduled"])
def test_unpublished_article_is_absent_from_every_public_list(client, state):
    topic = TopicFactory(slug="eft")
    hidden = ArticleFactory(title="Hidden lighthouse", topics=[topic], **state)
    ArticleFactory(title="Visible lighthouse", topics=[topic], author=hidden.author)
    urls = [
        reverse("home"),
        reverse("articles:list"),
        reverse("articles:list") + "?q=lighthouse",
        reverse("articles:topic", kwargs={"slug": "eft"}),
        reverse("clinician", kwargs={"slug": hidden.author.slug}),
        reverse("articles:feed"),
        reverse("articles:atom"),
        reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": "articles"}),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "Visible lighthouse" in html or "/articles/article-" in html, url
        assert "Hidden lighthouse" not in html, url
        assert hidden.get_absolute_url() not in html, url


def test_scheduled_article_appears_once_its_time_comes(client):
    article = ArticleFactory(scheduled=True)
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(publish_at=article.publish_at.replace(year=2020))
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("state", HIDDEN, ids=["draft", "scheduled"])
def test_staff_preview_unpublished_article_with_a_banner_and_noindex(client, editor, state):
    article = ArticleFactory(title="Work in progress", **state)
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Work in progress" in html
    assert "Preview — not published" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_published_article_has_no_preview_banner_for_staff(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Preview — not published" not in html
    assert "noindex" not in html


def test_staff_without_the_view_permission_cannot_preview(client):
    user = get_user_model().objects.create_user("helper", password="x-long-password", is_staff=True)
    article = ArticleFactory(draft=True)
    client.force_login(user)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_logged_in_non_staff_user_cannot_preview(client):
    user = get_user_model().objects.create_user("reader", password="x-long-password")
    article = ArticleFactory(draft=True)
    client.force_login(user)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_drafts_stay_out_of_lists_even_for_staff(client, editor):
    ArticleFactory(title="Draft only", draft=True)
    client.force_login(editor)
    assert "Draft only" not in client.get(reverse("articles:list")).content.decode()
