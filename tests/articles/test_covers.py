"""Cover images are resized at upload and offered in the size a reader needs."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from articles.services import article_cover_renditions_make
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(width=2000, height=1000):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 100, 96)).save(buffer, "PNG")
    return SimpleUploadedFile("harbor.png", buffer.getvalue(), content_type="image/png")


def test_cover_is_resized_to_each_width_in_webp_and_jpeg():
    article = ArticleFactory(published=True, cover_image=png(), cover_alt="A calm harbor")
    renditions = article_cover_renditions_make(article=article)

    assert [(r["width"], r["height"]) for r in renditions] == [
        (480, 240),
        (960, 480),
        (1440, 720),
    ]
    for rendition in renditions:
        with default_storage.open(rendition["webp"]) as f:
            assert Image.open(f).format == "WEBP"
        with default_storage.open(rendition["jpeg"]) as f:
            assert Image.open(f).format == "JPEG"
    assert Article.objects.get(pk=article.pk).cover_renditions == renditions


def test_small_cover_is_never_enlarged():
    article = ArticleFactory(published=True, cover_image=png(600, 400), cover_alt="A boat")
    renditions = article_cover_renditions_make(article=article)
    assert [(r["width"], r["height"]) for r in renditions] == [(480, 320), (600, 400)]


def test_article_page_offers_srcset_with_dimensions_and_a_webp_source(client):
    article = ArticleFactory(published=True, cover_image=png(), cover_alt="A calm harbor")
    article_cover_renditions_make(article=article)

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<source type="image/webp"' in html
    assert "480w" in html and "1440w" in html
    assert 'width="1440" height="720"' in html
    assert 'alt="A calm harbor"' in html
    # The cover is at the top of the page: not lazily loaded.
    assert 'loading="eager"' in html


def test_cards_load_covers_lazily(client):
    article = ArticleFactory(published=True, cover_image=png(), cover_alt="A calm harbor")
    article_cover_renditions_make(article=article)

    html = client.get(reverse("articles:list")).content.decode()

    assert 'loading="lazy"' in html
    assert 'width="1440" height="720"' in html


def test_uploading_a_cover_in_the_admin_makes_the_renditions(editor_client):
    author = AuthorFactory()
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Harbors",
            "slug": "harbors",
            "summary": "A short summary.",
            "body": "Some words.",
            "cover_image": png(),
            "cover_alt": "A calm harbor",
            "author": author.pk,
            "status": "draft",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "10:00:00",
            "cta_journey": "couples",
            "language": "en",
            "cta_readiness": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="harbors")
    assert [r["width"] for r in article.cover_renditions] == [480, 960, 1440]
