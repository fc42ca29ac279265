import base64
import hashlib
import hmac
import struct
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.urls import get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.reads import reads_forget
from practice.page_cache import forget_local_state
from practice.translations import catalogs_compile


def pytest_configure(config):
    # The compiled catalogs are not committed: a plain `pytest` compiles the
    # stale ones before any test reads them, as `make test` does.
    catalogs_compile([Path(__file__).resolve().parent.parent / "locale"])


@pytest.fixture(scope="session", autouse=True)
def _urls_imported_with_the_real_settings():
    # practice/urls.py reads ADMIN_URL when it is first imported. Were that
    # import to happen inside a test that overrides ADMIN_URL (a system check
    # run imports it), every later test would find the admin elsewhere.
    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Fast hashing, and static files straight from the source folders (no
    # collectstatic needed before a test run).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    empty_caches()
    yield
    empty_caches()


def empty_caches():
    """The shared caches, what this process remembers of them (practice.page_cache),
    and the article reads it has counted but not written (articles.reads)."""
    for backend in caches.all():
        backend.clear()
    forget_local_state()
    reads_forget()


def enrol_device(user):
    """A confirmed authenticator-app device for `user`, as enroll_staff_device makes."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device):
    """The code the staff member's authenticator app shows now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def totp_from_uri(uri: str, *, at: float | None = None) -> str:
    """The code any authenticator app shows for an otpauth:// address (RFC 6238),
    worked out here from the address alone, as the app would."""
    query = parse_qs(urlsplit(uri).query)
    secret = query["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digits = int(query.get("digits", ["6"])[0])
    period = int(query.get("period", ["30"])[0])
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def otp_login(client, user):
    """Sign `user` in as after a password and a one-time code: force_login alone
    is not enough for the admin, which also wants a verified device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, verified by a second factor."""
    return otp_login(client, admin_user)
