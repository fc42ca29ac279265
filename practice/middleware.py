import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect


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
