"""Staff sign in with a password and a second factor, and guessing is limited."""

import importlib
import io
import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cache import SessionStore
from django.core.management import CommandError, call_command
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AccessRecord
from practice.admin import SIGN_IN_FAILED
from tests.conftest import enrol_device, totp_code
from tests.practice.hashers import CountingHasher

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


def test_login_page_asks_for_username_password_and_code_on_one_form(client):
    html = client.get(reverse("admin:login")).content.decode()

    form = html[html.index(f'<form action="{reverse("admin:login")}"') : html.index("</form>")]
    for name in ("username", "password", "otp_token"):
        assert f'name="{name}"' in form
    assert "The 6-digit code from your authenticator app, or one of your recovery codes" in html
    assert 'autocomplete="one-time-code"' in html
    assert "otp_device" not in html


def other_code(device):
    return f"{(int(totp_code(device)) + 1) % 10**6:06d}"


def normalised(html: str) -> str:
    """A sign-in page without what differs by design: the CSRF token and the
    username as typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="username" value="[^"]*"', 'name="username"', html)


@pytest.fixture
def counted(monkeypatch, settings):
    """How often each failure runs the password hasher and a code check."""
    settings.PASSWORD_HASHERS = ["tests.practice.hashers.CountingHasher"]
    counts = {"hasher": 0, "code checks": 0}
    CountingHasher.calls = counts
    verify = TOTP.verify

    def counting_verify(self, *args, **kwargs):
        counts["code checks"] += 1
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(TOTP, "verify", counting_verify)
    return counts


def test_every_failed_sign_in_looks_the_same_and_costs_the_same(
    client, device, django_user_model, counted
):
    django_user_model.objects.create_user("visitor", password=PASSWORD)
    django_user_model.objects.create_user("gone", password=PASSWORD, is_staff=True, is_active=False)
    django_user_model.objects.create_user("nodevice", password=PASSWORD, is_staff=True)
    attempts = {
        "unknown username": {"username": "nobody", "code": totp_code(device)},
        "wrong password": {"password": WRONG_PASSWORD, "code": totp_code(device)},
        "right password, wrong code": {"code": other_code(device)},
        "right password, a recovery code that does not exist": {"code": "abcdefgh"},
        "not a staff account": {"username": "visitor", "code": "123456"},
        "inactive account": {"username": "gone", "code": "123456"},
        "no second factor": {"username": "nodevice", "code": "123456"},
    }

    pages = {}
    for name, attempt in attempts.items():
        counted.update({"hasher": 0, "code checks": 0})
        response = sign_in(client, **attempt)
        html = response.content.decode()
        checks = 1 if attempt["code"].isdigit() else 0
        assert (response.status_code, counted) == (200, {"hasher": 1, "code checks": checks}), name
        assert SIGN_IN_FAILED in html, name
        pages[name] = normalised(html)

    assert len(set(pages.values())) == 1, "the failure pages differ"
    assert not opens_the_admin(client)


def test_the_password_is_never_written_back_into_the_page(client, device):
    responses = [
        sign_in(client, code=other_code(device)),
        sign_in(client, password=WRONG_PASSWORD, code=totp_code(device)),
        sign_in(client, username="nobody", code="123456"),
        sign_in(client, code=""),
    ]

    for response in responses:
        html = response.content.decode()
        assert PASSWORD not in html and WRONG_PASSWORD not in html
        assert 'name="password" autocomplete="current-password"' in html
        assert re.search(r'<input type="password" name="password"(?![^>]*value=)', html)


def test_a_missing_code_is_asked_for_without_checking_the_password(client, device, counted):
    right = sign_in(client)
    wrong = sign_in(client, password=WRONG_PASSWORD)

    assert right.status_code == wrong.status_code == 200
    assert normalised(right.content.decode()) == normalised(wrong.content.decode())
    assert "This field is required." in right.content.decode()
    assert counted["hasher"] == 0
    assert not AccessRecord.objects.exists()


def test_staff_without_a_device_cannot_sign_in(client, staff):
    response = sign_in(client, code="123456")

    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.content.decode()
    assert not opens_the_admin(client)


def test_a_wrong_code_is_refused(client, device):
    response = sign_in(client, code=other_code(device))

    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.content.decode()
    assert not opens_the_admin(client)


def test_the_code_may_be_typed_with_a_space_in_the_middle(client, device):
    code = totp_code(device)

    response = sign_in(client, code=f"{code[:3]} {code[3:]}")

    assert response.status_code == 302
    assert opens_the_admin(client)


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
    return [
        sign_in(client, password=WRONG_PASSWORD, code="123456", address=address) for _ in range(5)
    ]


def test_five_wrong_passwords_lock_out_that_username_from_that_address(client, device):
    failures = fail_five_times(client)

    locked = sign_in(client, code=totp_code(device))

    assert [r.status_code for r in failures[:4]] == [200] * 4
    assert locked.status_code == 429
    assert "Too many sign-in attempts: try again in 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    assert "default-src 'none'" in locked["Content-Security-Policy"]
    assert not opens_the_admin(client)


def test_a_right_password_with_wrong_codes_locks_out_like_any_failure(client, device):
    failures = [sign_in(client, code=other_code(device)) for _ in range(5)]

    locked = sign_in(client, code=totp_code(device))

    assert [r.status_code for r in failures[:4]] == [200] * 4
    assert failures[4].status_code == locked.status_code == 429
    assert not opens_the_admin(client)
    assert AccessAttempt.objects.get().failures_since_start == 5
    # The five failures, and the refused try with the right code.
    assert (
        list(AccessRecord.objects.values_list("action", "username", "ip_address"))
        == [("login_failed", "office", ADDRESS)] * 6
    )


def test_unknown_usernames_are_locked_out_the_same_way(client):
    statuses = [
        sign_in(client, username="nobody", password=WRONG_PASSWORD, code="123456").status_code
        for _ in range(6)
    ]

    assert statuses == [200] * 4 + [429] * 2


def test_another_address_can_still_sign_in(client, device):
    fail_five_times(client)

    response = sign_in(client, code=totp_code(device), address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert opens_the_admin(client)


def test_another_username_from_the_same_address_is_not_locked(client, device):
    get_user_model().objects.create_user("helper", password=PASSWORD, is_staff=True)
    fail_five_times(client)

    response = sign_in(client, username="helper", password=WRONG_PASSWORD, code="123456")

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
        sign_in(client, password=WRONG_PASSWORD, code="123456")
    assert sign_in(client, code=totp_code(device)).status_code == 302
    client.post(reverse("admin:logout"))

    # Four more mistakes are not yet a lockout.
    for _ in range(4):
        assert sign_in(client, password=WRONG_PASSWORD, code="123456").status_code == 200


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
    sign_in(client, password=WRONG_PASSWORD, code="123456")
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
        {"username": "office", "password": WRONG_PASSWORD, "otp_token": "123456"},
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
