"""The whole-page cache (practice/page_cache.py): what it stores, for how long,
and how a change of content makes stored pages stale."""

import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.urls import path, resolve, reverse
from django.utils import timezone

from articles.models import Article
from practice.page_cache import (
    CONTENT_VERSION_KEY,
    CachedPage,
    LocalPages,
    PageCacheMiddleware,
    cache_public_page,
    content_version,
    content_version_bump,
    content_version_recent,
    page_cache_timeout,
)
from practice.page_cache import page_cache as shared_pages
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


PUBLIC_PAGES = [
    ("home", {}),
    ("articles:list", {}),
    ("articles:topic", {"slug": "eft"}),
    ("clinician", {"slug": "maya"}),
    ("team", {}),
    ("articles:detail", {"slug": "an-article"}),
    ("articles:feed", {}),
    ("articles:atom", {}),
]


@pytest.fixture
def content():
    topic = TopicFactory(slug="eft")
    author = AuthorFactory(slug="maya")
    return ArticleFactory(slug="an-article", title="First title", topics=[topic], author=author)


@pytest.mark.parametrize(("url_name", "kwargs"), PUBLIC_PAGES)
def test_public_pages_may_be_cached_by_browsers(client, content, settings, url_name, kwargs):
    settings.PAGE_BROWSER_CACHE_SECONDS = 123
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=123"


@pytest.mark.parametrize(("url_name", "kwargs"), PUBLIC_PAGES)
def test_second_anonymous_visit_is_served_from_the_cache(
    client, content, django_assert_num_queries, url_name, kwargs
):
    url = reverse(url_name, kwargs=kwargs)
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


def test_sitemap_serves_fresh_content_without_the_page_cache(client, content):
    # The sitemap's views are wired in practice/urls.py; they still list only
    # what is published at the time of the request.
    url = reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": "articles"})
    assert content.get_absolute_url() in client.get(url).content.decode()


def test_pages_are_cached_per_query_string(client, content):
    ArticleFactory(title="About a lighthouse", body="lighthouse")
    everything = client.get(reverse("articles:list")).content.decode()
    search = client.get(reverse("articles:list"), {"q": "lighthouse"}).content.decode()
    assert "First title" in everything
    assert "First title" not in search


def test_not_found_pages_are_not_cached(client):
    url = reverse("articles:detail", kwargs={"slug": "soon"})
    assert client.get(url).status_code == 404
    ArticleFactory(slug="soon")
    assert client.get(url).status_code == 200


VIEW_CALLS = []


def hello(request):
    VIEW_CALLS.append(request.path)
    return HttpResponse("hello", headers={"X-Served-By": "view"})


def cookie(request):
    VIEW_CALLS.append(request.path)
    response = HttpResponse("hello")
    response.set_cookie("flavour", "oat")
    return response


def mine(request):
    VIEW_CALLS.append(request.path)
    return HttpResponse("mine")


# Views of these tests' own, wired as the site wires its pages.
urlpatterns = [
    path("hello/", cache_public_page(hello)),
    path("cookie/", cache_public_page(cookie)),
    path("mine/", mine),
]


@pytest.fixture
def page_cache(rf):
    VIEW_CALLS.clear()
    handler = PageCacheMiddleware(
        lambda request: resolve(request.path_info, __name__).func(request)
    )

    def get(path):
        request = rf.get(path)
        request.urlconf = __name__
        return handler(request)

    return get


def test_a_public_page_is_stored_and_served_without_the_view(page_cache):
    first = page_cache("/hello/")
    second = page_cache("/hello/")
    assert VIEW_CALLS == ["/hello/"]
    assert second.status_code == 200
    assert second.content == first.content == b"hello"
    assert second["X-Served-By"] == "view"


def test_a_response_that_sets_a_cookie_is_not_cached(page_cache):
    page_cache("/cookie/")
    page_cache("/cookie/")
    assert VIEW_CALLS == ["/cookie/", "/cookie/"]


def test_a_page_not_marked_public_is_not_cached_nor_looked_for(page_cache, monkeypatch):
    page_cache("/mine/")
    monkeypatch.setattr(
        shared_pages(), "get_many", lambda keys: pytest.fail("asked the shared cache")
    )
    page_cache("/mine/")
    assert VIEW_CALLS == ["/mine/", "/mine/"]


def test_a_feed_goes_out_in_one_piece(client, content):
    # Django writes a feed in hundreds of small chunks; a sync worker would
    # send each with its own system call.
    for _ in range(2):
        response = client.get(reverse("articles:feed"))
        assert response.status_code == 200
        assert len(response._container) == 1


def test_a_cached_page_is_not_served_once_the_content_changes(
    client, content, django_capture_on_commit_callbacks
):
    url = reverse("articles:list")
    assert "First title" in client.get(url).content.decode()
    Article.objects.filter(pk=content.pk).update(title="Second title")
    assert "First title" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        content_version_bump()
    assert "Second title" in client.get(url).content.decode()


