from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish, article_translation_link
from practice.journeys import Journey, Readiness
from tests.conftest import empty_caches
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_article_list_shows_published_articles_newest_first(client):
    ArticleFactory(title="Older article", publish_at=days_ago(10))
    ArticleFactory(title="Newer article", publish_at=days_ago(1))
    response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer article") < html.index("Older article")
    assert html.count("<h1") == 1


def test_article_list_shows_ten_articles_a_page_with_accessible_pagination(client):
    for day in range(12):
        ArticleFactory(title=f"Day {day} story", publish_at=days_ago(day + 1))
    first = client.get(reverse("articles:list")).content.decode()
    second = client.get(reverse("articles:list"), {"page": 2}).content.decode()
    assert first.count('class="card__title"') == 10
    assert second.count('class="card__title"') == 2
    assert "Day 0 story" in first and "Day 11 story" in second
    assert '<nav class="pagination" aria-label="Pages of articles">' in first
    assert 'href="?page=1" aria-current="page"' in first
    assert 'href="?page=2" aria-current="page"' in second


def test_a_page_past_the_end_is_404(client):
    ArticleFactory()
    assert client.get(reverse("articles:list"), {"page": 5}).status_code == 404


def test_empty_list_says_so_kindly(client):
    response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    assert "There are no articles yet" in response.content.decode()


def test_search_finds_articles_by_their_words(client):
    ArticleFactory(title="Finding a lighthouse together", body="About a lighthouse.")
    ArticleFactory(title="Something else", body="Nothing to see.")
    response = client.get(reverse("articles:list"), {"q": "lighthouse"})
    html = response.content.decode()
    assert "Finding a lighthouse together" in html
    assert "Something else" not in html
    assert "1 article found" in html
    # Search results are not a page search engines should keep.
    assert '<meta name="robots" content="noindex">' in html


def test_search_shows_articles_with_every_word_and_enough_of_them_alone(client):
    for number in range(3):
        ArticleFactory(title=f"Repair {number}", body="How to repair after an argument at night.")
    ArticleFactory(title="Only argument", body="An argument in the morning.")
    html = client.get(reverse("articles:list"), {"q": "argument night"}).content.decode()
    assert all(f"Repair {number}" in html for number in range(3))
    assert "Only argument" not in html
    assert "3 articles found." in html


def test_search_adds_articles_with_some_of_the_words_after_the_few_with_all(client):
    ArticleFactory(title="Repair", body="How to repair after an argument at night.")
    ArticleFactory(title="Only argument", body="An argument in the morning.")
    ArticleFactory(title="Unrelated", body="A walk by the sea.")
    html = client.get(reverse("articles:list"), {"q": "argument night"}).content.decode()
    assert html.index("Repair") < html.index("Only argument")
    assert "Unrelated" not in html
    assert "Some have only some of your words" in html


def test_search_with_no_match_offers_a_way_on(client):
    ArticleFactory(title="Something")
    html = client.get(reverse("articles:list"), {"q": "zebra"}).content.decode()
    assert "Nothing matched “zebra”" in html
    assert "browse the topics above" not in html


def test_search_keeps_the_words_in_the_pagination_links(client):
    for number in range(11):
        ArticleFactory(title=f"Lighthouse {number}", body="lighthouse")
    html = client.get(reverse("articles:list"), {"q": "lighthouse"}).content.decode()
    assert 'href="?q=lighthouse&amp;page=2"' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_search_on_postgresql_ranks_title_matches_first_and_understands_word_forms(client):
    ArticleFactory(
        title="Weekly sessions", body="Some couples choose intensives.", publish_at=days_ago(1)
    )
    ArticleFactory(title="Couples intensives", body="All about them.", publish_at=days_ago(30))
    html = client.get(reverse("articles:list"), {"q": "intensive"}).content.decode()
    assert html.index("Couples intensives") < html.index("Weekly sessions")


