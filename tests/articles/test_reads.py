"""Article reads: counted without knowing who reads (articles/reads.py), page
cache hits included, and the "Most read" list a search that finds nothing shows.
Runs on both databases (the counts are written with an upsert of our own)."""

import logging
import runpy
import time
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import ArticleReads
from articles.reads import ReadTally, reads_flush, reads_forget, recent_since, this_month
from practice.page_cache import CachedPage, content_version, forget_local_state, page_cache
from tests.articles.test_search_readers import CARD_TITLE
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# What a person's phone sends; robots and scripts rarely send both.
READER = {
    "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
    "HTTP_USER_AGENT": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
}


def read(client, article, method="get", **headers):
    return getattr(client, method)(article.get_absolute_url(), **{**READER, **headers})


def stored_reads():
    """What the database holds: {article title: count} for this month."""
    return {
        row.article.title: row.count
        for row in ArticleReads.objects.select_related("article").filter(month=this_month())
    }


def months_ago(months):
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# --- What is counted ----------------------------------------------------------


def test_a_read_served_from_the_page_cache_is_counted(client, django_assert_num_queries):
    article = ArticleFactory(title="Counted")
    assert read(client, article).status_code == 200  # rendered, then stored
    with django_assert_num_queries(0):
        # From the page cache's memory: no view, no query, still a read.
        assert read(client, article).status_code == 200
        assert read(client, article).status_code == 200
    assert stored_reads() == {}  # written only every ARTICLE_READS_FLUSH_SECONDS
    assert reads_flush() == 3
    assert stored_reads() == {"Counted": 3}


def test_counts_from_several_writes_add_up(client):
    article = ArticleFactory(title="Twice")
    read(client, article)
    reads_flush()
    read(client, article)
    read(client, article)
    reads_flush()
    assert stored_reads() == {"Twice": 3}
    assert ArticleReads.objects.count() == 1


def test_a_visitor_with_a_session_who_is_not_staff_is_counted(client):
    # A session cookie (of a sent request, say) steps around the page cache:
    # the view counts the read instead.
    article = ArticleFactory(title="With a session")
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    read(client, article)
    read(client, article)
    reads_flush()
    assert stored_reads() == {"With a session": 2}


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT_LANGUAGE": ""},
        {"HTTP_USER_AGENT": ""},
        {
            "HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        },
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; bingbot/2.0)"},
        {"HTTP_USER_AGENT": "curl/8.5.0"},
        {"HTTP_USER_AGENT": "python-requests/2.32.3"},
        {"HTTP_USER_AGENT": "WhatsApp/2.24.22.79 A"},
        {
            "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"
        },
        {
            "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; "
            "Bytespider; spider-feedback@bytedance.com)"
        },
    ],
    ids=[
        "no-language",
        "no-agent",
        "googlebot",
        "bingbot",
        "curl",
        "script",
        "link-preview",
        "headless-browser",
        "spider-as-a-phone",
    ],
)
def test_robots_and_scripts_are_not_counted(client, headers):
    article = ArticleFactory()
    request_headers = {**READER, **headers}
    for name in [name for name, value in request_headers.items() if not value]:
        del request_headers[name]
    # Rendered once, then from the cache: neither is counted.
    for _ in range(2):
        response = client.get(article.get_absolute_url(), **request_headers)
        assert response.status_code == 200
    assert reads_flush() == 0
    assert ArticleReads.objects.count() == 0


