import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.conftest import otp_login

ARTICLE_PERMISSIONS = ["add_article", "change_article", "view_article", "delete_article"]
PEOPLE_PERMISSIONS = ["view_author", "view_topic"]


def make_staff(username, codenames):
    user = get_user_model().objects.create_user(
        username, password="a-long-enough-password", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    return user


@pytest.fixture
def writer():
    """Staff who may write and save articles, but not publish them."""
    return make_staff("writer", ARTICLE_PERMISSIONS + PEOPLE_PERMISSIONS)


@pytest.fixture
def editor():
    """Staff who may also publish."""
    return make_staff("editor", [*ARTICLE_PERMISSIONS, *PEOPLE_PERMISSIONS, "publish_article"])


@pytest.fixture
def writer_client(client, writer):
    return otp_login(client, writer)


@pytest.fixture
def editor_client(client, editor):
    return otp_login(client, editor)
