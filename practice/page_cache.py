"""Whole-page caching of public pages for anonymous visitors.

Used by the home page, the sitemaps and the article pages; intake's blank
partner page follows the content version too. Three parts:

- `cache_public_page` marks a view's pages as public: the same for every
  anonymous visitor, and cacheable by browsers for
  settings.PAGE_BROWSER_CACHE_SECONDS. It names the query parameters the view
  reads (`params=("page", "q")`); a page is stored under its path and those
  alone, so `?utm_source=…`, `?fbclid=…` or invented names share the page
  stored without them, and a flood of made-up query strings stores nothing new.
- `PageCacheMiddleware`, placed right after WhiteNoise, stores marked pages in
  the "pages" cache (settings.PAGE_CACHE_URL, apart from sessions and rate
  limits, so that pages can never push them out of memory) and answers later
  requests for them before sessions, CSRF, authentication or the view run.
- The content version (`content_version`): a page is stored with the version
  read before it was rendered, and served only while that is still the current
  version. Whatever changes published content calls `content_version_bump`
  (saving an article, topic or author through the admin does), which makes
  every cached page stale at once.

Each process keeps its most recent pages in memory and trusts the version it
last read for settings.PAGE_CACHE_VERSION_CHECK_SECONDS (1 by default), so most
hits need no round trip at all; the others cost one, which fetches the page and
the current version together. An edit reaches the other processes within that
second (at once in the process that made it).

While that cache cannot be reached (practice.cache_backends), pages are
rendered for each request and nothing is stored: an outage costs speed only.

Only a plain 200 for a visitor without a session cookie is stored: staff
previews, responses that set cookies and errors never are. Pages are stored as
bytes and headers, not as pickled responses, so a hit is cheap to load and goes
out as one chunk.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, fields
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.encoding import escape_uri_path
from django.utils.http import parse_http_date_safe, urlencode

from articles.models import Article
from articles.reads import READ_ARTICLE_ATTRIBUTE, read_count
from practice.cache_backends import cache_is_available

logger = logging.getLogger(__name__)

CONTENT_VERSION_KEY = "articles:content-version"
NEXT_PUBLISH_KEY = "articles:next-publish"
# Read by /healthz to see whether the cache answers.
HEALTH_KEY = "healthz"

PAGE_CACHE_ALIAS = "pages"
# The attribute cache_public_page sets on a response for the middleware to see.
PUBLIC_PAGE_ATTRIBUTE = "is_public_page"
# ... and on the view: the query parameters its pages depend on.
QUERY_PARAMS_ATTRIBUTE = "public_page_params"


def cache_public_page(view=None, *, params=()):
    """Mark the view's pages as public, so that PageCacheMiddleware may store them.

    `params` names the query parameters the view reads; every other one is
    left out of the page's key. Also marks a 200 as cacheable by browsers for
    settings.PAGE_BROWSER_CACHE_SECONDS, unless the view chose its own
    Cache-Control (a staff preview does). Use as `@cache_public_page`,
    `cache_public_page(view)` or `cache_public_page(view, params=("page",))`.
    """
    if view is None:
        return lambda view: cache_public_page(view, params=params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        _mark_public(response)
        setattr(response, PUBLIC_PAGE_ATTRIBUTE, True)
        return response

    # So that the middleware need not ask the cache about other views' pages.
    setattr(wrapped, PUBLIC_PAGE_ATTRIBUTE, True)
    setattr(wrapped, QUERY_PARAMS_ATTRIBUTE, tuple(params))
    return wrapped


def page_cache():
    """The cache that holds public pages and the content version."""
    return caches[PAGE_CACHE_ALIAS]


@dataclass(frozen=True, slots=True)
class CachedPage:
    version: int
    expires_at: float  # time.time(): the shared cache forgets it then, a process must too
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    # An article's page: each hit is counted as a read of it (articles.reads).
    article_id: int | None = None

    @classmethod
    def from_response(cls, response, version, expires_at):
        return cls(
            version,
            expires_at,
            response.status_code,
            tuple(response.items()),
            response.content,
            getattr(response, READ_ARTICLE_ATTRIBUTE, None),
        )

    def __setstate__(self, state):
        # A page stored by an older release, in the shared cache during a
        # deploy, lacks the fields added since: they take their defaults.
        for index, field in enumerate(fields(self)):
            value = state[index] if index < len(state) else field.default
            object.__setattr__(self, field.name, value)

    def is_current(self, version):
        return self.version == version and time.time() < self.expires_at

    def response(self):
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


class PageCacheMiddleware:
    """Serve stored public pages to anonymous visitors; store the pages views mark public."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)

        # Most requests have no query string: the view is then looked up only
        # when the page is not in memory.
        params = None
        if request.META.get("QUERY_STRING"):
            params = _public_view_params(request)
            if params is None:
                return self.get_response(request)
        key = _page_key(request, params or ())
        version = content_version_recent(settings.PAGE_CACHE_VERSION_CHECK_SECONDS)
        page = local_pages.get(key)
        if version is None or page is None or not page.is_current(version):
            if params is None and _public_view_params(request) is None:
                # The request form, a partner page, a 404: never stored, so
                # no round trip to look for them.
                return self.get_response(request)
            shared, version = _shared_page(key)
            if version is None:
                # The cache is out of reach: render, store nothing.
                return self.get_response(request)
            page = shared or page
        if page is not None and page.is_current(version):
            response = _revalidated(request, page.response())
            if page.article_id is not None:
                read_count(request, response, page.article_id)
            return response

        response = self.get_response(request)
        if getattr(response, PUBLIC_PAGE_ATTRIBUTE, False) and _response_is_cacheable(
            request, response
        ):
            timeout = page_cache_timeout(version=version)
            if timeout > 0:
                page = CachedPage.from_response(response, version, time.time() + timeout)
                page_cache().set(key, page, timeout)
                local_pages.put(key, page)
                # One chunk on the way out too (a feed is written in hundreds).
                response.content = page.content
        return response


