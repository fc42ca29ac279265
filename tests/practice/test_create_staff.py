"""`manage.py create_staff`: an account in its role with a second factor, ready to
sign in, made by one command that works as the README prints it."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import totp_from_uri
from tests.readme import readme_command

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
OTPAUTH = re.compile(r"otpauth://\S+")


class Typing(list):
    """What the person types at the password prompts, in order; the prompts seen."""

    def __init__(self):
        super().__init__()
        self.prompts = []

    def getpass(self, prompt):
        self.prompts.append(prompt)
        return self.pop(0)


@pytest.fixture
def typed(monkeypatch):
    typing = Typing()
    monkeypatch.setattr("practice.management.commands.create_staff.getpass.getpass", typing.getpass)
    return typing


def create_staff(*args, **options):
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out, **options)
    return out.getvalue()


def sign_in(client, username, password, code):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "otp_token": code}
    )


@pytest.mark.parametrize(
    ("role", "groups", "is_superuser"),
    [("clinician", ["Clinicians"], False), ("editor", ["Editors"], False), ("admin", [], True)],
)
def test_each_role_gets_its_group_and_a_second_factor(typed, role, groups, is_superuser):
    typed.extend([PASSWORD, PASSWORD])

    output = create_staff("--role", role, "--email", "ana@example.org", "--name", "Ana Ruiz", "ana")

    user = get_user_model().objects.get(username="ana")
    assert user.is_staff and user.is_active
    assert user.is_superuser is is_superuser
    assert list(user.groups.values_list("name", flat=True)) == groups
    assert (user.email, user.get_full_name()) == ("ana@example.org", "Ana Ruiz")
    assert user.check_password(PASSWORD)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert OTPAUTH.findall(output) == [device.config_url]
    codes = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in output for code in codes)
    assert len(typed.prompts) == 2


def test_the_printed_address_and_password_sign_in(client):
    output = create_staff("--role", "clinician", "--generate-password", "--no-qr", "sam")

    password = re.search(r"Password \(shown only now\): (\S+)", output).group(1)
    code = totp_from_uri(OTPAUTH.search(output).group())
    response = sign_in(client, "sam", password, code)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert output.count(password) == 1


def test_a_password_can_come_from_standard_input(client):
    create_staff(
        "--role", "editor", "--password-from-stdin", "lee", stdin=io.StringIO(PASSWORD + "\n")
    )

    assert get_user_model().objects.get(username="lee").check_password(PASSWORD)


def test_the_qr_code_is_printed_for_a_phone_to_scan(typed):
    typed.extend([PASSWORD, PASSWORD])

    output = create_staff("--role", "admin", "root")

    # qrcode's terminal rendering: rows of block characters.
    assert sum("█" in line for line in output.splitlines()) > 20


@pytest.mark.parametrize(
    ("passwords", "message"),
    [
        (["short", "short"], "too short"),
        ([PASSWORD, PASSWORD + "x"], "differ"),
        (["password12345", "password12345"], "too common"),
    ],
)
def test_a_refused_password_creates_nothing(typed, passwords, message):
    typed.extend(passwords)

    with pytest.raises(CommandError, match=message):
        create_staff("--role", "clinician", "kim")

    assert not get_user_model().objects.exists()
    assert not TOTPDevice.objects.exists()


def test_an_existing_username_is_refused_and_keeps_its_devices(typed):
    typed.extend([PASSWORD, PASSWORD, PASSWORD, PASSWORD])
    create_staff("--role", "clinician", "kim")
    device = TOTPDevice.objects.get()

    with pytest.raises(CommandError, match="already exists"):
        create_staff("--role", "admin", "kim")

    assert TOTPDevice.objects.get() == device
    assert not get_user_model().objects.get(username="kim").is_superuser


def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        create_staff("--role", "owner", "--generate-password", "kim")


def test_the_readmes_command_works_as_printed_in_the_make_run_environment(tmp_path):
    """As a newcomer runs it: `make run`'s environment and nothing else (no
    secret key, no encryption keys), on a fresh database."""
    env_from_readme, args = readme_command("create_staff")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "FIELD_ENCRYPTION", "DATABASE_URL"))
    }
    env |= env_from_readme | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(django_settings.BASE_DIR / "manage.py")]

    def run(*command, stdin=""):
        return subprocess.run(  # nosec B603: our own manage.py, arguments from the README
            [*manage, *command], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )

    migrated = run("migrate", "--no-input", "-v0")
    # The README's command asks for the password at a terminal; a test types it on stdin.
    created = run("create_staff", *args, "--password-from-stdin", stdin=PASSWORD + "\n")

    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert created.returncode == 0, created.stderr[-2000:]
    assert "otpauth://totp/" in created.stdout
    assert env_from_readme == {"DJANGO_DEBUG": "1"}
