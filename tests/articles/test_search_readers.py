"""What worried readers type into the search, and what they find (both databases).

PostgreSQL reads the stored search document and a trigram-indexed word list;
SQLite, which `make run` uses, its FTS5 index and vocabulary. Each test here
runs on both: the page must behave the same for ordinary searches.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

CARD_TITLE = re.compile(r'class="card__title"><a href="[^"]*">([^<]*)</a>')


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def search(client, words):
    response = client.get(reverse("articles:list"), {"q": words})
    assert response.status_code == 200
    return response.content.decode()


def titles(html):
    """The titles of the articles found, in order (not the suggestions shown when
    nothing is found)."""
    return CARD_TITLE.findall(html.split('id="suggested-heading"')[0])


def article(title, body, **fields):
    """An article whose only words are these (the factory's summary says nothing)."""
    fields.setdefault("summary", "Read on.")
    return ArticleFactory(title=title, body=body, **fields)


@pytest.mark.parametrize(
    "typed, written",
    [
        ("husband", "partner"),
        ("wife", "spouse"),
        ("girlfriend", "partner"),
        ("counselling", "counseling"),
        ("counseling", "therapy"),
        ("arguing", "fights"),
        ("conflict", "argument"),
        ("divorce", "separation"),
        ("refuses", "won't"),
        ("apologise", "apology"),
    ],
)
def test_a_word_finds_articles_that_say_it_another_way(client, typed, written):
    article("The one", f"Sometimes the {written} comes first.")
    article("Another", "Walking by the sea.")
    html = search(client, typed)
    assert titles(html) == ["The one"]


def test_partner_wont_come_finds_the_article_about_a_partner_who_says_no(client):
    article("When your partner says no", "Your partner won't come to couples therapy yet.")
    article("Online sessions", "Sessions by video from home.")
    typings = ["partner wont come", "partner won't come", "partner won’t come", "Partner WONT come"]
    for typed in typings:
        assert titles(search(client, typed)) == ["When your partner says no"], typed


def test_the_asked_partners_articles_come_after_the_askers_unless_the_reader_was_asked(client):
    # Written to the partner who was asked (the partner page's topic): its title
    # has more of the words the reader types than the other article's.
    for_partners = TopicFactory(slug="for-partners", name="For the partner who was asked")
    article(
        "If your partner asked you to come to couples therapy",
        "You were asked to come. Saying not now is allowed; your partner won't be told.",
        topics=[for_partners],
    )
    article(
        "When your partner refuses to come",
        "Your partner won't come to couples therapy yet. You can start on your own.",
    )
    # The person searching is nearly always the one asking: their article first.
    assert titles(search(client, "partner won't come to couples therapy")) == [
        "When your partner refuses to come",
        "If your partner asked you to come to couples therapy",
    ]
    # Speaking as the one who was asked, they find the article written to them first.
    for typed in [
        "my partner asked me to come to couples therapy",
        "my wife wants me to come to couples therapy",
        "i don't want to come to couples therapy",
    ]:
        assert titles(search(client, typed))[0] == (
            "If your partner asked you to come to couples therapy"
        ), typed


def test_says_no_is_looked_for_as_those_two_words(client):
    # "no" is a word like any other inside a phrase: "says no" is not "says".
    article("When your partner says no", "Some partners say no at first.")
    article("What your partner says", "Listening to what a partner says matters.")
    assert titles(search(client, '"says no"')) == ["When your partner says no"]
    # Both have "partner"; only one has every word.
    for typed in ["partner says no", "partner said no", "my partner says no"]:
        html = search(client, typed)
        assert titles(html)[0] == "When your partner says no", typed
        assert "Some have only some of your words" in html, typed


def test_accents_do_not_count(client):
    article("A café date", "A naïve question over coffee.")
    article("Another", "Walking by the sea.")
    for typed in ["cafe", "naive", "CAFÉ"]:
        assert titles(search(client, typed)) == ["A café date"], typed


def test_a_phrase_read_as_another_word_is_not_taken_as_unfinished(client):
    # "without my partner" means "alone"; its last word is not the start of
    # a longer one, or "partner*" would find every article about a partner.
    article("Starting alone", "Individual sessions in therapy while your partner decides.")
    article("Partners", "Therapy with a partner.")
    html = search(client, "therapy without my partner")
    assert titles(html) == ["Starting alone", "Partners"]
    # The second has "therapy" but nothing about going alone: it is shown as such.
    assert "Some have only some of your words" in html


def test_a_quoted_phrase_finds_those_words_together(client):
    article("Together", "A couples intensive is a long day.")
    article("Apart", "Couples sometimes choose an intensive.")
    html = search(client, '"couples intensive"')
    assert titles(html) == ["Together"]
    # Unquoted, both have both words.
    assert sorted(titles(search(client, "couples intensive"))) == ["Apart", "Together"]


def test_the_last_word_also_finds_longer_words_that_start_with_it(client):
    article("Therapy basics", "What therapy is like.")
    article("Discernment", "Discernment counseling for a partner leaning out.")
    assert titles(search(client, "therap")) == ["Therapy basics"]
    assert titles(search(client, "discern")) == ["Discernment"]


@pytest.mark.parametrize("typed", ["a", "the", "A THE and", "  of  "])
def test_a_search_of_only_common_words_finds_nothing_and_says_why(client, typed):
    article("A lighthouse", "A light at the end of the pier and a boat.")
    html = search(client, typed)
    assert titles(html) == []
    assert "has only very common words" in html
    assert "Suggested reading" in html
    assert "article found" not in html and "articles found" not in html


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("therpy", "therapy"),
        ("seperation", "separation"),
        ("emotionaly focused", "emotionally focused"),
        ("first sesion", "first session"),
    ],
)
def test_a_misspelt_search_shows_the_corrected_one_and_links_to_it(client, typed, meant):
    article(
        "The one",
        "Emotionally focused therapy after a separation, from the first session on.",
    )
    article("Another", "Walking by the sea.")
    html = search(client, typed)
    assert titles(html) == ["The one"]
    link = f"{reverse('articles:list')}?q={meant.replace(' ', '%20')}"
    assert f'Did you mean <a href="{link}">“{meant}”</a>?' in html
    assert f"Nothing matched “{typed}”" in html


