"""
Settings for the practice's website.

Every value that differs between machines comes from the environment; see
.env.example for the full list. The defaults are safe for production: debug is
off, cookies are secure, and the site refuses to start without a secret key.
`make run` turns debug on for local development.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", default="insecure-development-key-never-use-in-production"
    )
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (at least 32 characters) when DJANGO_DEBUG is off. "
            "On your own machine, run commands as `make run` does: "
            "DJANGO_DEBUG=1 .venv/bin/python manage.py …"
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# The public address of the site, used where no request is at hand (emails, feeds
# built by the worker). No trailing slash.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin, served by practice.admin.PracticeAdminSite (two-factor sign-in).
    "practice.apps.PracticeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "simple_history",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "practice",
    "articles",
    "intake",
]

MIDDLEWARE = [
    "practice.log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The address alone chooses the language (/es/… Spanish, the rest English),
    # before the page cache, which keys pages by it.
    "practice.middleware.UrlLanguageMiddleware",
    # Before sessions, CSRF and auth: a stored public page costs one cache look-up.
    "practice.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "practice.middleware.StaffSessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "practice.middleware.SecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that its lockout answer still passes through the header middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "practice.context_processors.practice",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse so that a restarted database
    # costs one failed request at most, not a worker full of dead connections.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------

# Production uses a shared cache (redis://…) so that sessions, request rate
# limits and the page cache hold across gunicorn workers and machines. Public
# pages have a cache of their own ("pages", PAGE_CACHE_URL): a flood of pages
# must never push sessions or rate-limit counts out of memory. By default it is
# the next Redis database on the same server (separate keys; give it a Redis
# with its own maxmemory for a separate memory budget, see the README).
CACHE_URL = env("CACHE_URL", default="locmemcache://practice")


def _page_cache_url(url):
    """redis://host:6379/0 -> redis://host:6379/1; a local-memory cache -> another one."""
    database = re.fullmatch(r"(rediss?://.*)/(\d+)", url.rstrip("/"))
    if database:
        return f"{database[1]}/{int(database[2]) + 1}"
    if url.startswith("locmemcache://"):
        return url + "-pages"
    return url


PAGE_CACHE_URL = env("PAGE_CACHE_URL", default="") or _page_cache_url(CACHE_URL)
CACHES = {"default": env.cache_url_config(CACHE_URL), "pages": env.cache_url_config(PAGE_CACHE_URL)}
for _alias, _cache in CACHES.items():
    _cache.setdefault("KEY_PREFIX", "practice")
    if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # The same backend, reusing its Redis client and riding out an outage
        # (practice/cache_backends.py): a Redis that hangs costs a request these
        # many seconds at most, once a second per process.
        _cache["BACKEND"] = "practice.cache_backends.RedisCache"
        _cache.setdefault("OPTIONS", {}).update(
            socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            socket_timeout=env.float("CACHE_TIMEOUT", default=0.5),
        )

# Seconds a rendered public page may be served from the server-side cache, and
# how long browsers and proxies may reuse it before revalidating.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_BROWSER_CACHE_SECONDS = env.int("PAGE_BROWSER_CACHE_SECONDS", default=300)
# How long a process trusts the content version it last read before asking the
# shared cache again (an edit reaches other processes within this time), and
# how many bytes of pages each process keeps in memory.
PAGE_CACHE_VERSION_CHECK_SECONDS = env.float("PAGE_CACHE_VERSION_CHECK_SECONDS", default=1.0)
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=4 * 1024 * 1024)
# Each process counts article reads in memory and adds them to the database at
# most this often (articles/reads.py); a worker that is killed loses this much.
ARTICLE_READS_FLUSH_SECONDS = env.float("ARTICLE_READS_FLUSH_SECONDS", default=60.0)

# --- Email and background tasks ---------------------------------------------

# Django 6.1's MAILERS, filled from django-environ's EMAIL_URL forms:
# smtp+tls://user:password@host:587, smtp+ssl://…:465, consolemail://, filemail:///path
_email_timeout = env.int("EMAIL_TIMEOUT", default=10)
_email = env.email_url_config(env("EMAIL_URL", default="consolemail://"))
_mail_options = {}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": bool(_email.get("EMAIL_USE_TLS"))
        or _email.get("OPTIONS", {}).get("TLS") in ("True", "true", "1"),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL"))
        or _email.get("OPTIONS", {}).get("SSL") in ("True", "true", "1"),
        # A hanging mail server must not hold a worker.
        "timeout": _email_timeout,
    }
