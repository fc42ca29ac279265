"""What an editor needs without a developer: images in a text, anchors and a
table of contents, a large box to write in, and a preview one click away."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from articles.markdown import RESERVED_IDS, render
from articles.models import Article, ArticleImage
from articles.services import article_image_renditions_make
from tests.articles.admin_forms import admin_form_data
from tests.articles.test_covers import png
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def image():
    image = ArticleImage.objects.create(image=png(1600, 800), alt="Two mugs on a kitchen table")
    article_image_renditions_make(image=image)
    return image


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_an_uploaded_image_becomes_a_responsive_picture_with_its_description(client, image):
    article = ArticleFactory(body=f"Before.\n\n![]({image.markdown().split('(')[1]}\n\nAfter.")
    html = client.get(article.get_absolute_url()).content.decode()
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    assert re.search(r'<source [^>]*type="image/webp"', picture)
    assert "480w" in picture and "1440w" in picture
    assert 'width="1440"' in picture and 'height="720"' in picture
    assert 'alt="Two mugs on a kitchen table"' in picture
    assert 'loading="lazy"' in picture


def test_the_description_written_in_the_text_wins(image):
    html = render(f"![Mugs, still warm](image:{image.pk})").html
    assert 'alt="Mugs, still warm"' in html


def test_an_image_by_its_media_address_is_kept(image):
    html = render(f"![]({image.image.url})").html
    assert "<picture>" in html and 'alt="Two mugs on a kitchen table"' in html


def test_a_remote_image_is_refused_on_save_with_a_message(editor_client):
    article = ArticleFactory(draft=True)
    body = "Look:\n\n![A chart](https://tracker.example/chart.png)\n"
    response = editor_client.post(change_url(article), admin_form_data(article, body=body))
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not on this site and was left out" in html
    assert Article.objects.get(pk=article.pk).body != body


def test_an_image_without_a_description_is_refused_on_save(editor_client):
    article = ArticleFactory(draft=True)
    body = f"![]({django_settings.MEDIA_URL}covers/old.jpg)"
    response = editor_client.post(change_url(article), admin_form_data(article, body=body))
    assert response.status_code == 200
    assert "has no description" in response.content.decode()


def test_an_unknown_image_number_is_refused_on_save(editor_client):
    article = ArticleFactory(draft=True)
    response = editor_client.post(
        change_url(article), admin_form_data(article, body="![x](image:4040)")
    )
    assert response.status_code == 200
    assert "no uploaded image number 4040" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        "![A chart](https://tracker.example/chart.png)",
        '<img src="https://tracker.example/pixel.gif" alt="">',
        '<img src="//tracker.example/pixel.gif" alt="x">',
        '<img src="/media/ok.png" alt="x" srcset="https://tracker.example/a.png 2x">',
        '<picture><source srcset="https://tracker.example/a.webp"><img src="/media/a.png" '
        'alt="a"></picture>',
    ],
)
def test_a_remote_image_never_reaches_the_page_whatever_the_markup(body):
    article = ArticleFactory(body=body)
    assert "tracker.example" not in article.body_html
    assert "<p></p>" not in article.body_html


def test_the_image_admin_asks_for_a_description_and_gives_the_markdown(admin_client):
    add = reverse("admin:articles_articleimage_add")
    refused = admin_client.post(add, {"image": png(800, 400), "alt": ""})
    assert refused.status_code == 200
    assert not ArticleImage.objects.exists()

    response = admin_client.post(add, {"image": png(800, 400), "alt": "A harbor"}, follow=True)
    image = ArticleImage.objects.get()
    assert [r["width"] for r in image.renditions] == [480, 800]
    change = admin_client.get(reverse("admin:articles_articleimage_change", args=[image.pk]))
    assert f"![A harbor](image:{image.pk})" in change.content.decode()
    assert response.status_code == 200


def test_headings_get_stable_unique_anchors_that_never_collide_with_the_page():
    html = render("## Why it's hard\n\n## Repair\n\n## Repair\n\n### Main\n").html
    assert '<h2 id="why-its-hard">' in html
    assert '<h2 id="repair">' in html and '<h2 id="repair_1">' in html
    # "main" is the page's own <main id="main">.
    assert '<h3 id="main-section">' in html


def test_every_id_in_the_templates_is_reserved_from_headings():
    template_ids = set()
    for path in Path(django_settings.BASE_DIR, "templates").rglob("*.html"):
        template_ids.update(re.findall(r'\bid="([a-z][a-z0-9_-]*)"', path.read_text()))
    assert template_ids <= RESERVED_IDS


def test_a_long_article_gets_a_table_of_contents_and_a_short_one_does_not(client):
    paragraph = "word " * 300
    sections = "".join(
        f"## Part {n}\n\n{paragraph}\n\n### Detail {n}\n\nMore.\n\n" for n in range(5)
    )
    long = ArticleFactory(body=sections)
    short = ArticleFactory(body="## Part 1\n\nShort.\n\n## Part 2\n\nShort.\n")

    html = client.get(long.get_absolute_url()).content.decode()
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    assert '<a href="#part-0">Part 0</a>' in toc
    assert '<a href="#detail-4">Detail 4</a>' in toc
    assert "On this page" not in client.get(short.get_absolute_url()).content.decode()


def test_the_body_box_is_full_width_and_tall(editor_client):
    html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    textarea = re.search(r'<textarea name="body"[^>]*>', html).group(0)
    assert 'rows="30"' in textarea
    assert "markdown-editor" in textarea
    assert "css/admin.css" in html


def test_a_saved_draft_is_one_click_from_its_preview(editor_client):
    article = ArticleFactory(draft=True, title="Work in progress")
    html = editor_client.get(change_url(article)).content.decode()
    link = re.search(r'<a class="button" href="([^"]+)"[^>]*>Preview on the site', html)
    assert link.group(1) == article.get_absolute_url()

    preview = editor_client.get(link.group(1)).content.decode()
    assert "<h1>Work in progress</h1>" in preview
    assert "Preview — not published" in preview
    assert "Published <time" not in preview
    # The site's own template and stylesheet.
    assert 'href="/static/css/site.css"' in preview
