"""Shared intake fixtures: staff in their roles. Requests and what hangs off
them come from tests/factories.py."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from tests.conftest import otp_login


@pytest.fixture
def make_staff(db):
    """A staff user in the given role (group name), with any extra permissions."""

    def make(username, *, role=None, perms=()):
        user = User.objects.create_user(username, f"{username}@example.com", "a-long-password!")
        user.is_staff = True
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


@pytest.fixture
def clinician(make_staff):
    return make_staff("clinician", role="Clinicians")


@pytest.fixture
def editor(make_staff):
    return make_staff("editor", role="Editors")


@pytest.fixture
def clinician_client(client, clinician):
    return otp_login(client, clinician)


@pytest.fixture
def editor_client(client, editor):
    return otp_login(client, editor)
