"""Every response that shows a request leaves exactly one access record, whatever
the method or the status, and names the client's own address.

The pages are the request admin's own URL patterns, found as the role matrix
finds them (tests/admin_pages.py): a new page about a request is walked too.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from intake.models import AccessRecord
from tests.admin_pages import admin_urls, concrete, one_of_each
from tests.conftest import otp_login

pytestmark = pytest.mark.django_db

REQUEST_PAGES = [url for url in admin_urls() if url.model == "intake.intakerequest"]
# Pages about one request: every time one is shown counts as an opening.
ONE_REQUEST_PAGES = {"change", "history", "delete"}
ONE_REQUEST_VIEWS = {
    "intake_intakerequest_revoke",
    "intake_intakerequest_replace_link",
    "intake_intakerequest_discard",
}
# What only the request's own page may show (tests/factories.py's values): what
# the person wrote and their details, the partner's answers, the notes.
PROTECTED = [
    "Sam Rivera",
    "sam@example.com",
    "We keep having the same argument about my mother.",
    "I am nervous about this but willing to try.",
    "alex@example.com",
    "Called back; left no voicemail as asked.",
]


@pytest.fixture
def staff(django_user_model):
    clinician = django_user_model.objects.create_user("clin", password="x" * 16, is_staff=True)
    clinician.groups.add(Group.objects.get(name="Clinicians"))
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    return {"clinician": otp_login(Client(), clinician), "superuser": otp_login(Client(), root)}


def opened(reference) -> int:
    return AccessRecord.objects.filter(action=AccessRecord.Action.VIEW, reference=reference).count()


@pytest.mark.parametrize("role", ["clinician", "superuser"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", REQUEST_PAGES, ids=[url.key for url in REQUEST_PAGES])
def test_each_response_that_shows_a_request_is_recorded_once(settings, staff, url, method, role):
    objects = one_of_each(settings)
    reference = objects["intake.intakerequest"].reference
    before = opened(reference)

    response = getattr(staff[role], method)(concrete(url, objects))

    html = response.content.decode(errors="replace")
    shows_one_request = response.status_code == 200 and (
        url.kind in ONE_REQUEST_PAGES or url.key in ONE_REQUEST_VIEWS
    )
    shows_protected = any(text in html for text in PROTECTED)
    recorded = opened(reference) - before
    assert recorded == (1 if shows_one_request else 0), (response.status_code, recorded)
    if shows_protected:
        assert recorded == 1


def test_a_change_page_posted_with_a_mistake_is_recorded(settings, staff):
    objects = one_of_each(settings)
    intake_request = objects["intake.intakerequest"]
    change = concrete(next(u for u in REQUEST_PAGES if u.kind == "change"), objects)

    response = staff["clinician"].post(change, {"status": "not-a-status"})

    assert response.status_code == 200
    assert "Sam Rivera" in response.content.decode()
    assert opened(intake_request.reference) == 1


def test_every_record_names_the_client_behind_a_trusted_proxy(settings, staff):
    settings.TRUSTED_PROXY_COUNT = 1
    objects = one_of_each(settings)
    change = concrete(next(u for u in REQUEST_PAGES if u.kind == "change"), objects)

    staff["clinician"].get(
        change, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7"
    )
    staff["clinician"].get(
        concrete(next(u for u in REQUEST_PAGES if u.kind == "changelist"), objects),
        {"q": "sam@example.com"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    addresses = dict(
        AccessRecord.objects.filter(action__in=["view", "search"]).values_list(
            "action", "ip_address"
        )
    )
    assert addresses == {"view": "203.0.113.7", "search": "203.0.113.8"}
