"""Staff sign in with a password and a second factor, and guessing is limited."""

import importlib
import io
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cache import SessionStore
from django.core.management import CommandError, call_command
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AccessRecord
from tests.conftest import enrol_device, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
WRONG_PASSWORD = "Wrong-horse-battery-staple-9"
ADDRESS = "203.0.113.5"
OTHER_ADDRESS = "198.51.100.9"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("office", password=PASSWORD, is_staff=True)


@pytest.fixture
def device(staff):
    return enrol_device(staff)


def sign_in(client, *, username="office", password=PASSWORD, code="", address=ADDRESS):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=address,
    )


def opens_the_admin(client):
    return client.get(reverse("admin:index")).status_code == 200


# --- Two factors -----------------------------------------------------------------


def test_login_page_asks_for_the_code(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in html
    assert "The 6-digit code from your authenticator app, or one of your recovery codes" in html
    assert 'autocomplete="one-time-code"' in html


def test_staff_without_a_device_cannot_sign_in(client, staff):
    response = sign_in(client, code="123456")

    assert response.status_code == 200
    assert "no second factor" in response.content.decode()
    assert not opens_the_admin(client)


def test_a_password_alone_is_not_enough(client, device):
    response = sign_in(client)

    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.content.decode()
    assert not opens_the_admin(client)


def test_a_wrong_code_is_refused(client, device):
    wrong = f"{(int(totp_code(device)) + 1) % 10**6:06d}"

    response = sign_in(client, code=wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not opens_the_admin(client)


def test_password_and_the_apps_code_open_the_admin(client, device):
    response = sign_in(client, code=totp_code(device))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert opens_the_admin(client)


def test_a_recovery_code_works_once(client, staff):
    recovery = StaticDevice.objects.create(user=staff, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="r3covery1")

    first = sign_in(client, code="r3covery1")
    client.post(reverse("admin:logout"))
    second = sign_in(client, code="r3covery1")

    assert first.status_code == 302
    assert second.status_code == 200
    assert not opens_the_admin(client)


def test_a_session_without_a_second_factor_is_sent_to_sign_in(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    for url in (reverse("admin:index"), reverse("admin:intake_intakerequest_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_signing_in_starts_a_new_session(client, device):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    sign_in(client, code=totp_code(device))

    assert client.session.session_key != before
    assert not SessionStore().exists(before)


def test_admin_url_is_a_setting(settings):
    default = settings.ADMIN_URL
    assert reverse("admin:index") == "/" + default
    settings.ADMIN_URL = "back-office-7f3a/"
    try:
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        clear_url_caches()
        assert reverse("admin:index") == "/back-office-7f3a/"
        assert reverse("admin:login") == "/back-office-7f3a/login/"
    finally:
        settings.ADMIN_URL = default
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        clear_url_caches()
    assert reverse("admin:index") == "/" + default


# --- Failed sign-ins ---------------------------------------------------------------


def fail_five_times(client, address=ADDRESS):
    return [sign_in(client, password=WRONG_PASSWORD, address=address) for _ in range(5)]


def test_five_wrong_passwords_lock_out_that_username_from_that_address(client, device):
    failures = fail_five_times(client)

    locked = sign_in(client, code=totp_code(device))

    assert [r.status_code for r in failures[:4]] == [200] * 4
    assert locked.status_code == 429
    assert "Too many sign-in attempts: try again in 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    assert "default-src 'none'" in locked["Content-Security-Policy"]
    assert not opens_the_admin(client)


def test_another_address_can_still_sign_in(client, device):
    fail_five_times(client)

    response = sign_in(client, code=totp_code(device), address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert opens_the_admin(client)


def test_another_username_from_the_same_address_is_not_locked(client, device):
    get_user_model().objects.create_user("helper", password=PASSWORD, is_staff=True)
    fail_five_times(client)

    response = sign_in(client, username="helper", password=WRONG_PASSWORD)

    assert response.status_code == 200


def test_the_lockout_ends_by_itself_after_fifteen_minutes(client, device):
    fail_five_times(client)
    assert sign_in(client, code=totp_code(device)).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = sign_in(client, code=totp_code(device))

    assert response.status_code == 302
    assert opens_the_admin(client)


def test_a_successful_sign_in_forgets_earlier_failures(client, device):
    for _ in range(4):
        sign_in(client, password=WRONG_PASSWORD)
    assert sign_in(client, code=totp_code(device)).status_code == 302
    client.post(reverse("admin:logout"))

    # Four more mistakes are not yet a lockout.
    for _ in range(4):
        assert sign_in(client, password=WRONG_PASSWORD).status_code == 200


def test_failed_sign_ins_are_logged_without_the_password(client, device, caplog):
    with caplog.at_level(logging.INFO):
        fail_five_times(client)

    failures = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert any("office" in message and ADDRESS in message for message in failures)
    assert any("Locking out" in message for message in failures)
    assert WRONG_PASSWORD not in caplog.text
    assert WRONG_PASSWORD not in str(list(AccessAttempt.objects.values()))


# --- The audit log -----------------------------------------------------------------


def test_sign_in_failed_sign_in_and_sign_out_are_audited_with_the_address(client, device):
    sign_in(client, password=WRONG_PASSWORD)
    sign_in(client, code=totp_code(device))
    client.post(reverse("admin:logout"), REMOTE_ADDR=ADDRESS)

    records = list(
        AccessRecord.objects.order_by("pk").values_list("action", "username", "ip_address")
    )
    assert records == [
        ("login_failed", "office", ADDRESS),
        ("login", "office", ADDRESS),
        ("logout", "office", ADDRESS),
    ]
    assert all(record.created_at for record in AccessRecord.objects.all())


def test_audited_address_is_the_client_behind_a_trusted_proxy(client, device, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    client.post(
        reverse("admin:login"),
        {"username": "office", "password": WRONG_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ADDRESS}",
    )

    assert AccessRecord.objects.get().ip_address == ADDRESS


# --- Enrolling a device ------------------------------------------------------------


def enrol(username, *args):
    out = io.StringIO()
    call_command("enroll_staff_device", username, *args, stdout=out)
    return out.getvalue()


def test_enrolling_prints_the_setup_address_and_ten_recovery_codes(client, staff):
    output = enrol("office")

    totp = TOTPDevice.objects.get(user=staff)
    codes = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert totp.confirmed
    assert totp.config_url in output
    assert output.count("otpauth://") == 1
    assert len(codes) == 10
    assert all(code in output for code in codes)
    # A printed recovery code signs in.
    assert sign_in(client, code=codes[0]).status_code == 302


def test_enrolling_again_replaces_the_old_devices(staff):
    enrol("office", "--no-qr")
    old_codes = set(StaticToken.objects.values_list("token", flat=True))

    enrol("office", "--no-qr")

    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert StaticDevice.objects.filter(user=staff).count() == 1
    assert not old_codes & set(StaticToken.objects.values_list("token", flat=True))


def test_enrolling_refuses_accounts_that_are_not_staff(django_user_model):
    django_user_model.objects.create_user("visitor", password=PASSWORD)

    with pytest.raises(CommandError, match="not a staff account"):
        enrol("visitor")
    assert not TOTPDevice.objects.exists()


def test_enrolling_refuses_unknown_accounts():
    with pytest.raises(CommandError, match="No account named"):
        enrol("nobody")