elif _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    # The URL's path is absolute: filemail:///var/mail/practice
    _mail_options = {"file_path": "/" + _email["EMAIL_FILE_PATH"].lstrip("/")}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Harbor & Hearth <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PRACTICE_NOTIFY_EMAIL = env.list("PRACTICE_NOTIFY_EMAIL", default=["office@localhost"])

# The immediate backend runs each task in the request that queued it (after the
# commit); production uses the database backend and `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"),
    }
}

# --- The practice (shown on every page; change per deployment) ---------------

PRACTICE_NAME = env("PRACTICE_NAME", default="Harbor & Hearth Counseling")
PRACTICE_TAGLINE = env(
    "PRACTICE_TAGLINE",
    default="Emotionally Focused Therapy for couples and individuals",
)
PRACTICE_PHONE = env("PRACTICE_PHONE", default="(555) 010-2040")
PRACTICE_EMAIL = env("PRACTICE_EMAIL", default="hello@harborandhearth.example")
PRACTICE_ADDRESS = env(
    "PRACTICE_ADDRESS", default="200 Example Street, Suite 3, Portland, OR 97205"
)
# Opening hours as schema.org writes them, spans separated by semicolons
# (practice/hours.py): shown on the contact page and in structured data.
PRACTICE_HOURS = env("PRACTICE_HOURS", default="Mo-Th 09:00-19:00; Fr 09:00-15:00")
# The contact page's map is a sketch stored with the site (static/img/contact-map.svg);
# this is its text alternative, for people who cannot see it.
PRACTICE_MAP_DESCRIPTION = env(
    "PRACTICE_MAP_DESCRIPTION",
    default=(
        "Sketch map: the office is on Example Street, on the north side between "
        "2nd Avenue and 3rd Avenue, across from Alder Park. The Alder Street bus "
        "stop is half a block west, and the parking garage entrance is on 3rd Avenue."
    ),
)
# Where the practice's clinicians are licensed to see clients.
PRACTICE_REGIONS = env.list("PRACTICE_REGIONS", default=["Oregon", "Washington"])
# Services offered beside individual and couples sessions (intake shows these).
PRACTICE_SERVICES = env.list("PRACTICE_SERVICES", default=["intensive", "consult", "discernment"])
# Whether the practice sees people under 18, from what age, and with whose
# consent: told to anyone who answers "No" to "Are you 18 or older?".
PRACTICE_SEES_MINORS = env.bool("PRACTICE_SEES_MINORS", default=True)
PRACTICE_MINORS_MIN_AGE = env.int("PRACTICE_MINORS_MIN_AGE", default=14)
PRACTICE_MINORS_CONSENT = env(
    "PRACTICE_MINORS_CONSENT",
    default="a parent or guardian, unless the law of your state lets you consent on your own",
)
# When the practice answers new requests, in plain words for the confirmation page.
PRACTICE_RESPONSE_TIME = env("PRACTICE_RESPONSE_TIME", default="within two business days")
# The sender name on emails to people who asked for discretion: it says nothing
# about therapy to someone glancing at their inbox.
PRACTICE_DISCREET_SENDER_NAME = env("PRACTICE_DISCREET_SENDER_NAME", default="HH Office")
# The practice's own words above as the Spanish site shows them (the request's
# emails too, when it was sent in Spanish). An empty value shows the English one.
PRACTICE_TAGLINE_ES = env(
    "PRACTICE_TAGLINE_ES",
    default="Terapia Centrada en las Emociones para parejas y para personas individuales",
)
PRACTICE_RESPONSE_TIME_ES = env(
    "PRACTICE_RESPONSE_TIME_ES", default="en un plazo de dos días hábiles"
)
PRACTICE_MINORS_CONSENT_ES = env(
    "PRACTICE_MINORS_CONSENT_ES",
    default=(
        "uno de sus padres o de su tutor legal, salvo que la ley de su estado le "
        "permita dar su consentimiento por su cuenta"
    ),
)
PRACTICE_MAP_DESCRIPTION_ES = env(
    "PRACTICE_MAP_DESCRIPTION_ES",
    default=(
        "Croquis: la oficina está en Example Street, en el lado norte, entre 2nd "
        "Avenue y 3rd Avenue, frente a Alder Park. La parada de autobús de Alder "
        "Street está a media cuadra hacia el oeste, y la entrada del estacionamiento "
        "está en 3rd Avenue."
    ),
)

