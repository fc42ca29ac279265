"""Crisis help first, literally (issue 11, point 2): beside the question without
JavaScript, and before the error summary of a form shown again after "yes".

What the script does with a "yes" is in tests/browser/test_crisis_help.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import IntakeRequest, PartnerResponse
from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

CRISIS_HEADING = '<h2 id="crisis-heading">If you are in danger right now</h2>'


def request_page(client, **overrides):
    return client.post(reverse("intake:request"), request_post("individual", **overrides))


def partner_page(**overrides):
    _intake_request, token = couples_request_with_token(Client())
    return Client().post(partner_url(token), partner_post("join", **overrides))


def test_request_form_sent_with_yes_and_a_mistake_shows_the_help_before_the_errors(client):
    html = request_page(client, in_crisis="yes", name="").content.decode()

    assert not IntakeRequest.objects.exists()
    assert CRISIS_HEADING in html
    assert html.index(CRISIS_HEADING) < html.index("data-error-summary") < html.index("<h1")
    help_before_errors = html[: html.index("data-error-summary")]
    for number in ('href="tel:911"', 'href="tel:988"', 'href="tel:1-800-799-7233"'):
        assert number in help_before_errors
    # The script gives it focus rather than the summary below it.
    assert 'tabindex="-1" data-crisis-first' in help_before_errors


def test_partner_page_sent_with_yes_and_a_mistake_shows_the_help_before_the_errors():
    response = partner_page(in_crisis="yes", consent=None)

    html = response.content.decode()
    assert not PartnerResponse.objects.exists()
    assert html.index(CRISIS_HEADING) < html.index("data-error-summary") < html.index("<h1")
    assert 'href="tel:1-800-799-7233"' in html[: html.index("data-error-summary")]


def test_a_form_sent_too_fast_with_yes_also_shows_the_help_first(client, settings):
    settings.INTAKE_MIN_SECONDS = 3600
    html = request_page(client, in_crisis="yes").content.decode()

    assert not IntakeRequest.objects.exists()
    assert html.index(CRISIS_HEADING) < html.index("data-error-summary")


@pytest.mark.parametrize("answer", ["no", None, "maybe"])
def test_a_form_shown_again_without_yes_keeps_the_summary_first(client, answer):
    html = request_page(client, in_crisis=answer, name="").content.decode()

    assert "data-error-summary" in html
    assert CRISIS_HEADING not in html
    assert "data-crisis-first" not in html


def test_the_blank_forms_have_the_help_beside_the_question_and_an_empty_live_region(client):
    _intake_request, token = couples_request_with_token(client)
    pages = [(reverse("intake:request"), 'name="journey"'), (partner_url(token), 'name="answer"')]
    for url, next_question in pages:
        html = Client().get(url).content.decode()
        question = html.index('name="in_crisis"')
        beside = html.index('id="crisis-help"')
        live = html.index('<div class="crisis-live" aria-live="polite" data-crisis-live></div>')
        # The question, its help, the (empty) live region, then everything else.
        assert question < beside < live
        assert live < html.index(next_question)
        help_text = html[beside : html.index("</p>", beside)]
        assert 'href="tel:911"' in help_text and 'href="tel:988"' in help_text
        # What the script reveals is in a template: inert until "yes" is chosen.
        template = html[html.index("<template data-crisis-template>") : html.index("</template>")]
        assert 'href="tel:1-800-799-7233"' in template
        assert " id=" not in template
        assert CRISIS_HEADING not in html
