from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake import staff
from intake.models import (
    AccessRecord,
    IntakeRequest,
    Note,
    Notification,
    PartnerInvitation,
    PartnerResponse,
)
from tests.factories import (
    IntakeRequestFactory,
    NoteFactory,
    NotificationFactory,
    PartnerResponseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_of_every_age(settings, admin_user):
    settings.INTAKE_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    old_closed = IntakeRequestFactory(journey="couples", status="closed", closed_at=long_ago)
    PartnerResponseFactory(intake_request=old_closed)
    NoteFactory(intake_request=old_closed)
    NotificationFactory(intake_request=old_closed, kind="new_request")
    staff.access_records_create(
        action=AccessRecord.Action.VIEW, user=admin_user, references=[old_closed.reference]
    )
    return {
        "old_closed": old_closed,
        "recently_closed": IntakeRequestFactory(
            status="closed", closed_at=timezone.now() - timedelta(days=29)
        ),
        "old_open": IntakeRequestFactory(created_at=long_ago),
    }


def purge(*args):
    out = StringIO()
    call_command("purge_requests", *args, stdout=out)
    return out.getvalue()


def test_purge_deletes_old_closed_requests_with_everything_attached(requests_of_every_age):
    old = requests_of_every_age["old_closed"]

    output = purge()

    assert set(IntakeRequest.objects.values_list("reference", flat=True)) == {
        requests_of_every_age["recently_closed"].reference,
        requests_of_every_age["old_open"].reference,
    }
    for model in (PartnerInvitation, PartnerResponse, Note, Notification):
        assert not model.objects.exists(), model
    assert "Deleted 1 request(s)" in output
    assert old.reference in output


def test_access_records_keep_the_reference_of_a_purged_request(requests_of_every_age):
    purge()

    record = AccessRecord.objects.get(action="view")
    assert record.reference == requests_of_every_age["old_closed"].reference


def test_dry_run_says_what_it_would_delete_and_deletes_nothing(requests_of_every_age):
    output = purge("--dry-run")

    assert "Would delete 1 request(s)" in output
    assert requests_of_every_age["old_closed"].reference in output
    assert requests_of_every_age["old_open"].reference not in output
    assert IntakeRequest.objects.count() == 3
    assert Note.objects.count() == 1


def test_nothing_to_purge_says_so(settings):
    IntakeRequestFactory()

    assert "nothing to delete" in purge()
    assert IntakeRequest.objects.count() == 1
