import pytest
from django.core.cache import cache
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.page_cache import forget_local_state


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
    """The shared cache, and what this process remembers of it (practice.page_cache)."""
    cache.clear()
    forget_local_state()


def enrol_device(user):
    """A confirmed authenticator-app device for `user`, as enroll_staff_device makes."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device):
    """The code the staff member's authenticator app shows now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


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
