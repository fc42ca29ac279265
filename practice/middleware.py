import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation


class UrlLanguageMiddleware:
    """Speak the language the address names: /es/… in Spanish, everything else
    (the English site, the admin, feeds, robots.txt) in settings.LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware, neither the browser's Accept-Language nor
    a cookie ever chooses: a page stored in the page cache under its address is
    then right for everyone who asks for that address, and a reader changes
    language with the switcher on every page, which links to the other address.
    It runs before the page cache, so that the cache (and URL resolving, which
    reads the active language under i18n_patterns) sees the language too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Restored afterwards: a thread's next request (or a test's next line)
        # starts from the default, not from this page's language.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Headers Django has no setting for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "admin":
            # Every admin answer (the sign-in page, redirects, exports) stays out
            # of search engines, so robots.txt need not name the admin's path.
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class StaffSessionLimitMiddleware:
    """End a signed-in session 12 hours after it began, however active it is.

    The 30-minute idle limit comes from SESSION_COOKIE_AGE with the session
    saved on every request; this adds the absolute limit.
    """

    session_key = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(self.session_key, now)
            if now - started > settings.STAFF_SESSION_MAX_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
