"""Searching the articles: what is found, in what order, and how much it costs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import search as article_search
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored search document is PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 index is SQLite's (development)"
)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def search(client, words):
    return client.get(reverse("articles:list"), {"q": words}).content.decode()


@pytest.mark.parametrize(
    "text",
    [
        {"title": "A lighthouse at night"},
        {"summary": "About a lighthouse."},
        {"body": "## Part one\n\nWe walked to the lighthouse.\n"},
    ],
    ids=["title", "summary", "body"],
)
def test_search_finds_an_article_by_its_title_summary_or_body(client, text):
    ArticleFactory(**{"title": "The found one", **text})
    ArticleFactory(title="Something else")
    html = search(client, "lighthouse")
    assert ("A lighthouse at night" if "title" in text else "The found one") in html
    assert "Something else" not in html
    assert "1 article found" in html


def test_search_ranks_a_title_match_above_a_summary_match_above_a_body_match(client):
    ArticleFactory(title="In the body", body="Thinking about a lighthouse.", publish_at=days_ago(1))
    ArticleFactory(title="In the summary", summary="A lighthouse.", publish_at=days_ago(2))
    ArticleFactory(title="A lighthouse in the title", publish_at=days_ago(3))
    html = search(client, "lighthouse")
    assert (
        html.index("A lighthouse in the title")
        < html.index("In the summary")
        < html.index("In the body")
    )


def test_search_with_more_matches_than_it_ranks_asks_for_more_words(client, monkeypatch):
    monkeypatch.setattr("articles.views.SEARCH_RESULTS_MAX", 3)
    for day in range(5):
        ArticleFactory(title=f"Lighthouse {day}", publish_at=days_ago(day + 1))
    html = search(client, "lighthouse")
    assert "More than 3 articles found" in html
    assert "Add words to your search" in html
    # The newest three are the ones ranked and shown.
    assert all(f"Lighthouse {day}<" in html for day in range(3))
    assert "Lighthouse 3<" not in html and "Lighthouse 4<" not in html


def test_search_with_no_more_matches_than_it_ranks_gives_the_count(client, monkeypatch):
    monkeypatch.setattr("articles.views.SEARCH_RESULTS_MAX", 3)
    for day in range(3):
        ArticleFactory(title=f"Lighthouse {day}", publish_at=days_ago(day + 1))
    html = search(client, "lighthouse")
    assert "3 articles found" in html
    assert "More than" not in html


def test_search_costs_the_same_queries_however_many_articles_match(
    client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("articles.views.SEARCH_RESULTS_MAX", 5)
    # Enough matches that no spelling check or partial matches are needed (FEW_RESULTS).
    for number in range(3):
        ArticleFactory(title=f"Lighthouse first {number}")
    client.get(reverse("articles:list"), {"q": "lighthouse"})  # the page cache's own look-ups
    # Each spelling is a page of its own in the page cache, so each is searched.
    with django_assert_num_queries(3) as few:
        client.get(reverse("articles:list"), {"q": "Lighthouse"})
    for number in range(12):
        ArticleFactory(title=f"Lighthouse {number}")
    # The ranked ids of the matches, the page of results, their topics.
    with django_assert_num_queries(len(few)):
        client.get(reverse("articles:list"), {"q": "LIGHTHOUSE"})


def test_the_search_follows_the_articles_text_however_it_is_written():
    article = ArticleFactory(title="A lighthouse at night")
    assert Article.objects.matching("lighthouse").get() == article
    article.title = "A harbour at dawn"
    article.save()
    assert not Article.objects.matching("lighthouse").exists()
    assert Article.objects.matching("harbour").get() == article
    # Kept by the database itself (a generated column, or SQLite's triggers), so
    # update(), bulk_create() and a bulk delete count too.
    Article.objects.filter(pk=article.pk).update(body="Gulls over the water.")
    assert Article.objects.matching("gull").get() == article
    new = ArticleFactory.build(title="Seals on the rocks", author=article.author)
    [made] = Article.objects.bulk_create([new])
    assert Article.objects.matching("seal").get().pk == made.pk
    Article.objects.filter(pk__in=[article.pk, made.pk]).delete()
    assert not Article.objects.matching("gull").exists()
    assert not Article.objects.matching("seal").exists()
    # A new article that takes a deleted one's place finds only its own words.
    fresh = ArticleFactory(title="Foxes in the snow")
    assert list(Article.objects.matching("fox")) == [fresh]
    assert not Article.objects.matching("gull").exists()


@sqlite_only
def test_sqlite_keeps_its_search_index_current_with_triggers():
    """SQLite drops a table's triggers when Django rebuilds it (an AlterField, or an
    AddField with a default). A migration that rebuilds articles_article must end
    with RunPython(articles.search_sqlite.install_triggers): see that module."""
    from articles import search_sqlite

    assert search_sqlite.triggers_installed(connection), (
        "The SQLite search triggers are missing: a migration rebuilt articles_article "
        "without running articles.search_sqlite.install_triggers afterwards."
    )


@postgresql_only
def test_the_stored_search_document_is_english_with_weights():
    article = ArticleFactory(title="Intensives", summary="For couples.", body="Weekly sessions.")
    stored = Article.objects.filter(pk=article.pk).values_list("search_document", flat=True).get()
    assert "'intens':1A" in stored and "'coupl':3B" in stored and "'week':4C" in stored
    # Every word is kept, small ones too (the search decides what to look for),
    # and accents do not count.
    assert "'for':2B" in stored
    article.body = "He says no to the café."
    article.save()
    stored = Article.objects.filter(pk=article.pk).values_list("search_document", flat=True).get()
    assert "'no':6C" in stored and "'cafe':9C" in stored


@postgresql_only
def test_a_spanish_articles_stored_search_document_is_spanish():
    article = ArticleFactory(
        title="Peleas", summary="Para parejas.", body="Sesiones semanales.", language="es"
    )
    stored = Article.objects.filter(pk=article.pk).values_list("search_document", flat=True).get()
    # Spanish stems, accents ignored, every word kept.
    assert "'pel':1A" in stored and "'par':2B" in stored and "'sesion':4C" in stored
    # Read in English, it would have been 'peleas'; a change of language remakes it.
    article.language = "en"
    article.save()
    stored = Article.objects.filter(pk=article.pk).values_list("search_document", flat=True).get()
    assert "'pelea':1A" in stored


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("  partner \x00 wont\tcome\n", "partner wont come"),
        ("therapy\ud800", "therapy?"),  # a lone surrogate cannot be encoded: replaced
        ("\u202etherapy\u200b", "therapy"),  # direction and zero-width marks
        ("ｔｈｅｒａｐｙ", "therapy"),  # full-width letters
        ("x" * 1000, "x" * 200),
    ],
)
def test_what_is_typed_is_cleaned_before_anything_reads_it(typed, shown):
    assert article_search.clean(typed) == shown


def test_a_search_is_parsed_into_terms_with_synonyms_phrases_and_a_prefix():
    query = article_search.parse('My husband WONT come to "couples intensive" or weekend')
    typed = [term.typed for term in query.terms]
    assert typed == ["husband", "won't", "come", "couples intensive"]
    husband, wont, _, phrase = query.terms
    assert "partner" in husband.variants and "wife" in husband.variants
    assert "refuse" in wont.variants
    # "or" joins the phrase and the next word into one term: either will do.
    assert phrase.is_phrase and phrase.variants == ("couples intensive", "weekend")
    assert query.terms[-1].prefix == ""  # the last word was joined to a phrase
    assert article_search.parse("how to bring up therap").terms[-1].prefix == "therap"
    assert article_search.parse("the a of").terms == ()


@pytest.mark.parametrize(
    "typed, was_asked",
    [
        ("my partner asked me to go to couples therapy", True),
        ("my wife wants me to come", True),
        ("I was asked to come to a session", True),
        ("i dont want to go to couples therapy", True),
        ("I'm really not ready", True),
        ("i said no to counseling", True),
        ("partner wont come", False),
        ("i want my husband to come to therapy", False),
        ("i don't want a divorce", False),
        ("I'm not ready to forgive him", False),
        ("my husband wants a divorce", False),
    ],
)
def test_a_search_tells_when_the_reader_is_the_partner_who_was_asked(typed, was_asked):
    assert article_search.parse(typed).speaks_as_asked is was_asked
