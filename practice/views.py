import logging
import sys

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.seo import canonical_url, practice_business
from practice.cache_backends import cache_is_available
from practice.context_processors import practice as practice_context
from practice.page_cache import HEALTH_KEY, cache_public_page, page_cache
from practice.sessions import SessionsUnavailable

logger = logging.getLogger(__name__)


@require_safe
@cache_public_page
def home(request):
    published = Article.objects.published().in_language().for_listing()
    featured = published.filter(is_featured=True).first()
    latest = published.exclude(pk=featured.pk) if featured else published
    return render(
        request,
        "pages/home.html",
        {
            "featured": featured,
            "latest": latest[:6],
            "canonical_url": canonical_url(request, reverse("home")),
            "structured_data": [practice_business(request)],
        },
    )


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not; the cache
    (Redis) is reported, and "degraded" while it is out of reach.

    A cache outage still answers 200, on purpose: the load balancer takes a
    machine that fails this check out of service, and Redis is shared by every
    machine, so a 503 for it would take them all out at once, while each of
    them can still serve every page and store every request, only slower
    (pages are rendered for each request, sessions wait in cookies). Only the
    database, without which nothing can be stored, makes a machine unhealthy.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unavailable")
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = "30"
        return response
    # A read of each cache: the first after a failure is also what tells this
    # process that Redis is back.
    reachable = True
    for backend in (caches[DEFAULT_CACHE_ALIAS], page_cache()):
        backend.get(HEALTH_KEY)
        reachable = reachable and cache_is_available(backend)
    if not reachable:
        logger.warning("healthz: cache unavailable")
        return JsonResponse({"status": "degraded", "database": "up", "cache": "down"})
    return JsonResponse({"status": "ok", "database": "up", "cache": "up"})


@require_safe
def robots_txt(request):
    # No line for the admin: naming its path here would publish it. The admin is
    # linked from nowhere and tells crawlers not to index it (X-Robots-Tag).
    # The partner pages in every language (a token is in their address).
    partner_pages = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            partner_pages.append(f"Disallow: {reverse('intake:request')}partner/")
    lines = [
        "User-agent: *",
        *partner_pages,
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _error_page(request, template_name, status, **extra):
    # Rendered without the request's context processors: an error page must not
    # depend on the session, the user or the database, any of which may be the
    # reason it is shown.
    context = {**practice_context(request), "status": status, **extra}
    return HttpResponse(render_to_string(template_name, context), status=status)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def server_error(request):
    # Django calls this while handling the exception, from whichever layer
    # raised it (a view, or the session middleware saving its data): a lost
    # database is an outage to wait out, not a fault in the site.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        logger.warning("database unavailable")
        return service_unavailable(request)
    if isinstance(sys.exc_info()[1], SessionsUnavailable):
        # Staff sign-in needs a session that only Redis may hold (practice.sessions).
        logger.warning("sessions unavailable: cache out of reach")
        return service_unavailable(request)
    return _error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    return _error_page(request, "403_csrf.html", 403)


def sign_in_locked_out(request, response=None, credentials=None):
    """django-axes' answer once a username and address have failed too often."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = _error_page(request, "429_sign_in.html", 429, cooloff_minutes=seconds // 60)
    response["Retry-After"] = str(seconds)
    return response


def service_unavailable(request):
    response = _error_page(request, "503.html", 503)
    response["Retry-After"] = "30"
    return response