def test_topic_page_lists_its_published_articles(client):
    partners = TopicFactory(name="For a hesitant partner", slug="for-partners")
    ArticleFactory(title="In the topic", topics=[partners])
    ArticleFactory(title="Not in the topic")
    response = client.get(reverse("articles:topic", kwargs={"slug": "for-partners"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>For a hesitant partner</h1>" in html
    assert "In the topic" in html
    assert "Not in the topic" not in html


def test_clinician_page_shows_the_clinician_and_their_articles(client):
    maya = AuthorFactory(name="Maya Okafor", slug="maya", credentials="PhD, LMFT", bio="Hello.")
    ArticleFactory(title="Maya's article", author=maya)
    ArticleFactory(title="Someone else's article")
    response = client.get(reverse("clinician", kwargs={"slug": "maya"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Maya Okafor" in html and "PhD, LMFT" in html
    assert "Maya&#x27;s article" in html
    assert "Someone else" not in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("articles:detail", kwargs={"slug": "no-such-article"}),
        reverse("articles:topic", kwargs={"slug": "no-such-topic"}),
        reverse("articles:author", kwargs={"slug": "no-such-person"}),
        reverse("clinician", kwargs={"slug": "no-such-person"}),
    ],
)
def test_unknown_slugs_are_404_in_the_site_layout(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_article_page_shows_byline_reading_time_review_dates_and_topics(client):
    author = AuthorFactory(name="Maya Okafor", slug="maya", credentials="PhD, LMFT")
    reviewer = AuthorFactory(name="Daniel Reyes", slug="daniel", credentials="LCSW")
    topic = TopicFactory(name="Couples therapy", slug="couples-therapy")
    article = ArticleFactory(
        title="When your partner says no",
        body="word " * 700,
        author=author,
        reviewer=reviewer,
        reviewed_at=timezone.localdate().replace(year=2026, month=3, day=2),
        publish_at=timezone.now().replace(year=2026, month=2, day=14, hour=20),
        topics=[topic],
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>When your partner says no</h1>" in html
    assert 'By <a href="/team/maya/">Maya Okafor</a>, PhD, LMFT' in html
    assert "4 min read" in html
    assert "Reviewed by" in html and "Daniel Reyes, LCSW" in html and "March 2, 2026" in html
    assert "February 14, 2026" in html
    assert 'href="/articles/topic/couples-therapy/"' in html


@pytest.mark.parametrize(
    ("journey", "readiness", "wording", "query"),
    [
        (Journey.COUPLES, Readiness.DECLINED, "even if your partner is not ready",
         "journey=couples&amp;readiness=declined"),
        (Journey.COUPLES, Readiness.AGREED, "Ask about couples sessions",
         "journey=couples&amp;readiness=agreed"),
        (Journey.INDIVIDUAL, "", "Ask about individual sessions", "journey=individual"),
        (Journey.INTENSIVE, "", "Ask about a couples intensive", "journey=intensive"),
        (Journey.CONSULT, "", "Ask for a consultation call", "journey=consult"),
    ],
)  # fmt: skip
def test_article_call_to_action_opens_the_request_form_on_its_journey(
    client, journey, readiness, wording, query
):
    article = ArticleFactory(cta_journey=journey, cta_readiness=readiness)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="cta"' in html
    assert wording in html
    # It names the article, which the request records (tests/intake/test_attribution.py).
    assert f'href="{reverse("intake:request")}?{query}&amp;from={article.slug}"' in html


def test_related_articles_share_topics_most_shared_first_and_at_most_three(client):
    eft, couples, other = TopicFactory(), TopicFactory(), TopicFactory()
    article = ArticleFactory(title="The article", topics=[eft, couples])
    ArticleFactory(title="Shares one", topics=[eft], publish_at=days_ago(1))
    ArticleFactory(title="Shares both", topics=[eft, couples], publish_at=days_ago(5))
    ArticleFactory(title="Shares one too", topics=[couples], publish_at=days_ago(2))
    ArticleFactory(title="Shares one but old", topics=[couples], publish_at=days_ago(90))
    ArticleFactory(title="Shares nothing", topics=[other])
    ArticleFactory(title="A draft sharing both", topics=[eft, couples], draft=True)
    response = client.get(article.get_absolute_url())
    related = [a.title for a in response.context["related"]]
    assert related == ["Shares both", "Shares one", "Shares one too"]
    html = response.content.decode()
    assert "Related articles" in html
    assert "A draft sharing both" not in html


def test_previous_and_next_link_to_published_neighbours(client):
    ArticleFactory(title="Oldest", publish_at=days_ago(30))
    middle = ArticleFactory(title="Middle", publish_at=days_ago(20))
    ArticleFactory(title="A draft in between", publish_at=days_ago(15), draft=True)
    ArticleFactory(title="Newest", publish_at=days_ago(10))
    ArticleFactory(title="Scheduled", scheduled=True)
    html = client.get(middle.get_absolute_url()).content.decode()
    assert 'rel="prev"><span class="meta">Previous article</span> Oldest' in html
    assert 'rel="next"><span class="meta">Next article</span> Newest' in html
    assert "A draft in between" not in html
    assert "Scheduled" not in html


def make_articles(count, topic, author):
    for number in range(count):
        ArticleFactory(
            title=f"Article {number}",
            author=author,
            reviewer=author,
            topics=[topic, TopicFactory()],
            publish_at=days_ago(number + 1),
        )


# What each page costs, however many articles exist: page count, the page of
# articles, their topics (and for some pages the topic or author itself, the
# topics menu, the next scheduled article for the page cache's timeout). An
# article: itself, its topics, related articles, previous and next together. A
# topic also asks which languages it has articles in (the language switcher).
@pytest.mark.parametrize(
    ("url_name", "kwargs", "queries"),
    [
        ("home", {}, 5),
        ("articles:list", {}, 5),
        ("articles:topic", {"slug": "shared"}, 6),
        ("clinician", {"slug": "writer"}, 6),
        ("articles:detail", {"slug": "shared-topic-article"}, 5),
        ("articles:feed", {}, 3),
    ],
)
@pytest.mark.parametrize("count", [5, 50])
def test_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, url_name, kwargs, queries, count
):
    topic = TopicFactory(slug="shared")
    author = AuthorFactory(slug="writer")
    ArticleFactory(slug="shared-topic-article", topics=[topic], author=author, is_featured=True)
    make_articles(count, topic, author)
    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200


def test_article_shows_an_updated_date_only_after_a_later_edit(client):
    article = ArticleFactory(title="Backdated import", publish_at=days_ago(30))
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()
    Article.objects.filter(pk=article.pk).update(created_at=days_ago(30))
    empty_caches()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "· Updated <time" in html


def test_an_article_page_missing_from_the_page_cache_runs_at_most_four_queries(
    client, django_assert_max_num_queries
):
    topic = TopicFactory()
    ArticleFactory(title="Before", topics=[topic], publish_at=days_ago(3))
    article = ArticleFactory(title="The article", topics=[topic], publish_at=days_ago(2))
    ArticleFactory(title="After", topics=[topic], publish_at=days_ago(1))
    # The first page also lets the page cache remember when the next scheduled
    # article is due (practice.page_cache); a new query string misses the page cache.
    client.get(article.get_absolute_url())
    # The article, its topics, related articles, and previous and next together.
    with django_assert_max_num_queries(4):
        response = client.get(article.get_absolute_url(), {"utm_source": "newsletter"})
    html = response.content.decode()
    assert "Previous article</span> Before" in html and "Next article</span> After" in html
    assert "Related articles" in html


@pytest.fixture
def article_among_others():
    """An article with a byline, a review, a translation, a sensitive topic
    (so "Leave this site"), a neighbour on each side and related articles."""
    topic = TopicFactory(name="Conflict", slug="conflict", is_sensitive=True)
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz", credentials="LMFT")
    reviewer = AuthorFactory(name="Ben Ode", slug="ben-ode")
    ArticleFactory(title="Before", topics=[topic], publish_at=days_ago(3))
    article = ArticleFactory(
        title="The article",
        topics=[topic],
        author=author,
        reviewer=reviewer,
        reviewed_at=days_ago(5).date(),
        publish_at=days_ago(2),
    )
    spanish = ArticleFactory(slug="el-articulo", language="es", translation=article)
    article_translation_link(article=spanish)
    ArticleFactory(title="After", topics=[topic], publish_at=days_ago(1))
    return Article.objects.get(pk=article.pk)


def test_an_article_rendered_again_is_the_same_page_from_one_query(
    client, settings, article_among_others, django_assert_num_queries
):
    url = article_among_others.get_absolute_url()
    first = client.get(url).content.decode()
    # A session cookie keeps the page cache out of it: the page is rendered
    # again, with what surrounds the article kept from the first render.
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-has-ended"
    with django_assert_num_queries(1):
        again = client.get(url).content.decode()
    assert again == first
    for shown in [
        'By <a href="/team/ana-ruiz/">Ana Ruiz</a>, LMFT',
        "Reviewed by",
        "Leave this site",
        "Previous article</span> Before",
        "Next article</span> After",
        "Related articles",
        'hreflang="es" href="http://testserver/es/articles/el-articulo/"',
        'href="/articles/topic/conflict/"',
    ]:
        assert shown in again


def test_an_article_page_shows_a_newly_published_neighbour_at_once(
    client, settings, article_among_others, django_capture_on_commit_callbacks
):
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-has-ended"
    url = article_among_others.get_absolute_url()
    assert "Next article</span> After" in client.get(url).content.decode()
    newest = ArticleFactory(title="Just published", draft=True, topics=[TopicFactory()])
    newest.topics.set(article_among_others.topics.all())
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=Article.objects.get(pk=newest.pk))
    html = client.get(url).content.decode()
    assert "Just published" in html.split('class="related"')[1]


def test_an_article_page_shows_a_scheduled_neighbour_once_it_is_due(
    client, settings, article_among_others, monkeypatch
):
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-has-ended"
    url = article_among_others.get_absolute_url()
    due = timezone.now() + timedelta(hours=1)
    topics = list(article_among_others.topics.all())
    ArticleFactory(title="Due in an hour", scheduled=True, publish_at=due, topics=topics)
    assert "Due in an hour" not in client.get(url).content.decode()
    # An hour later: nothing was saved, the time came.
    later = due + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(url).content.decode()
    assert "Due in an hour" in html.split('class="related"')[1]


def test_article_revalidation_fetches_the_article_and_nothing_else(
    client, settings, django_assert_num_queries
):
    article = ArticleFactory(topics=[TopicFactory()])
    etag = client.get(article.get_absolute_url())["ETag"]
    # A session cookie keeps the page cache out of it: the view answers.
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-that-has-ended"
    with django_assert_num_queries(1):
        response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_long_list_links_the_pages_near_this_one_and_at_both_ends(client, monkeypatch):
    monkeypatch.setattr("articles.views.ArticleListView.paginate_by", 1)
    for day in range(20):
        ArticleFactory(title=f"Day {day} story", publish_at=days_ago(day + 1))
    html = client.get(reverse("articles:list"), {"page": 10}).content.decode()
    links = [f'href="?page={number}"' for number in (1, 2, 7, 8, 9, 11, 12, 13, 19, 20)]
    assert all(link in html for link in links)
    assert 'href="?page=10" aria-current="page"' in html
    assert 'href="?page=5"' not in html and 'href="?page=15"' not in html
    assert html.count("<li><span>…</span></li>") == 2


def test_topic_page_lists_an_article_in_several_topics_once(client):
    first, second = TopicFactory(slug="first"), TopicFactory(slug="second")
    ArticleFactory(title="In both topics", topics=[first, second])
    html = client.get(reverse("articles:topic", kwargs={"slug": "first"})).content.decode()
    assert html.count("In both topics") == 1


def test_topics_menu_lists_only_topics_with_a_published_article(client):
    TopicFactory(name="Empty topic")
    ArticleFactory(draft=True, topics=[TopicFactory(name="Only a draft")])
    ArticleFactory(topics=[TopicFactory(name="Has an article")])
    html = client.get(reverse("articles:list")).content.decode()
    assert "Has an article" in html
    assert "Empty topic" not in html and "Only a draft" not in html