# Crisis and domestic-violence resources. The site never provides crisis care; it
# points to those who do. US defaults.
EMERGENCY_NUMBER = env("EMERGENCY_NUMBER", default="911")
CRISIS_LINE_NAME = env("CRISIS_LINE_NAME", default="988 Suicide & Crisis Lifeline")
CRISIS_LINE_NUMBER = env("CRISIS_LINE_NUMBER", default="988")
CRISIS_LINE_TEXT = env("CRISIS_LINE_TEXT", default="Call or text 988, any time")
DV_HOTLINE_NAME = env("DV_HOTLINE_NAME", default="National Domestic Violence Hotline")
DV_HOTLINE_NUMBER = env("DV_HOTLINE_NUMBER", default="1-800-799-7233")
DV_HOTLINE_TEXT = env("DV_HOTLINE_TEXT", default="Text START to 88788")
# For someone under 18: a crisis line for young people.
YOUTH_CRISIS_LINE_NAME = env("YOUTH_CRISIS_LINE_NAME", default="Boys Town National Hotline")
YOUTH_CRISIS_LINE_NUMBER = env("YOUTH_CRISIS_LINE_NUMBER", default="1-800-448-3000")
YOUTH_CRISIS_LINE_TEXT = env(
    "YOUTH_CRISIS_LINE_TEXT", default="Call 1-800-448-3000, day or night, for any young person"
)
# The same resources as the Spanish site names them (the numbers are the ones
# above). 988 answers in Spanish when a caller presses 2 and takes texts of
# AYUDA; the domestic-violence hotline has advocates who speak Spanish. An
# empty value shows the English one.
CRISIS_LINE_NAME_ES = env(
    "CRISIS_LINE_NAME_ES", default="Línea 988 de Prevención del Suicidio y Crisis"
)
CRISIS_LINE_TEXT_ES = env(
    "CRISIS_LINE_TEXT_ES",
    default="Llame al 988 y marque 2 para español, o envíe AYUDA por texto al 988",
)
DV_HOTLINE_NAME_ES = env(
    "DV_HOTLINE_NAME_ES", default="Línea Nacional contra la Violencia Doméstica"
)
DV_HOTLINE_TEXT_ES = env(
    "DV_HOTLINE_TEXT_ES", default="Llame al 1-800-799-7233: le atienden también en español"
)
YOUTH_CRISIS_LINE_NAME_ES = env("YOUTH_CRISIS_LINE_NAME_ES", default="")
YOUTH_CRISIS_LINE_TEXT_ES = env(
    "YOUTH_CRISIS_LINE_TEXT_ES",
    default="Llame al 1-800-448-3000, de día o de noche, para cualquier persona joven",
)

# "Leave this site" (GOV.UK's "Exit this page" pattern) on intake pages and on
# articles in topics about conflict, safety or partners: where it takes the
# person, at once. A neutral page that says nothing about therapy; https only.
QUICK_EXIT_URL = env("QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")
try:
    URLValidator(schemes=["https"])(QUICK_EXIT_URL)
except ValidationError:
    raise ImproperlyConfigured(
        f"QUICK_EXIT_URL must be a full https:// address (got {QUICK_EXIT_URL!r})."
    ) from None

# --- Intake -----------------------------------------------------------------

INTAKE_MIN_SECONDS = env.float("INTAKE_MIN_SECONDS", default=3)
INTAKE_RATE_LIMIT = env("INTAKE_RATE_LIMIT", default="10/h")
# How long a browser keeps a confirmation's reference (its safety, crisis and
# partner parts go after the first view): not renewed by reading pages.
INTAKE_DONE_SECONDS = 30 * 60
INTAKE_INVITATION_DAYS = env.int("INTAKE_INVITATION_DAYS", default=60)
INTAKE_RETENTION_DAYS = env.int("INTAKE_RETENTION_DAYS", default=365)
# Days a request held as possible spam (honeypot filled) waits for staff before
# `manage.py purge_requests` deletes it.
INTAKE_QUARANTINE_DAYS = env.int("INTAKE_QUARANTINE_DAYS", default=30)
# How many proxies (nginx, a load balancer, …) in front of gunicorn append to
# X-Forwarded-For: 1 behind deploy/nginx/practice.conf. 0 trusts none and takes
# the connecting address. Rate limits, sign-in lockouts, access records and the
# request log all use it (practice/proxy.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off "
            "(see README: 'Requests and privacy')."
        )
    # A fixed development key so that `make run` works out of the box; a system
    # check (practice/checks.py) warns about it on every start.
    FIELD_ENCRYPTION_KEYS = ["aBgUL06XpIY8JeFrBwIGAaN6c3UtcgCSC9SsRTJ7V7A="]
