"""What the request form takes from the practice's pages: regions from the
clinicians' licences, a preferred clinician, the telehealth location, the age
question, and links to fees and privacy."""

import pytest
from django.urls import reverse

from intake.forms import IntakeRequestForm
from intake.models import IntakeRequest, PartnerInvitation
from tests.factories import AuthorFactory, LicenceFactory
from tests.intake.journeys import request_post
from tests.intake.test_request_form import errors_of

pytestmark = pytest.mark.django_db


def region_choices():
    return [value for value, _label in IntakeRequestForm().fields["region"].choices if value]


@pytest.fixture
def clinicians(settings):
    settings.PRACTICE_REGIONS = ["Oregon", "Washington", "Idaho"]
    maya = AuthorFactory(name="Maya Okafor", slug="maya-okafor")
    LicenceFactory(author=maya, region="Oregon")
    LicenceFactory(author=maya, region="Washington", kind="LMFT")
    ruth = AuthorFactory(name="Ruth Lindqvist", slug="ruth", is_accepting_clients=False)
    LicenceFactory(author=ruth, region="Idaho", kind="LCPC")
    return {"maya": maya, "ruth": ruth}


def test_regions_are_where_a_clinician_taking_new_clients_is_licensed(clinicians):
    # Idaho: only Ruth is licensed there, and she is not taking new clients.
    assert region_choices() == ["Oregon", "Washington"]


def test_configuration_can_narrow_the_regions(clinicians, settings):
    settings.PRACTICE_REGIONS = ["Washington"]
    assert region_choices() == ["Washington"]


def test_without_any_licence_the_configured_regions_are_offered(settings):
    settings.PRACTICE_REGIONS = ["Oregon", "Washington"]
    AuthorFactory()
    assert region_choices() == ["Oregon", "Washington"]


def test_a_region_without_a_clinician_taking_new_clients_is_refused(client, clinicians):
    response = client.post(reverse("intake:request"), request_post(region="Idaho"))
    assert response.status_code == 200
    assert errors_of(response)["region"] == ["invalid_choice"]
    assert not IntakeRequest.objects.exists()


