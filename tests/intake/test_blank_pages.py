"""Blank request forms and partner pages come from a copy rendered once per process
(intake/skeleton.py): each visitor must still get a page of their own, exactly as
an ordinary render would make it, that can be sent."""

import re
import uuid
from datetime import timedelta

import pytest
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from articles.services import article_publish
from intake import spam
from intake.forms import IntakeRequestForm, PartnerResponseForm
from intake.models import IntakeRequest, PartnerResponse
from intake.selectors import partner_articles
from practice.journeys import PartnerVariant
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import (
    couples_request_with_token,
    form_values,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

# The three values that differ between visitors, wherever the markup has them.
_PER_VISITOR = [
    (r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', 'name="csrfmiddlewaretoken" value="C"'),
    (r'name="started" value="[A-Za-z0-9_:-]+"', 'name="started" value="S"'),
    (r'name="submission_key" value="[0-9a-f-]{36}"', 'name="submission_key" value="K"'),
]


def normalised(html: str) -> str:
    for pattern, replacement in _PER_VISITOR:
        html, count = re.subn(pattern, replacement, html)
        assert count <= 1, pattern
    return html


def ordinary_render(path, template, context):
    request = RequestFactory().get(path, HTTP_X_FORWARDED_PROTO="https")
    # As the view is reached: the language switcher reads the page's URL pattern.
    request.resolver_match = resolve(path)
    return render(request, template, context).content.decode()


def fresh_html(path, **params):
    """The page as a new visitor gets it (no cookies)."""
    response = Client().get(path, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", [{}, {"journey": "couples", "readiness": "not_asked"}])
def test_blank_form_is_exactly_what_an_ordinary_render_makes(query):
    fresh_html(reverse("intake:request"), **query)  # the copy is made
    from_copy = fresh_html(reverse("intake:request"), **query)

    form = IntakeRequestForm(initial=IntakeRequestForm.initial_from_query(query))
    ordinary = ordinary_render(
        reverse("intake:request"), "intake/request_form.html", {"form": form, "nav": "request"}
    )
    assert normalised(from_copy) == normalised(ordinary)
    assert normalised(from_copy) != from_copy  # all three values were found


def test_blank_partner_page_is_exactly_what_an_ordinary_render_makes(client):
    topic = TopicFactory(slug="for-partners", name="For partners")
    ArticleFactory(title="When one of you is not sure", topics=[topic])
    _request, token = couples_request_with_token(client)
    fresh_html(partner_url(token))
    from_copy = fresh_html(partner_url(token))

    ordinary = ordinary_render(
        partner_url(token),
        "intake/partner.html",
        {
            "form": PartnerResponseForm(),
            "error_links": [],
            "articles": partner_articles(PartnerVariant.of(journey="couples", readiness="")),
            "is_intensive": False,
            "is_ready": False,
        },
    )
    assert normalised(from_copy) == normalised(ordinary)
    assert "When one of you is not sure" in from_copy


def test_each_visitor_gets_their_own_token_start_time_and_submission_key():
    first = form_values(fresh_html(reverse("intake:request")))
    second = form_values(fresh_html(reverse("intake:request")))

    for name in ("csrfmiddlewaretoken", "started", "submission_key"):
        assert first[name] != second[name], name
    assert uuid.UUID(second["submission_key"])
    assert spam.form_age(second["started"]) is not None


def test_a_value_that_is_not_plain_text_never_reaches_the_page(monkeypatch):
    fresh_html(reverse("intake:request"))
    monkeypatch.setattr(spam, "started_token", lambda: '"><script>alert(1)</script>')

    with pytest.raises(ValueError, match="URL-safe"):
        Client().get(reverse("intake:request"))


def test_blank_page_sets_the_csrf_cookie_and_is_never_cached(settings):
    Client().get(reverse("intake:request"))
    browser = Client()

    response = browser.get(reverse("intake:request"))

    assert response.cookies[settings.CSRF_COOKIE_NAME].value
    assert "no-store" in response["Cache-Control"]


def test_form_read_from_the_copy_can_be_sent_and_stores_one_request(settings):
    settings.INTAKE_MIN_SECONDS = 0
    Client().get(reverse("intake:request"))
    browser = Client(enforce_csrf_checks=True)
    values = form_values(browser.get(reverse("intake:request")).content.decode())
    data = request_post(**values)

    first = browser.post(reverse("intake:request"), data)
    again = browser.post(reverse("intake:request"), data)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == reverse("intake:done")
    stored = IntakeRequest.objects.get()
    assert str(stored.submission_key) == values["submission_key"]


def test_preselected_answers_do_not_leak_into_the_plain_form():
    couples = fresh_html(reverse("intake:request"), journey="couples")
    plain = fresh_html(reverse("intake:request"))
    couples_again = fresh_html(reverse("intake:request"), journey="couples")

    checked = r'<input[^>]*name="journey"[^>]*value="couples"[^>]*checked'
    assert re.search(checked, couples) and re.search(checked, couples_again)
    assert not re.search(r"<input[^>]*checked", plain)


def test_a_form_sent_with_mistakes_is_rendered_with_its_answers(client):
    client.get(reverse("intake:request"))

    response = client.post(reverse("intake:request"), request_post(name="", region="Atlantis"))

    html = response.content.decode()
    assert "There is a problem" in html
    assert request_post()["concerns"] in html
    assert response.context["form"].is_bound


def test_a_changed_setting_shows_on_the_next_blank_form(settings):
    fresh_html(reverse("intake:request"))

    settings.PRACTICE_NAME = "Quiet Harbour Counselling"

    assert "Quiet Harbour Counselling" in fresh_html(reverse("intake:request"))


def test_partner_page_lists_an_article_published_after_it_was_first_shown(
    client, django_capture_on_commit_callbacks
):
    topic = TopicFactory(slug="for-partners", name="For partners")
    draft = ArticleFactory(title="Why a partner may hesitate", topics=[topic], draft=True)
    _request, token = couples_request_with_token(client)
    assert "Why a partner may hesitate" not in fresh_html(partner_url(token))

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)

    assert "Why a partner may hesitate" in fresh_html(partner_url(token))


def test_partner_page_lists_a_scheduled_article_once_its_time_comes(client, monkeypatch):
    topic = TopicFactory(slug="for-partners", name="For partners")
    ArticleFactory(title="Starting on your own", topics=[topic], scheduled=True)
    _request, token = couples_request_with_token(client)
    assert "Starting on your own" not in fresh_html(partner_url(token))

    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert "Starting on your own" in fresh_html(partner_url(token))


def test_partner_answer_from_the_copy_is_recorded(client, settings):
    settings.INTAKE_MIN_SECONDS = 0
    _request, token = couples_request_with_token(client)
    Client().get(partner_url(token))
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(partner_url(token))
    assert page["Referrer-Policy"] == "no-referrer"

    response = browser.post(partner_url(token), partner_post(**form_values(page.content.decode())))

    assert response.status_code == 302
    assert PartnerResponse.objects.count() == 1


def test_blank_pages_need_no_query_but_the_partner_link(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    _request, token = couples_request_with_token(client)

    # Made once per content version: the regions and clinicians it offers
    # come from the clinicians' profiles.
    with django_assert_max_num_queries(3):
        fresh_html(reverse("intake:request"))
    with django_assert_num_queries(0):
        fresh_html(reverse("intake:request"))
        fresh_html(reverse("intake:request"))
    # Made: the link, the next scheduled article, the articles for partners.
    with django_assert_max_num_queries(3):
        fresh_html(partner_url(token))
    with django_assert_num_queries(1):
        fresh_html(partner_url(token))