def test_content_version_bump_waits_for_the_commit(django_capture_on_commit_callbacks):
    before = content_version()
    with django_capture_on_commit_callbacks() as callbacks:
        content_version_bump()
        assert content_version() == before
    callbacks[0]()
    assert content_version() == before + 1


def test_pages_are_cached_for_the_configured_time(settings):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory()
    assert page_cache_timeout() == 600


def test_a_scheduled_article_cuts_the_cache_time_short_so_it_appears_on_time(settings):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=90))
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=300))
    ArticleFactory(draft=True, publish_at=timezone.now() + timedelta(seconds=10))
    assert 30 <= page_cache_timeout() <= 90


def test_a_page_is_stored_with_the_shortened_time(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=90))
    timeouts = []
    original_set = shared_pages().set

    def recording_set(key, value, timeout):
        if key.startswith("page:"):
            timeouts.append(timeout)
        return original_set(key, value, timeout)

    monkeypatch.setattr(shared_pages(), "set", recording_set)
    client.get(reverse("articles:list"))
    assert len(timeouts) == 1
    assert 30 <= timeouts[0] <= 90


def test_the_next_scheduled_time_is_looked_up_once_per_content_version(
    settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=90))
    with django_assert_num_queries(1):
        first = page_cache_timeout()
    with django_assert_num_queries(0):
        second = page_cache_timeout()
    assert 30 <= second <= first <= 90


def test_the_next_scheduled_time_is_looked_up_again_once_it_has_passed(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    soon = ArticleFactory(publish_at=timezone.now() + timedelta(seconds=60))
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=300))
    assert page_cache_timeout() <= 60
    # An hour on, the first one is live and the second one too: nothing is
    # scheduled any more, so pages keep the full time.
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert soon.visibility == "live"
    assert page_cache_timeout() == 600


def test_an_edit_in_another_process_shows_up_within_the_version_check_time(
    client, content, settings, monkeypatch
):
    settings.PAGE_CACHE_VERSION_CHECK_SECONDS = 1
    url = content.get_absolute_url()
    assert "First title" in client.get(url).content.decode()
    # Another worker saves the article and bumps the shared version; this
    # process still trusts the version it read for up to a second.
    Article.objects.filter(pk=content.pk).update(title="Second title")
    shared_pages().incr(CONTENT_VERSION_KEY)
    assert "First title" in client.get(url).content.decode()
    later = time.monotonic() + 1.5
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert "Second title" in client.get(url).content.decode()


def test_a_hit_within_the_version_check_time_needs_no_cache_round_trip(
    client, content, monkeypatch
):
    url = content.get_absolute_url()
    first = client.get(url)
    monkeypatch.setattr(
        shared_pages(), "get_many", lambda keys: pytest.fail("asked the shared cache")
    )
    second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


def test_each_process_keeps_pages_within_its_byte_budget():
    pages = LocalPages(max_bytes=100)
    for number in range(5):
        pages.put(f"page-{number}", CachedPage(1, time.time() + 60, 200, (), b"x" * 40))
    assert pages.get("page-0") is None
    assert pages.get("page-3") is not None
    assert pages.get("page-4") is not None
    pages.put("huge", CachedPage(1, time.time() + 60, 200, (), b"x" * 101))
    assert pages.get("huge") is None


def test_the_byte_budget_follows_the_setting(client, content, settings, monkeypatch):
    settings.PAGE_CACHE_LOCAL_BYTES = 100
    url = content.get_absolute_url()
    first = client.get(url)
    asked = []
    get_many = shared_pages().get_many
    monkeypatch.setattr(
        shared_pages(), "get_many", lambda keys: asked.append(keys) or get_many(keys)
    )
    second = client.get(url)
    # Too big to keep in this process's memory: served from the shared cache.
    assert len(asked) == 1
    assert second.status_code == 200
    assert second.content == first.content


def test_a_page_kept_by_a_process_expires_with_the_shared_copy(client, settings, monkeypatch):
    # A page stored for 90 s, because an article goes live then, must not
    # outlive those 90 s in a worker's memory either.
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(title="Goes live soon", publish_at=timezone.now() + timedelta(seconds=90))
    url = reverse("articles:list")
    assert "Goes live soon" not in client.get(url).content.decode()
    later = timezone.now() + timedelta(seconds=120)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: later.timestamp())
    assert "Goes live soon" in client.get(url).content.decode()


def test_the_next_scheduled_time_is_remembered_by_the_process(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=90))
    page_cache_timeout()
    monkeypatch.setattr(
        shared_pages(), "get", lambda *args, **kwargs: pytest.fail("asked the shared cache")
    )
    assert 30 <= page_cache_timeout(version=content_version_recent(60)) <= 90