def test_a_new_licence_shows_on_the_form_at_once(
    client, clinicians, admin_client, django_capture_on_commit_callbacks
):
    assert ">Idaho<" not in client.get(reverse("intake:request")).content.decode()
    ruth = clinicians["ruth"]
    ruth.is_accepting_clients = True
    # Through the admin, as staff would: the page's content version moves on.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:articles_author_change", args=[ruth.pk]),
            {
                "name": ruth.name,
                "slug": ruth.slug,
                "languages": "English",
                "team_position": 1,
                "is_accepting_clients": "on",
                "is_online": "on",
                "licences-TOTAL_FORMS": 1,
                "licences-INITIAL_FORMS": 1,
                "licences-0-id": ruth.licences.get().pk,
                "licences-0-author": ruth.pk,
                "licences-0-region": "Idaho",
                "licences-0-kind": "LCPC",
                "licences-0-number": "C77",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.cookies.clear()
    assert ">Idaho<" in client.get(reverse("intake:request")).content.decode()
    # A post reads the choices kept for this content version too, the new ones.
    assert client.post(reverse("intake:request"), request_post(region="Idaho")).status_code == 302
    assert IntakeRequest.objects.get().region == "Idaho"


def test_a_profile_link_preselects_the_clinician_and_the_request_keeps_them(
    client, clinicians, admin_client
):
    html = client.get(reverse("intake:request"), {"clinician": "maya-okafor"}).content.decode()
    assert '<option value="maya-okafor" selected>Maya Okafor</option>' in html
    assert "Ruth Lindqvist (not taking new clients at the moment)" in html

    client.post(reverse("intake:request"), request_post(preferred_clinician="maya-okafor"))

    saved = IntakeRequest.objects.get()
    assert saved.preferred_clinician == clinicians["maya"]
    page = admin_client.get(reverse("admin:intake_intakerequest_change", args=[saved.pk]))
    assert "Maya Okafor" in page.content.decode()


def test_an_unknown_clinician_in_the_link_preselects_nothing(client, clinicians):
    html = client.get(reverse("intake:request"), {"clinician": "nobody"}).content.decode()
    select = html.split('name="preferred_clinician"')[1].split("</select>")[0]
    assert '<option value="" selected>No preference</option>' in select
    assert select.count(" selected>") == 1


@pytest.mark.parametrize("session_format", ["online", "either"])
def test_online_sessions_need_the_location_confirmed(client, clinicians, session_format):
    response = client.post(
        reverse("intake:request"),
        request_post(session_format=session_format, online_location_confirmed=None),
    )
    assert response.status_code == 200
    assert errors_of(response)["online_location_confirmed"] == ["required"]
    html = response.content.decode()
    assert "Please confirm you will be in Oregon or Washington during online sessions" in html
    assert not IntakeRequest.objects.exists()


def test_the_telehealth_confirmation_is_stored_and_shown_to_staff(client, clinicians, admin_client):
    client.post(reverse("intake:request"), request_post(session_format="online"))
    saved = IntakeRequest.objects.get()
    assert saved.online_location_confirmed_at is not None
    page = admin_client.get(reverse("admin:intake_intakerequest_change", args=[saved.pk]))
    assert "confirmed they will be in a licensed state during online sessions" in (
        page.content.decode().lower()
    )


def test_in_person_sessions_need_no_location_confirmation(client, clinicians):
    response = client.post(
        reverse("intake:request"),
        request_post(session_format="in_person", online_location_confirmed=None),
    )
    assert response.status_code == 302
    assert IntakeRequest.objects.get().online_location_confirmed_at is None


def test_the_age_question_must_be_answered(client):
    response = client.post(reverse("intake:request"), request_post(is_adult=None))
    assert errors_of(response)["is_adult"] == ["required"]
    assert "Please tell us whether you are 18 or older." in response.content.decode()


def test_under_18_asking_for_couples_makes_no_couples_request_and_no_partner_link(
    client, admin_client
):
    response = client.post(
        reverse("intake:request"),
        request_post(
            "couples",
            is_adult="no",
            # A person under 18 need not answer the couples questions.
            partner_readiness=None,
            wants_now=None,
            agrees_confidentiality=None,
        ),
    )
    assert response.status_code == 302
    saved = IntakeRequest.objects.get()
    assert saved.is_adult is False
    assert saved.journey == "individual"
    assert saved.partner_first_name == "" and saved.partner_readiness == ""
    assert not PartnerInvitation.objects.exists()

    done = client.get(reverse("intake:done")).content.decode()
    assert "Because you are under 18" in done
    assert "Boys Town National Hotline" in done
    assert "partner-link" not in done

    changelist = admin_client.get(reverse("admin:intake_intakerequest_changelist"))
    assert "<strong>Under 18</strong>" in changelist.content.decode()
    assert (
        admin_client.get(reverse("admin:intake_intakerequest_changelist"), {"is_adult__exact": "0"})
        .context["cl"]
        .result_count
        == 1
    )


def test_under_18_a_safety_answer_is_kept_and_flagged(client):
    client.post(
        reverse("intake:request"),
        request_post(
            "couples",
            is_adult="no",
            partner_safety="yes",
            partner_readiness=None,
            agrees_confidentiality=None,
        ),
    )
    saved = IntakeRequest.objects.get()
    assert saved.partner_safety == "yes"
    assert saved.is_safety_flagged
    assert not PartnerInvitation.objects.exists()


def test_the_minors_policy_follows_configuration(client, settings):
    settings.PRACTICE_SEES_MINORS = False
    settings.YOUTH_CRISIS_LINE_NAME = "Teen Help Line"
    html = client.get(reverse("intake:request")).content.decode()
    assert "our clinicians see adults only" in html
    assert "Teen Help Line" in html


def test_payment_links_the_fees_and_consent_links_the_privacy_notice(client):
    html = client.get(reverse("intake:request")).content.decode()
    after_payment = html.split('name="payment"')[-1]
    assert f'href="{reverse("fees")}"' in after_payment.split('name="concerns"')[0]
    after_consent = html.split('name="consent"')[1]
    assert f'href="{reverse("privacy")}"' in after_consent.split("</fieldset>")[0]


@pytest.mark.parametrize(("payment", "told"), [("self_pay", True), ("out_of_network", False)])
def test_a_self_pay_confirmation_promises_a_good_faith_estimate(client, payment, told):
    client.post(reverse("intake:request"), request_post(payment=payment))
    done = client.get(reverse("intake:done")).content.decode()
    assert ("Good Faith Estimate" in done) is told