def test_no_correction_is_offered_for_a_word_only_an_unpublished_article_uses(client):
    article("Draft", "Zeppelins over the harbour.", draft=True)
    article("Scheduled", "Zeppelins again.", scheduled=True)
    article("Published", "Walking by the sea.")
    html = search(client, "zepelins")
    assert "Did you mean" not in html
    assert "Zeppelin" not in html
    assert titles(html) == []


def test_a_search_that_finds_nothing_shows_topics_and_three_suggested_articles(client):
    couples = TopicFactory(name="Couples therapy", slug="couples-therapy")
    TopicFactory(name="A topic with no article", slug="empty-topic")
    older = days_ago(30)
    article("Featured older", "Featured.", is_featured=True, topics=[couples], publish_at=older)
    for number in range(4):
        article(f"Newer {number}", "More text.", publish_at=days_ago(number + 1))
    html = search(client, "zebra")
    assert titles(html) == []
    assert "Nothing matched “zebra”" in html
    # The topics are on the page, not "above" where they used to be hidden.
    assert "browse the topics above" not in html
    assert f'href="{couples.get_absolute_url()}"' in html
    assert "A topic with no article" not in html
    # Three articles: the featured one first, then the newest, called what they are.
    suggested = html[html.index('id="suggested-heading"') :]
    assert CARD_TITLE.findall(suggested) == ["Featured older", "Newer 0", "Newer 1"]
    assert "Articles our clinicians feature, then the newest." in html
    assert "most read" not in html.lower()


def test_the_list_without_a_search_shows_no_suggestions(client):
    article("Only one", "Text.")
    html = client.get(reverse("articles:list")).content.decode()
    assert "Suggested reading" not in html and "Nothing matched" not in html


@pytest.mark.parametrize(
    "raw",
    [
        "%00",
        "partner%00wont",
        "lighthouse%00",
        "%01%02%1F%7F",
        "%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
        "%ED%A0%80therapy%ED%B0%80",
        "%FF%FE",
        "%E2%80%AEtherapy",  # right-to-left override
        "%22",
        "%22%22%22",
        "%22therapy",
        "NEAR(therapy%20partner)",
        "title%3Atherapy",
        "%7Btitle%7D%3Atherapy",
        "therapy*%20OR%20-partner",
        "(",
        "%27",
        "%5C",
        "%5E",
        "%3A*",
        "%26%7C!",
        "%F0%9F%92%94",  # an emoji
        "x" * 1000,
        "therapy%20" * 300,
    ],
)
def test_no_search_text_breaks_the_page(client, raw):
    article("Therapy", "Couples therapy with a partner.")
    response = client.get(f"{reverse('articles:list')}?q={raw}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "\x00" not in html
    # What is shown back is at most what is read.
    field = re.search(r'id="article-search" type="search" name="q" value="([^"]*)"', html)
    assert len(field.group(1)) <= 200


def test_a_search_with_a_nul_still_finds_the_words_around_it(client):
    article("Lighthouse", "A lighthouse at night.")
    response = client.get(f"{reverse('articles:list')}?q=light%00house%20lighthouse")
    assert titles(response.content.decode()) == ["Lighthouse"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_spelling_look_up_uses_the_trigram_index_on_a_large_word_list():
    from articles.search import POSTGRES_CORRECTIONS, SIMILARITY_MIN, WORD_TABLE

    with connection.cursor() as cursor:
        # As many words as thousands of articles would bring.
        cursor.execute(
            f"INSERT INTO {WORD_TABLE} (language, word, articles) "
            "SELECT (ARRAY['en', 'es'])[n % 2 + 1], 'word' || md5(n::text), 1 "
            "FROM generate_series(1, 20000) AS n"
        )
        cursor.execute(f"ANALYZE {WORD_TABLE}")
        cursor.execute(f"EXPLAIN {POSTGRES_CORRECTIONS}", ["en", SIMILARITY_MIN, ["therpy"], "en"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on articles_searchword_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word list is PostgreSQL's")
def test_the_word_list_counts_the_articles_using_each_word():
    from articles.search import WORD_TABLE

    def count(word, language="en"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT articles FROM {WORD_TABLE} WHERE language = %s AND word = %s",
                [language, word],
            )
            row = cursor.fetchone()
        return row[0] if row else 0

    first = article("Lighthouse", "A lighthouse at night.")
    second = article("Lighthouses", "Every lighthouse on the coast.")
    assert count("lighthouse") == 2
    second.body = "Every harbour on the coast."
    second.save()
    assert (count("lighthouse"), count("harbour")) == (1, 1)
    first.delete()
    assert count("lighthouse") == 0
    # Each language's words are counted apart: the Spanish site offers only its own.
    second.language = "es"
    second.save()
    assert (count("harbour"), count("harbour", "es")) == (0, 1)
