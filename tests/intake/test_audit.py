import pytest
from django.urls import reverse

from intake.models import AccessRecord
from tests.conftest import enrol_device, totp_code
from tests.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def records(action):
    return AccessRecord.objects.filter(action=action)


def test_opening_a_request_records_who_which_and_from_where(clinician_client, clinician):
    intake_request = IntakeRequestFactory()

    clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk]),
        REMOTE_ADDR="203.0.113.7",
    )

    record = records("view").get()
    assert record.user == clinician
    assert record.username == "clinician"
    assert record.reference == intake_request.reference
    assert record.ip_address == "203.0.113.7"
    assert record.created_at is not None


def test_behind_a_trusted_proxy_records_name_the_client_not_the_proxy(clinician_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    intake_request = IntakeRequestFactory()

    clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7",
    )
    clinician_client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "mark_contacted", "_selected_action": [intake_request.pk]},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    opened_or_changed = AccessRecord.objects.filter(action__in=["view", "change"])
    assert set(opened_or_changed.values_list("action", "ip_address")) == {
        ("view", "203.0.113.7"),
        ("change", "203.0.113.7"),
    }


def test_the_list_and_a_refused_opening_record_no_view(editor_client):
    intake_request = IntakeRequestFactory()

    editor_client.get(reverse("admin:intake_intakerequest_change", args=[intake_request.pk]))
    editor_client.get(reverse("admin:intake_intakerequest_changelist"))

    assert not records("view").exists()


def test_saving_a_request_records_a_change(admin_client):
    intake_request = IntakeRequestFactory()

    admin_client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "mark_contacted", "_selected_action": [intake_request.pk]},
    )

    assert records("change").get().reference == intake_request.reference


def test_exporting_records_one_record_per_request(admin_client, admin_user):
    first, second = IntakeRequestFactory(), IntakeRequestFactory()

    admin_client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
        REMOTE_ADDR="198.51.100.4",
    )

    exported = records("export")
    assert {r.reference for r in exported} == {first.reference, second.reference}
    assert {(r.user_id, r.ip_address) for r in exported} == {(admin_user.pk, "198.51.100.4")}


def test_sign_in_sign_out_and_failed_sign_in_are_recorded_without_the_password(client, make_staff):
    device = enrol_device(make_staff("robin"))
    login_url = reverse("admin:login")

    client.post(
        login_url, {"username": "robin", "password": "wrong-password-123", "otp_token": "123456"}
    )
    client.post(
        login_url,
        {"username": "robin", "password": "a-long-password!", "otp_token": totp_code(device)},
    )
    client.post(reverse("admin:logout"))

    assert list(
        AccessRecord.objects.order_by("pk").values_list("action", "username", "ip_address")
    ) == [
        ("login_failed", "robin", "127.0.0.1"),
        ("login", "robin", "127.0.0.1"),
        ("logout", "robin", "127.0.0.1"),
    ]
    stored = " ".join(str(value) for value in AccessRecord.objects.values_list())
    assert "wrong-password" not in stored


def test_access_records_are_read_only_even_for_superusers(admin_client):
    intake_request = IntakeRequestFactory()
    admin_client.get(reverse("admin:intake_intakerequest_change", args=[intake_request.pk]))
    record = records("view").get()
    change = reverse("admin:intake_accessrecord_change", args=[record.pk])

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"username": "someone"}).status_code == 403
    assert admin_client.get(reverse("admin:intake_accessrecord_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:intake_accessrecord_delete", args=[record.pk])).status_code
        == 403
    )
    bulk_delete = admin_client.post(
        reverse("admin:intake_accessrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk]},
    )
    assert bulk_delete.status_code in (200, 302)
    assert AccessRecord.objects.filter(pk=record.pk, username="admin").exists()


def test_superusers_filter_and_search_access_records(admin_client):
    intake_request = IntakeRequestFactory()
    admin_client.get(reverse("admin:intake_intakerequest_change", args=[intake_request.pk]))
    url = reverse("admin:intake_accessrecord_changelist")

    by_action = admin_client.get(url, {"action__exact": "view"})
    by_reference = admin_client.get(url, {"q": intake_request.reference})

    assert [r.action for r in by_action.context["cl"].result_list] == ["view"]
    assert [r.reference for r in by_reference.context["cl"].result_list] == [
        intake_request.reference
    ]
