"""Articles and caches: the article page's validators, and every change made
through the admin reaching visitors at once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from articles.models import Article
from tests.articles.admin_forms import admin_form_data
from tests.conftest import otp_login
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    topic = TopicFactory(slug="eft")
    author = AuthorFactory(slug="maya")
    return ArticleFactory(slug="an-article", title="First title", topics=[topic], author=author)


def test_article_page_sends_etag_and_last_modified(client, content):
    response = client.get(content.get_absolute_url())
    assert response["ETag"]
    assert response["Last-Modified"] == http_date(
        max(content.updated_at, content.publish_at).timestamp()
    )


def skip_page_cache(client, settings):
    """Make the client look like a visitor with a session, whom the page cache ignores."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"


@pytest.mark.parametrize("from_cache", [False, True], ids=["rendered", "cached"])
def test_article_revalidation_with_a_matching_etag_answers_304(
    client, settings, content, from_cache
):
    etag = client.get(content.get_absolute_url())["ETag"]
    if not from_cache:
        skip_page_cache(client, settings)
    response = client.get(content.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_article_revalidation_with_if_modified_since_answers_304(client, settings, content):
    last_modified = client.get(content.get_absolute_url())["Last-Modified"]
    skip_page_cache(client, settings)
    response = client.get(content.get_absolute_url(), headers={"if-modified-since": last_modified})
    assert response.status_code == 304


def test_an_edited_article_no_longer_matches_the_old_etag(client, settings, content):
    etag = client.get(content.get_absolute_url())["ETag"]
    content.title = "Second title"
    content.save()
    skip_page_cache(client, settings)
    response = client.get(content.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Second title" in response.content.decode()


def test_visitors_with_a_session_are_not_served_or_cached(client, content, editor):
    url = content.get_absolute_url()
    client.force_login(editor)
    client.get(url)
    Article.objects.filter(pk=content.pk).update(title="Changed quietly")
    assert "Changed quietly" in client.get(url).content.decode()
    # Nor was the staff member's page stored for the public.
    assert "Changed quietly" in Client().get(url).content.decode()


def test_staff_preview_is_never_cached(client, editor):
    draft = ArticleFactory(draft=True, title="Secret draft")
    client.force_login(editor)
    client.get(draft.get_absolute_url())
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_an_edit_through_the_admin_shows_up_at_once(
    client, content, editor, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "First title" in visitor.get(content.get_absolute_url()).content.decode()
    assert "First title" in visitor.get(reverse("home")).content.decode()

    otp_login(client, editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_change", args=[content.pk]),
            admin_form_data(content, title="Second title"),
        )

    assert "Second title" in visitor.get(content.get_absolute_url()).content.decode()
    assert "Second title" in visitor.get(reverse("home")).content.decode()


def test_renaming_a_topic_through_the_admin_shows_up_at_once(
    client, content, editor, django_capture_on_commit_callbacks
):
    editor.user_permissions.add(*permissions("change_topic"))
    visitor = Client()
    topic = content.topics.get()
    assert topic.name in visitor.get(reverse("articles:list")).content.decode()
    otp_login(client, editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_topic_change", args=[topic.pk]),
            {"name": "Emotionally Focused Therapy", "slug": "eft", "description": ""},
        )
    assert response.status_code == 302
    assert "Emotionally Focused Therapy" in visitor.get(reverse("articles:list")).content.decode()


def permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)


def test_an_admin_action_shows_up_at_once(
    client, content, editor, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "First title" in visitor.get(reverse("articles:list")).content.decode()
    otp_login(client, editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "back_to_draft", ACTION_CHECKBOX_NAME: [content.pk]},
        )
    assert "First title" not in visitor.get(reverse("articles:list")).content.decode()


def test_deleting_through_the_admin_shows_up_at_once(
    client, content, editor, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert visitor.get(content.get_absolute_url()).status_code == 200
    otp_login(client, editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_article_delete", args=[content.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert visitor.get(content.get_absolute_url()).status_code == 404
