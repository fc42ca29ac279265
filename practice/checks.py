"""Deployment checks for what Django's own `check --deploy` does not cover.

They run with `manage.py check --deploy`; CI fails on any warning. Settings that
would silently lose mail or misname every visitor are errors, so that
`check --deploy` fails on them whatever the fail level.
"""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

UNSAFE_CSP_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'")
MAX_STAFF_IDLE_SECONDS = 30 * 60


@register(Tags.security, deploy=True)
def check_csp(app_configs, **kwargs):
    policy = getattr(settings, "SECURE_CSP", None) or {}
    errors = []
    if not policy:
        errors.append(
            Warning(
                "SECURE_CSP is empty: pages are sent without a Content-Security-Policy.",
                id="practice.W001",
            )
        )
    for directive, sources in policy.items():
        for source in sources:
            if str(source) in UNSAFE_CSP_SOURCES:
                errors.append(
                    Warning(
                        f"SECURE_CSP allows {source} in {directive}.",
                        hint="Move inline scripts and styles into static files.",
                        id="practice.W002",
                    )
                )
    return errors


@register(Tags.security, deploy=True)
def check_password_validation(app_configs, **kwargs):
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    min_length = (
        validators.get("MinimumLengthValidator", {}).get("OPTIONS", {}).get("min_length", 8)
        if "MinimumLengthValidator" in validators
        else 0
    )
    errors = []
    if min_length < 12:
        errors.append(
            Warning(
                "Staff passwords may be shorter than 12 characters.",
                hint="Set MinimumLengthValidator's min_length to 12 or more.",
                id="practice.W003",
            )
        )
    if "CommonPasswordValidator" not in validators:
        errors.append(
            Warning(
                "Common passwords are not refused.",
                hint="Add CommonPasswordValidator.",
                id="practice.W004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_sessions(app_configs, **kwargs):
    if (
        settings.SESSION_COOKIE_AGE > MAX_STAFF_IDLE_SECONDS
        or not settings.SESSION_SAVE_EVERY_REQUEST
    ):
        return [
            Warning(
                "Staff sessions may stay open for more than 30 minutes of inactivity.",
                hint="SESSION_COOKIE_AGE <= 1800 with SESSION_SAVE_EVERY_REQUEST = True.",
                id="practice.W005",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def check_persistent_connections(app_configs, **kwargs):
    errors = []
    for alias, database in settings.DATABASES.items():
        if database.get("CONN_MAX_AGE") and not database.get("CONN_HEALTH_CHECKS"):
            errors.append(
                Warning(
                    f"Database {alias!r} keeps connections open without health checks: "
                    "after a database restart each worker fails a request.",
                    hint="Set CONN_HEALTH_CHECKS = True.",
                    id="practice.W006",
                )
            )
    return errors


@register(deploy=True)
def check_email_timeout(app_configs, **kwargs):
    errors = []
    for alias, mailer in getattr(settings, "MAILERS", {}).items():
        is_smtp = mailer.get("BACKEND", "").endswith("smtp.EmailBackend")
        if is_smtp and not mailer.get("OPTIONS", {}).get("timeout"):
            errors.append(
                Warning(
                    f"Mailer {alias!r} has no timeout: a hanging mail server could hold "
                    "a worker forever.",
                    hint="Set EMAIL_TIMEOUT (seconds).",
                    id="practice.W007",
                )
            )
    return errors


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is per process: request rate limits and the page "
                "cache do not hold across gunicorn workers.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/0.",
                id="practice.W008",
            )
        ]
    return []


@register(Tags.security)
def check_encryption_key(app_configs, **kwargs):
    if getattr(settings, "FIELD_ENCRYPTION_DEVELOPMENT_KEY", False):
        return [
            Warning(
                "Sensitive answers are encrypted with the public development key.",
                hint="Fine for `make run` with demo data; set FIELD_ENCRYPTION_KEYS for real data.",
                id="practice.W009",
            )
        ]
    return []


# Domains that can never receive mail for a real practice: the defaults and the
# examples in the README (RFC 2606 and RFC 6761 reserve them).
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")


def _is_placeholder_address(address: str) -> bool:
    _name, email = parseaddr(address)
    domain = email.rpartition("@")[2].lower().rstrip(".")
    if "@" not in email or not domain:
        return True
    labels = domain.split(".")
    return labels[-1] in ("localhost", "example") or ".".join(labels[-2:]) in _EXAMPLE_DOMAINS


@register(deploy=True)
def check_mail_addresses(app_configs, **kwargs):
    """Mail to or from a placeholder is lost without an error anyone sees."""
    errors = []
    notify = [a for a in settings.PRACTICE_NOTIFY_EMAIL if _is_placeholder_address(a)]
    if not settings.PRACTICE_NOTIFY_EMAIL or notify:
        errors.append(
            Error(
                "PRACTICE_NOTIFY_EMAIL is not a real address "
                f"({', '.join(notify) or 'empty'}): the practice would never hear of "
                "new requests.",
                hint="Set PRACTICE_NOTIFY_EMAIL to the practice's own inbox(es), comma-separated.",
                id="practice.E010",
            )
        )
    if _is_placeholder_address(settings.DEFAULT_FROM_EMAIL):
        errors.append(
            Error(
                f"DEFAULT_FROM_EMAIL ({settings.DEFAULT_FROM_EMAIL}) is at localhost or an "
                "example domain: mail servers refuse or bin messages from it.",
                hint="Set DEFAULT_FROM_EMAIL to an address on the practice's own domain, "
                "e.g. Harbor & Hearth <no-reply@yourpractice.com>.",
                id="practice.E011",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme != "https" or not parts.hostname:
        return [
            Error(
                f"SITE_URL ({settings.SITE_URL}) is not an https address: links in emails "
                "(the admin, the partner link) would go out over plain HTTP or nowhere.",
                hint="Set SITE_URL to the public address, e.g. https://www.yourpractice.com.",
                id="practice.E012",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    if settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT <= 0:
        return [
            Error(
                "The site trusts a proxy's X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) but "
                "TRUSTED_PROXY_COUNT is 0: every visitor is counted as the proxy's address, "
                "so one visitor's rate limit or sign-in lockout stops everyone.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of gunicorn "
                "(1 behind deploy/nginx/practice.conf).",
                id="practice.E013",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_admin_url(app_configs, **kwargs):
    path = settings.ADMIN_URL.strip("/")
    if path == "admin" or not path or "change-me" in path.lower():
        return [
            Error(
                f"ADMIN_URL is {settings.ADMIN_URL!r}, the default or the example's "
                "placeholder: every scanner on the internet tries the one, and the other "
                "is published with the code.",
                hint="Set ADMIN_URL to a path of your own, e.g. staff-7f3a/.",
                id="practice.E014",
            )
        ]
    return []


@register()
def check_practice_hours(app_configs, **kwargs):
    from practice.hours import parse_hours

    try:
        parse_hours(settings.PRACTICE_HOURS)
    except ValueError as error:
        return [
            Warning(
                f"PRACTICE_HOURS: {error}.",
                hint="Separate spans with semicolons: 'Mo-Th 09:00-19:00; Fr 09:00-15:00'.",
                id="practice.W020",
            )
        ]
    return []


@register()
def check_translations_compiled(app_configs, **kwargs):
    from practice.translations import catalogs_stale

    stale = catalogs_stale(settings.LOCALE_PATHS)
    if stale:
        names = ", ".join(str(source) for source in stale)
        return [
            Warning(
                f"Translations not compiled, or older than their source: {names}. "
                "Pages in those languages show the untranslated text.",
                hint="Run `manage.py compile_translations` (make run and make test do).",
                id="practice.W030",
            )
        ]
    return []
