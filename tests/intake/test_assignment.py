"""A request is assigned to a clinician: the choice lists active Clinicians only,
by the name colleagues know them by."""

import pytest

from tests.factories import IntakeRequestFactory
from tests.intake.test_admin import change_form_data, change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_staff, django_user_model):
    ana = make_staff("ana", role="Clinicians")
    ana.first_name, ana.last_name = "Ana", "Ruiz"
    ana.save()
    gone = make_staff("gone", role="Clinicians")
    gone.is_active = False
    gone.save()
    return {
        "ana": ana,
        "kim": make_staff("kim", role="Clinicians"),
        "gone": gone,
        "editor": make_staff("eddie", role="Editors"),
        "office": make_staff("office"),
        "root": django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16),
    }


def assigned_clinician_choices(response):
    field = response.context["adminform"].form.fields["assigned_to"]
    return [label for value, label in field.choices if value]


def test_only_active_clinicians_are_offered_by_name(clinician_client, staff):
    response = clinician_client.get(change_url(IntakeRequestFactory()))

    # The clinician signed in has no name: their username stands in for it.
    assert assigned_clinician_choices(response) == ["Ana Ruiz", "clinician", "kim"]
    html = response.content.decode()
    assert ">Ana Ruiz</option>" in html
    assert ">eddie</option>" not in html and ">root</option>" not in html


@pytest.mark.parametrize("who", ["gone", "editor", "office", "root"])
def test_a_forged_choice_of_someone_else_is_refused(clinician_client, staff, who):
    intake_request = IntakeRequestFactory()
    page = clinician_client.get(change_url(intake_request))

    response = clinician_client.post(
        change_url(intake_request), change_form_data(page, assigned_to=staff[who].pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    intake_request.refresh_from_db()
    assert intake_request.assigned_to is None


def test_a_clinician_is_assigned_and_shown_by_name(clinician_client, staff):
    intake_request = IntakeRequestFactory()
    page = clinician_client.get(change_url(intake_request))

    response = clinician_client.post(
        change_url(intake_request), change_form_data(page, assigned_to=staff["ana"].pk)
    )

    assert response.status_code == 302
    intake_request.refresh_from_db()
    assert intake_request.assigned_to == staff["ana"]


def test_a_request_assigned_to_someone_who_left_can_still_be_saved(clinician_client, staff):
    intake_request = IntakeRequestFactory(assigned_to=staff["gone"])
    page = clinician_client.get(change_url(intake_request))

    response = clinician_client.post(
        change_url(intake_request), change_form_data(page, status="contacted")
    )

    assert "gone" in assigned_clinician_choices(page)
    assert response.status_code == 302
    intake_request.refresh_from_db()
    assert (intake_request.status, intake_request.assigned_to) == ("contacted", staff["gone"])
