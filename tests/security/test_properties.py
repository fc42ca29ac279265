"""Whatever text arrives in whatever field, the public forms never answer 5xx."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.forms import IntakeRequestForm, PartnerResponseForm
from intake.models import PartnerInvitation
from intake.services import invitation_create
from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)
from tests.security.hostile import REQUEST_URL

pytestmark = pytest.mark.django_db

ALLOWED = {200, 302, 400, 429}
# Any character a browser can send (surrogates cannot be encoded as UTF-8).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
REQUEST_FIELDS = sorted({*IntakeRequestForm.base_fields, "csrfmiddlewaretoken", "status", "id"})
PARTNER_FIELDS = sorted({*PartnerResponseForm.base_fields, "csrfmiddlewaretoken", "request"})
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def with_values(data: dict, values: dict, *, as_list: bool) -> dict:
    return data | {name: [value, value] if as_list else value for name, value in values.items()}


@FUZZ
@given(
    journey=st.sampled_from(["individual", "couples", "intensive", "consult"]),
    values=st.dictionaries(st.sampled_from(REQUEST_FIELDS), ANY_TEXT, min_size=1, max_size=4),
    as_list=st.booleans(),
)
def test_any_text_in_any_request_field_never_gives_a_5xx(client, journey, values, as_list):
    cache.clear()

    response = client.post(REQUEST_URL, with_values(request_post(journey), values, as_list=as_list))

    assert response.status_code in ALLOWED


@pytest.fixture
def couples_request(client):
    intake_request, _token = couples_request_with_token(client)
    return intake_request


@FUZZ
@given(
    answer=st.sampled_from(["join", "questions", "not_now"]),
    values=st.dictionaries(st.sampled_from(PARTNER_FIELDS), ANY_TEXT, min_size=1, max_size=4),
    as_list=st.booleans(),
)
def test_any_text_in_any_partner_field_never_gives_a_5xx(
    client, couples_request, answer, values, as_list
):
    cache.clear()
    # A fresh link each time: an accepted answer closes the one before.
    PartnerInvitation.objects.filter(intake_request=couples_request).delete()
    _invitation, token = invitation_create(intake_request=couples_request)

    response = client.post(
        partner_url(token), with_values(partner_post(answer), values, as_list=as_list)
    )

    assert response.status_code in ALLOWED


@FUZZ
@given(token=ANY_TEXT)
def test_any_partner_token_is_a_404_never_a_5xx(client, token):
    response = client.get(f"{REQUEST_URL}partner/{token}/")

    assert response.status_code in {404, 301, 302}
