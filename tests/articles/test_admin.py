"""The editors' side: list, search, actions, the publish permission and revisions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import admin_form_data
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_article_list_shows_status_author_and_whether_it_is_live(editor_client):
    ArticleFactory(title="Live one")
    ArticleFactory(title="Scheduled one", scheduled=True)
    ArticleFactory(title="Draft one", draft=True)
    html = editor_client.get(CHANGELIST).content.decode()
    for text in ["Live one", "Scheduled one", "Draft one", "Live", "Scheduled", "Draft"]:
        assert text in html
    assert "Clinician" in html  # the author column


def test_article_list_can_be_searched_and_filtered(editor_client):
    eft = TopicFactory(name="EFT")
    ArticleFactory(title="About the cycle", body="The pursue and withdraw cycle.", topics=[eft])
    ArticleFactory(title="About first sessions", draft=True)
    searched = editor_client.get(CHANGELIST, {"q": "withdraw"}).content.decode()
    assert "About the cycle" in searched and "About first sessions" not in searched
    drafts = editor_client.get(CHANGELIST, {"status__exact": "draft"}).content.decode()
    assert "About first sessions" in drafts and "About the cycle" not in drafts
    by_topic = editor_client.get(CHANGELIST, {"topics__id__exact": eft.pk}).content.decode()
    assert "About the cycle" in by_topic and "About first sessions" not in by_topic


def test_article_form_prefills_the_slug_and_previews_the_body(editor_client):
    article = ArticleFactory(body="## A heading\n\n<script>alert(1)</script>Text")
    html = editor_client.get(change_url(article)).content.decode()
    assert "prepopulated" in html
    assert '<div class="article-preview"><h2 id="a-heading">A heading</h2>' in html
    assert "<script>alert(1)" not in html
    assert "View on site" in html


def test_editor_can_publish_a_new_article(editor_client):
    author = AuthorFactory()
    article = ArticleFactory.build(author=author, status=Article.Status.PUBLISHED)
    response = editor_client.post(ADD, admin_form_data(article, topics=[]))
    assert response.status_code == 302
    saved = Article.objects.get(slug=article.slug)
    assert saved.status == Article.Status.PUBLISHED


def test_writer_without_publish_permission_saves_a_draft_even_when_forging_the_status(
    writer_client,
):
    author = AuthorFactory()
    article = ArticleFactory.build(author=author, status=Article.Status.PUBLISHED)
    form = writer_client.get(ADD).content.decode()
    assert 'name="status"' not in form
    response = writer_client.post(ADD, admin_form_data(article, topics=[]))
    assert response.status_code == 302
    saved = Article.objects.get(slug=article.slug)
    assert saved.status == Article.Status.DRAFT
    assert writer_client.get(saved.get_absolute_url()).status_code == 200  # preview
    assert "Preview — not published" in writer_client.get(saved.get_absolute_url()).content.decode()


def test_writer_can_edit_a_draft_but_not_publish_it(writer_client):
    draft = ArticleFactory(draft=True, title="Draft")
    response = writer_client.post(
        change_url(draft), admin_form_data(draft, title="Better draft", status="published")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Better draft"
    assert draft.status == Article.Status.DRAFT


def test_writer_cannot_change_a_published_article(writer_client):
    article = ArticleFactory(title="Live")
    response = writer_client.post(change_url(article), admin_form_data(article, title="Changed"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Live"
    # They may still read it.
    assert writer_client.get(change_url(article)).status_code == 200


def test_writer_is_not_offered_the_publishing_actions(writer_client):
    ArticleFactory(draft=True)
    html = writer_client.get(CHANGELIST).content.decode()
    assert "Publish now" not in html
    assert "Back to draft" not in html


def test_writer_cannot_run_a_publishing_action_by_forging_the_post(writer_client):
    draft = ArticleFactory(draft=True)
    writer_client.post(CHANGELIST, {"action": "publish_now", ACTION_CHECKBOX_NAME: [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_publish_now_makes_drafts_and_scheduled_articles_live(editor_client):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    live = ArticleFactory()
    live_since = live.publish_at
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_now", ACTION_CHECKBOX_NAME: [draft.pk, scheduled.pk, live.pk]},
        follow=True,
    )
    assert "2 articles published." in response.content.decode()
    for article in (draft, scheduled, live):
        article.refresh_from_db()
        assert article.visibility == "live"
    assert live.publish_at == live_since
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


def test_back_to_draft_takes_an_article_off_the_site(editor_client, client):
    article = ArticleFactory()
    editor_client.post(CHANGELIST, {"action": "back_to_draft", ACTION_CHECKBOX_NAME: [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    from django.test import Client

    assert Client().get(article.get_absolute_url()).status_code == 404


def test_revisions_are_kept_and_listed_in_the_admin(editor_client):
    article = ArticleFactory(title="First version")
    editor_client.post(change_url(article), admin_form_data(article, title="Second version"))
    assert article.history.count() == 2
    history = editor_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    ).content.decode()
    assert "editor" in history  # who made the change


def test_topic_and_author_admins_prefill_slugs_and_search(editor_client, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_topic", "add_author"])
    )
    AuthorFactory(name="Ruth Lindqvist")
    assert "prepopulated" in editor_client.get(reverse("admin:articles_topic_add")).content.decode()
    assert (
        "prepopulated" in editor_client.get(reverse("admin:articles_author_add")).content.decode()
    )
    found = editor_client.get(reverse("admin:articles_author_changelist"), {"q": "Lindqvist"})
    assert "Ruth Lindqvist" in found.content.decode()