def test_head_and_not_modified_are_not_counted(client):
    article = ArticleFactory()
    first = read(client, article, method="head")  # rendered for HEAD, stored
    assert first.status_code == 200
    read(client, article, method="head")  # served from the cache
    page = read(client, article)  # the one read
    etag = page["ETag"]
    assert read(client, article, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert read(client, article, HTTP_IF_NONE_MATCH=etag).status_code == 304  # from the view
    assert reads_flush() == 1


def test_staff_and_previews_are_not_counted(client, writer_client):
    published = ArticleFactory()
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    for article in (published, draft, scheduled):
        response = read(writer_client, article)
        assert response.status_code == 200
    assert reads_flush() == 0
    assert ArticleReads.objects.count() == 0


def test_pages_not_found_and_unpublished_articles_are_not_counted(client):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    assert read(client, draft).status_code == 404
    assert read(client, scheduled).status_code == 404
    missing = reverse("articles:detail", kwargs={"slug": "no-such-article"})
    assert client.get(missing, **READER).status_code == 404
    english = ArticleFactory()
    with translation.override("es"):
        elsewhere = reverse("articles:detail", kwargs={"slug": english.slug})
    assert client.get(elsewhere, **READER).status_code == 302  # to its own site's address
    assert reads_flush() == 0


def test_a_page_stored_by_the_release_before_is_served_and_not_counted(client, monkeypatch):
    # During a deploy the shared cache holds pages pickled by the release
    # before, with one field fewer (no article id).
    article = ArticleFactory(title="Stored long ago")
    keys = []
    store = page_cache().set

    def recording_set(key, value, timeout):
        if key.startswith("page:"):
            keys.append(key)
        return store(key, value, timeout)

    monkeypatch.setattr(page_cache(), "set", recording_set)
    assert read(client, article).status_code == 200

    # Pickled as the class of the release before did: the fields it had.
    page = CachedPage(content_version(), time.time() + 600, 200, (), b"the page of before")
    with monkeypatch.context() as before:
        before.setattr(
            CachedPage,
            "__getstate__",
            lambda page: [page.version, page.expires_at, page.status, page.headers, page.content],
        )
        store(keys[0], page, 600)
    forget_local_state()  # another worker: only the shared cache has the page
    reads_forget()
    response = read(client, article)
    assert response.status_code == 200
    assert response.content == b"the page of before"
    assert reads_flush() == 0


# --- Writing the counts ------------------------------------------------------


def statements(captured):
    """The statements run, without the savepoints a test's transaction adds."""
    return [
        query["sql"]
        for query in captured
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]


def test_the_counts_are_written_in_one_statement(client):
    articles = [ArticleFactory(title=f"Article {number}") for number in range(5)]
    for number, article in enumerate(articles):
        for _ in range(number + 1):
            read(client, article)
    with CaptureQueriesContext(connection) as captured:
        assert reads_flush() == 15
    assert len(statements(captured)) == 1
    assert stored_reads() == {f"Article {number}": number + 1 for number in range(5)}


def test_reads_of_an_article_deleted_meanwhile_are_left_out(client):
    kept, deleted = ArticleFactory(title="Kept"), ArticleFactory(title="Deleted")
    read(client, kept)
    read(client, deleted)
    deleted.delete()
    assert reads_flush() == 2  # handed to the database, which keeps one
    assert stored_reads() == {"Kept": 1}


def test_the_counts_are_written_after_a_response_once_the_interval_has_passed(client, settings):
    settings.ARTICLE_READS_FLUSH_SECONDS = 0
    reads_forget()
    article = ArticleFactory(title="On time")
    read(client, article)
    read(client, article)
    # Each response, once sent, found the interval over and wrote its read.
    assert stored_reads() == {"On time": 2}


@pytest.fixture
def database_refuses_reads():
    """The database fails every statement that touches the reads table, as
    one that is down or read-only would; everything else works."""

    def refuse(execute, sql, params, many, context):
        if "articles_articlereads" in sql:
            raise OperationalError("the database is not answering")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def test_a_database_error_keeps_the_counts_and_the_page_still_answers(
    client, settings, database_refuses_reads, caplog
):
    settings.ARTICLE_READS_FLUSH_SECONDS = 0
    reads_forget()
    article = ArticleFactory(title="Kept in memory")
    with caplog.at_level(logging.WARNING, logger="articles.reads"):
        first = read(client, article)  # its read is written after it: refused
        second = read(client, article)
    assert first.status_code == second.status_code == 200
    assert "reads kept in memory" in caplog.text
    assert "Kept in memory" not in caplog.text  # counts only, never titles or readers
    # The test's own transaction is still usable (PostgreSQL aborts one whose
    # statement failed, outside a savepoint).
    assert ArticleFactory(title="Later").pk


def test_counts_kept_after_a_database_error_are_written_once_it_is_back(client):
    article = ArticleFactory(title="Retried")
    read(client, article)
    read(client, article)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("down")

    with connection.execute_wrapper(refuse):
        assert reads_flush() == 0
    read(client, article)
    assert reads_flush() == 3
    assert stored_reads() == {"Retried": 3}


def test_the_counts_in_memory_are_bounded():
    tally = ReadTally(max_articles=2)
    for article_id in (1, 2, 3, 1, 3):
        tally.add(article_id)
    assert tally.pending() == {1: 2, 2: 1}


def test_counts_kept_after_an_error_stay_within_the_bound(settings, caplog):
    tally = ReadTally(max_articles=2)
    tally.add(1)
    tally.add(2)

    def refuse(execute, sql, params, many, context):
        # Meanwhile, reads of two other articles arrive.
        tally.add(3)
        tally.add(4)
        raise OperationalError("down")

    with connection.execute_wrapper(refuse):
        assert tally.write() == 0
    assert len(tally.pending()) == 2
    assert tally.pending() == {3: 1, 4: 1}
    with caplog.at_level(logging.WARNING, logger="articles.reads"):
        tally.write()
    assert "2 reads not counted" in caplog.text


def test_nothing_about_readers_is_stored():
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, ArticleReads._meta.db_table
            )
        }
    assert columns == {"id", "article_id", "month", "count"}


def test_a_worker_on_its_way_out_writes_its_counts(client):
    article = ArticleFactory(title="Before exit")
    read(client, article)
    hooks = runpy.run_path(str(django_settings.BASE_DIR / "practice" / "gunicorn.conf.py"))
    hooks["worker_exit"](None, None)
    assert stored_reads() == {"Before exit": 1}


# --- What a search that finds nothing shows ----------------------------------