def _shared_page(key):
    """The page stored under `key` in the shared cache (or None) and the current
    content version, in one round trip; this process keeps both. The version is
    None while the cache cannot be reached."""
    pages = page_cache()
    found = pages.get_many([CONTENT_VERSION_KEY, key])
    version = found.get(CONTENT_VERSION_KEY)
    if version is None:
        version = content_version()
    if version is None:
        return None, None
    content_version_recent.remember(version)
    page = found.get(key)
    if not isinstance(page, CachedPage):
        return None, version
    local_pages.put(key, page)
    return page, version


def _public_view_params(request):
    """The query parameters the view of this request reads, or None if its pages
    are not public."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return getattr(match.func, QUERY_PARAMS_ATTRIBUTE, None)


class LocalPages:
    """The pages a process served last, up to a budget of bytes.

    Entries carry their content version like those in the shared cache, so
    they are checked the same way; the budget keeps a worker's memory flat.
    """

    def __init__(self, max_bytes=None):
        # None: settings.PAGE_CACHE_LOCAL_BYTES, read when a page is kept.
        self._max_bytes = max_bytes
        self._pages = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page):
        max_bytes = self._max_bytes
        if max_bytes is None:
            max_bytes = settings.PAGE_CACHE_LOCAL_BYTES
        size = len(page.content)
        if size > max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.content)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self):
        with self._lock:
            self._pages.clear()
            self._bytes = 0


local_pages = LocalPages()


def _request_is_cacheable(request):
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _response_is_cacheable(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A template that asked for a CSRF token gets a cookie after this point.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _mark_public(response):
    if response.status_code == 200 and not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, max_age=settings.PAGE_BROWSER_CACHE_SECONDS)
    return response


def _page_key(request, params=()):
    """The page's address with the query parameters in `params` only, as the view
    reads them (the last value of each), in a fixed order, and its language.

    The address already names the language (practice.middleware.UrlLanguageMiddleware
    chooses it from the address alone); the language in the key is the second
    lock, so that a page rendered in one language is never served for another."""
    full_path = escape_uri_path(request.path)
    query = urlencode([(name, request.GET[name]) for name in params if name in request.GET])
    if query:
        full_path += "?" + query
    # "//" + the path is how Django itself asks for the full address.
    url = hashlib.sha256(request.build_absolute_uri("//" + full_path).encode()).hexdigest()
    return f"page:{request.method}:{translation.get_language()}:{url}"


def content_version() -> int | None:
    """The number that cached public pages are keyed by (None while the cache
    cannot be reached)."""
    pages = page_cache()
    version = pages.get(CONTENT_VERSION_KEY)
    if version is None and cache_is_available(pages):
        # Start from the clock rather than 1: if the cache evicts this key, the
        # new number must not match pages cached under an older one.
        pages.add(CONTENT_VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = pages.get(CONTENT_VERSION_KEY)
    return version


class _RecentVersion:
    """The content version this process read last, and when.

    Lets a cache hit skip the round trip for the version; a bump here
    replaces it at once, so the process that made an edit never serves the
    old pages.
    """

    def __init__(self):
        self._version = None
        self._read_at = 0.0

    def __call__(self, max_age: float) -> int | None:
        if self._version is not None and time.monotonic() - self._read_at < max_age:
            return self._version
        return None

    def remember(self, version: int) -> None:
        self._version, self._read_at = version, time.monotonic()

    def forget(self) -> None:
        self._version = None


content_version_recent = _RecentVersion()


def content_version_cached() -> int | None:
    """content_version(), or the number this process read less than
    settings.PAGE_CACHE_VERSION_CHECK_SECONDS ago (no round trip)."""
    version = content_version_recent(settings.PAGE_CACHE_VERSION_CHECK_SECONDS)
    if version is None:
        version = content_version()
        content_version_recent.remember(version)
    return version


def content_version_bump() -> None:
    """Make every cached public page stale, once the current transaction commits.

    Bumping after the commit means that a page rendered meanwhile, from the old
    content, cannot be cached under the new number.
    """
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    pages = page_cache()
    content_version()
    try:
        version = pages.incr(CONTENT_VERSION_KEY)
    except ValueError:  # evicted between the two calls, or out of reach
        version = content_version()
    if version is None:
        logger.warning(
            "page cache: content version not bumped (cache unavailable); "
            "other processes may serve stored pages until they expire"
        )
        content_version_recent.forget()
        return
    content_version_recent.remember(version)


def page_cache_timeout(*, version=None):
    """settings.PAGE_CACHE_SECONDS, cut short so that a scheduled article appears on time."""
    timeout = settings.PAGE_CACHE_SECONDS
    next_publish_at = next_article_publish_at(version=version)
    if next_publish_at is not None:
        seconds = (next_publish_at - timezone.now()).total_seconds()
        timeout = min(timeout, max(0, int(seconds)))
    return timeout


def next_article_publish_at(*, version=None):
    """When the next scheduled article goes live (None: none is scheduled),
    remembered per content version in this process and in the shared cache.

    Scheduling an article bumps the version, so a remembered answer is right
    until that time passes; then the next one is looked up.
    """
    if version is None:
        version = content_version_cached()
    pages = page_cache()
    for look_up in (lambda: _next_publish_here, lambda: pages.get(NEXT_PUBLISH_KEY)):
        remembered = look_up()
        if remembered is not None:
            remembered_version, next_publish_at = remembered
            if remembered_version == version and (
                next_publish_at is None or next_publish_at > timezone.now()
            ):
                _remember_next_publish(remembered)
                return next_publish_at
    next_publish_at = (
        Article.objects.scheduled().order_by("publish_at").values_list("publish_at", flat=True)
    ).first()
    pages.set(NEXT_PUBLISH_KEY, (version, next_publish_at), settings.PAGE_CACHE_SECONDS)
    _remember_next_publish((version, next_publish_at))
    return next_publish_at


_next_publish_here = None


def _remember_next_publish(remembered):
    global _next_publish_here
    _next_publish_here = remembered


class ContentMemo:
    """Values worked out from published content (the regions the clinicians'
    licences offer, what an article's page shows around the article), kept in
    this process for as long as the content version they were worked out
    under is current.

    Like the blank intake pages (intake/skeleton.py), nothing here is shared:
    each process works a value out once per version, an edit anywhere bumps the
    version (content_version_bump), and another process sees the bump within
    PAGE_CACHE_VERSION_CHECK_SECONDS, as it does for the page cache. A value
    that depends on what is published now also expires when the next scheduled
    article goes live, which changes that without a bump. While the cache that
    holds the version cannot be reached, nothing is kept.
    """

    def __init__(self, max_entries=256):
        self._max_entries = max_entries
        self._values = {}
        self._lock = threading.Lock()

    def get(self, key, compute, *, until_next_publish=False, keep=None):
        """compute(), or the value it gave under the current content version.
        `keep(value)`, when given, says whether a fresh value may be kept (not
        one made without the database, for example)."""
        found = self.peek(key)
        if found is not None:
            return found
        stamp = self.stamp(until_next_publish=until_next_publish)
        value = compute()
        if keep is None or keep(value):
            self.put(key, value, stamp)
        return value

    def peek(self, key):
        """The value kept under `key` for the current content version, or None."""
        version = content_version_cached()
        if version is None:
            return None
        with self._lock:
            kept = self._values.get(key)
        if kept is None:
            return None
        (kept_version, until), value = kept
        if kept_version != version or (until is not None and timezone.now() >= until):
            return None
        return value

    def stamp(self, *, until_next_publish=False):
        """What a value worked out from now on is valid for: the current content
        version and, with `until_next_publish`, the time the next scheduled
        article goes live. Taken before the work, so that a change during it
        is not missed (put then keeps the value under the older version)."""
        version = content_version_cached()
        if version is None or not until_next_publish:
            return version, None
        return version, next_article_publish_at(version=version)

    def put(self, key, value, stamp):
        if stamp[0] is None:
            return
        with self._lock:
            if len(self._values) >= self._max_entries:
                self._values.clear()
            self._values[key] = (stamp, value)

    def clear(self):
        with self._lock:
            self._values.clear()


content_memo = ContentMemo()


@receiver(setting_changed)
def _forget_memos(**kwargs):
    # What is kept may depend on settings too (the regions the practice serves).
    content_memo.clear()


def forget_local_state():
    """Drop what this process remembers of the shared cache (for tests and tools
    that empty the shared cache under a running process)."""
    local_pages.clear()
    content_memo.clear()
    content_version_recent.forget()
    _remember_next_publish(None)


def _revalidated(request, response):
    """A cached page, or 304 Not Modified when the browser's copy still matches it."""
    return (
        get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        or response
    )
