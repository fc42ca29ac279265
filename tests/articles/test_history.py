"""Revisions in the admin: reading and reverting them needs the change permission,
and reverting follows the same publish rules as the change page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import admin_form_data
from tests.articles.conftest import make_staff
from tests.conftest import otp_login
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician_client(client):
    """A member of Clinicians: articles are theirs to read, not to change."""
    user = make_staff("clinician", [])
    user.groups.add(Group.objects.get(name="Clinicians"))
    return otp_login(client, user)


def history_urls(article):
    first = article.history.earliest("history_date")
    return {
        "history": reverse("admin:articles_article_history", args=[article.pk]),
        "version": reverse(
            "admin:articles_article_simple_history", args=[article.pk, first.history_id]
        ),
    }


def edited(article, title):
    """The article after an edit, so that it has an earlier version to go back to."""
    article.title = title
    article.save()
    return article


def test_a_view_only_clinician_cannot_change_a_draft_through_its_history(clinician_client):
    draft = edited(ArticleFactory(draft=True, title="First"), "Second")
    url = history_urls(draft)["version"]

    response = clinician_client.post(url, admin_form_data(draft, title="Forged by a reader"))

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Second"
    assert draft.history.count() == 2


def test_a_view_only_clinician_cannot_open_history_pages(clinician_client):
    draft = edited(ArticleFactory(draft=True, title="First"), "Second")

    statuses = {
        name: clinician_client.get(url).status_code for name, url in history_urls(draft).items()
    }

    assert statuses == {"history": 403, "version": 403}


def test_a_writer_cannot_revert_a_published_article(writer_client):
    article = edited(ArticleFactory(title="First"), "Second")
    url = history_urls(article)["version"]

    page = writer_client.get(url)
    attempt = writer_client.post(url, admin_form_data(article, title="First"))

    assert page.status_code == attempt.status_code == 403
    article.refresh_from_db()
    assert article.title == "Second"
    assert article.status == Article.Status.PUBLISHED


def test_a_writer_reverting_a_draft_to_a_published_version_keeps_it_a_draft(writer_client):
    article = ArticleFactory(title="Published once")
    article.status = Article.Status.DRAFT
    article.title = "Now a draft"
    article.save()
    url = history_urls(article)["version"]

    response = writer_client.post(
        url, admin_form_data(article, title="Published once", status="published")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Published once"
    assert article.status == Article.Status.DRAFT


def test_an_editor_reverts_an_article_to_an_earlier_version(editor_client):
    article = edited(ArticleFactory(title="First"), "Second")
    url = history_urls(article)["version"]

    page = editor_client.get(url)
    response = editor_client.post(url, admin_form_data(article, title="First"))

    assert page.status_code == 200
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "First"
    assert editor_client.get(history_urls(article)["history"]).status_code == 200


def test_a_view_only_clinician_cannot_change_a_clinicians_profile_through_its_history(
    clinician_client,
):
    author = AuthorFactory(name="Ruth Lindqvist")
    author.credentials = "LMFT, PhD"
    author.save()
    first = author.history.earliest("history_date")
    url = reverse("admin:articles_author_simple_history", args=[author.pk, first.history_id])

    page = clinician_client.get(url)
    attempt = clinician_client.post(
        url, {"name": "Forged by a reader", "slug": author.slug, "credentials": "none"}
    )

    assert page.status_code == attempt.status_code == 403
    author.refresh_from_db()
    assert (author.name, author.credentials) == ("Ruth Lindqvist", "LMFT, PhD")
