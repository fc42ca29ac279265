"""Whole-page caching of public pages for anonymous visitors.

A page is cached under its full URL and the current content version
(articles.services.content_version), so that saving an article, topic or author
through the admin makes every cached page stale at once. Only a plain 200 for a
visitor without a session cookie is stored: staff previews, responses that set
cookies and errors never are.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from articles.models import Article
from articles.services import content_version


def cache_public_page(view):
    """Serve the view's page from the shared cache to anonymous visitors.

    Also marks a public page as cacheable by browsers for
    settings.PAGE_BROWSER_CACHE_SECONDS, unless the view chose its own
    Cache-Control (a staff preview does).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _request_is_cacheable(request):
            return _mark_public(view(request, *args, **kwargs))

        key = _page_key(request)
        cached = cache.get(key)
        if cached is not None:
            return _revalidated(request, cached)

        response = view(request, *args, **kwargs)
        _mark_public(response)

        def store(response):
            if _response_is_cacheable(request, response):
                timeout = page_cache_timeout()
                if timeout > 0:
                    cache.set(key, response, timeout)
            return response

        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapped


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


def _page_key(request):
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"page:{content_version()}:{request.method}:{url}"


def page_cache_timeout():
    """settings.PAGE_CACHE_SECONDS, cut short so that a scheduled article appears on time."""
    timeout = settings.PAGE_CACHE_SECONDS
    next_publish_at = (
        Article.objects.scheduled().order_by("publish_at").values_list("publish_at", flat=True)
    ).first()
    if next_publish_at is not None:
        seconds = (next_publish_at - timezone.now()).total_seconds()
        timeout = min(timeout, max(0, int(seconds)))
    return timeout


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