def counted(article, count, month=None):
    ArticleReads.objects.create(article=article, month=month or this_month(), count=count)


def suggested_titles(html):
    return CARD_TITLE.findall(html[html.index('id="suggested-heading"') :])


def search_nothing(client, language="en", words="zebra"):
    with translation.override(language):
        url = reverse("articles:list")
    response = client.get(url, {"q": words})
    assert response.status_code == 200
    return response.content.decode()


def test_a_search_that_finds_nothing_shows_the_three_most_read(client):
    often = ArticleFactory(title="Read often")
    ArticleFactory(title="Featured, read once", is_featured=True)
    sometimes = ArticleFactory(title="Read sometimes")
    rarely = ArticleFactory(title="Read rarely")
    long_ago = ArticleFactory(title="Read long ago")
    draft = ArticleFactory(title="A draft", draft=True)
    spanish = ArticleFactory(title="Leído en español", language="es")
    counted(often, 40, month=months_ago(1))
    counted(often, 10)
    counted(sometimes, 30)
    counted(rarely, 3, month=recent_since())
    counted(long_ago, 500, month=months_ago(4))
    counted(draft, 900)
    counted(spanish, 900)
    html = search_nothing(client)
    assert '<h2 id="suggested-heading">Most read</h2>' in html
    assert suggested_titles(html) == ["Read often", "Read sometimes", "Read rarely"]
    since = recent_since()
    assert f"The articles read most often since {since:%B} 1." in html
    assert "Suggested reading" not in html


def test_the_spanish_site_shows_its_own_most_read(client):
    english = [ArticleFactory(title=f"Read in English {number}") for number in range(3)]
    spanish = [ArticleFactory(title=f"Español {number}", language="es") for number in range(4)]
    for number, article in enumerate(english):
        counted(article, 1000 + number)
    for number, article in enumerate(spanish):
        counted(article, number + 1)
    html = search_nothing(client, "es")
    assert "Lo más leído" in html
    assert suggested_titles(html) == ["Español 3", "Español 2", "Español 1"]
    assert "Read in English" not in html


def test_too_few_articles_read_shows_the_featured_then_the_newest_as_before(client):
    ArticleFactory(title="Featured", is_featured=True, publish_at=timezone.now() - timedelta(30))
    newest = ArticleFactory(title="Newest", publish_at=timezone.now() - timedelta(hours=1))
    ArticleFactory(title="Newer", publish_at=timezone.now() - timedelta(days=2))
    read_a_lot = ArticleFactory(title="Read a lot", publish_at=timezone.now() - timedelta(60))
    spanish = [ArticleFactory(language="es") for _ in range(3)]
    counted(newest, 3)
    counted(read_a_lot, 700)
    for article in spanish:  # read, but on the other site
        counted(article, 50)
    html = search_nothing(client)
    assert "Suggested reading" in html
    assert "Articles our clinicians feature, then the newest." in html
    assert suggested_titles(html) == ["Featured", "Newest", "Newer"]
    assert "most read" not in html.lower()


def test_a_new_site_with_no_reads_shows_the_featured_then_the_newest_in_spanish(client):
    for number in range(3):
        ArticleFactory(title=f"Artículo {number}", language="es")
    html = search_nothing(client, "es")
    assert "Lecturas sugeridas" in html
    assert "Primero, los artículos que destacan nuestros terapeutas" in html


def test_the_most_read_are_found_in_one_query(client):
    for number in range(6):
        counted(ArticleFactory(title=f"Read {number}"), number + 1)
    with CaptureQueriesContext(connection) as captured:
        html = search_nothing(client)
    assert suggested_titles(html) == ["Read 5", "Read 4", "Read 3"]
    assert len([query for query in captured if "articles_articlereads" in query["sql"]]) == 1


# --- Staff ---------------------------------------------------------------------


def test_editors_see_each_articles_reads_in_the_admin(editor_client):
    read_one = ArticleFactory(title="Read one")
    ArticleFactory(title="Never read")
    counted(read_one, 12)
    counted(read_one, 30, month=months_ago(1))
    counted(read_one, 1000, month=months_ago(5))
    html = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Reads this month" in html
    row = html[html.index("Read one") :].split("</tr>")[0]
    assert ">12<" in row and ">42<" in row


@pytest.mark.parametrize(
    ("language", "heading", "said"),
    [
        (
            "en",
            "How often each article is read",
            ["one number per article and month", "no cookie", "not your address"],
        ),
        (
            "es",
            "Cuántas veces se lee cada artículo",
            ["un número por artículo y por mes", "ninguna cookie", "ni su dirección"],
        ),
    ],
)
def test_the_privacy_page_says_what_is_counted_and_what_is_not(client, language, heading, said):
    call_command("load_demo_content", verbosity=0)
    with translation.override(language):
        url = reverse("privacy")
    html = client.get(url).content.decode()
    counting = html[html.index(heading) :].split("</p>")[0]
    for text in said:
        assert text in counting