# The key of the hashes that let staff find a request by exact email, phone or
# name, which are stored encrypted. Without one, a key derived from the first
# FIELD_ENCRYPTION_KEYS key (rotate_encryption_keys then computes the hashes again).
SEARCH_HASH_KEY = env("SEARCH_HASH_KEY", default="")
FIELD_ENCRYPTION_DEVELOPMENT_KEY = FIELD_ENCRYPTION_KEYS == [
    "aBgUL06XpIY8JeFrBwIGAaN6c3UtcgCSC9SsRTJ7V7A="
]

# --- Authentication ---------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Axes checks each sign-in against the failures recorded before it; the
# ModelBackend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"
LOGIN_URL = "admin:login"
# Staff sign in only to use the admin.
LOGIN_REDIRECT_URL = "admin:index"

# Every staff account signs in with a second factor (practice.admin): a code from
# an authenticator app, or one of its one-time recovery codes. The issuer is the
# name authenticator apps show next to the account.
OTP_TOTP_ISSUER = PRACTICE_NAME
# Nobody reads another person's authenticator key or QR code in the admin, not
# even a superuser: a new one is enrolled with `manage.py enroll_staff_device`.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Five failed sign-ins from one address for one username lock that pair out for
# 15 minutes; the lock then ends by itself, and other addresses are unaffected.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "practice.views.sign_in_locked_out"
# The same client address as the request rate limits (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "practice.proxy.client_address"
# Failures are logged with the username and address; passwords are always
# masked by axes, and the one-time code is masked too. The audit log
# (intake.AccessRecord) keeps sign-ins, so axes keeps no second copy.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["otp_token"]
AXES_DISABLE_ACCESS_LOG = True

# --- Security ---------------------------------------------------------------

# TLS ends at the proxy in front of gunicorn, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Joining the browsers' preload list is a one-way decision for the domain's
# owner, so it is off until they set DJANGO_HSTS_PRELOAD=1; the check that nags
# about it is silenced only while it is deliberately off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions live in the shared cache: a database outage then cannot turn a stored
# request's confirmation into an error, and no session row is written per post.
# While Redis is out of reach, a visitor's session (the confirmation of what
# they sent) travels sealed in its cookie; staff sign-in waits (practice/sessions.py).
SESSION_ENGINE = "practice.sessions"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The __Host- prefix pins a cookie to this host and path / over HTTPS.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions end after 30 minutes idle (renewed on each request) and when the
# browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and 12 hours after signing in, however active (practice.middleware).
STAFF_SESSION_MAX_SECONDS = 12 * 60 * 60
CSRF_FAILURE_VIEW = "practice.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Nothing on a page comes from another host; inline scripts and styles are not
# allowed at all (JSON-LD is data, not script, and is unaffected).
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Internationalisation ---------------------------------------------------

# English at /, Spanish under /es/. The address alone says which: never the
# browser's Accept-Language or a cookie (practice.middleware.UrlLanguageMiddleware),
# so a cached page is the same for everyone who asks for its address.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# The catalogs' sources (.po) are in the repository; their compiled .mo files are
# not: `make run`, `make test` and `manage.py compile_translations` write them.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times in the admin: one format (practice/formats/en/formats.py).
FORMAT_MODULE_PATH = ["practice.formats"]
TIME_ZONE = env("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60

# Forms render through our own pack (templates/crispy_practice/), in the site's
# own classes: crispy_field gives each control the class its widget maps to
# here (a widget missing here would get its own name, which nothing styles).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("crispy_practice",)
CRISPY_TEMPLATE_PACK = "crispy_practice"
CRISPY_CLASS_CONVERTERS = {
    "textinput": "field__input",
    "emailinput": "field__input",
    "urlinput": "field__input",
    "numberinput": "field__input",
    "passwordinput": "field__input",
    "dateinput": "field__input",
    "textarea": "field__input field__input--long",
    "select": "field__select",
    "checkboxinput": "choice__input",
}

# --- Logging ----------------------------------------------------------------

# One key=value line per event on stderr, tagged with the request id. Request
# bodies, query strings and partner tokens are never logged, and exceptions
# are logged by type only (see practice/log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "practice.log.RequestIdFilter"}},
    "formatters": {"kv": {"()": "practice.log.KeyValueFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "kv",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stderr"], "level": env("LOG_LEVEL", default="INFO")},
    # Every logger writes through the one handler above. Django's defaults give
    # "django" handlers of its own and stop "django.server" (runserver's request
    # lines) from propagating; a logger with no handler of its own that does not
    # propagate would end up with Python's last-resort handler, which writes the
    # message as it is, control characters and all.
    "loggers": {
        "django": {"level": "INFO", "handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Our request log covers what these say, without the paths they print.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING", "propagate": True},
        # Failures and lockouts are warnings; its notes on every sign-in are not needed.
        "axes": {"level": "WARNING"},
    },
}
