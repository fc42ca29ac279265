"""Which article a request came from: the article's button names it (?from=<slug>),
the form carries it in a hidden field, the request stores it. Nothing else about
the reader is kept: no cookie, no identifier, only the button they pressed."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import skeleton
from intake.models import IntakeRequest
from tests.factories import ArticleFactory
from tests.intake.journeys import form_values, request_post

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("intake:request")


@pytest.fixture(autouse=True)
def _no_minimum_time(settings):
    settings.INTAKE_MIN_SECONDS = 0


def open_form(browser, query: str = "") -> str:
    response = browser.get(REQUEST_URL + query)
    assert response.status_code == 200
    return response.content.decode()


def hidden_from(html: str) -> str:
    return form_values(html)["from_article"]


def send(browser, html: str, **overrides) -> IntakeRequest:
    """Post the form as a browser would: with the hidden values the page carries."""
    response = browser.post(REQUEST_URL, request_post(**form_values(html), **overrides))
    assert response.status_code == 302, response.content.decode()[:500]
    return IntakeRequest.objects.latest("created_at")


def test_the_article_button_leads_to_a_form_that_stores_the_article():
    article = ArticleFactory(slug="when-your-partner-says-no")
    browser = Client()
    article_page = browser.get(article.get_absolute_url()).content.decode()
    button = re.search(r'<a class="button" href="([^"]+)"', article_page).group(1)
    assert "from=when-your-partner-says-no" in button

    form = open_form(browser, button.replace("&amp;", "&").removeprefix(REQUEST_URL))

    assert hidden_from(form) == "when-your-partner-says-no"
    assert send(browser, form).from_article == article


def test_without_from_the_request_records_no_article():
    ArticleFactory(slug="an-article")
    browser = Client()
    form = open_form(browser)

    assert hidden_from(form) == ""
    assert send(browser, form).from_article is None


@pytest.mark.parametrize(
    "value",
    [
        "no-such-article",
        "a-draft",
        "not-yet-due",
        "bad slug",
        "<script>",
        "%00",
        "x" * 201,
        "an-article/../../admin",
        "",
    ],
)
def test_an_unknown_malformed_or_unpublished_slug_is_ignored_silently(value):
    ArticleFactory(slug="a-draft", draft=True)
    ArticleFactory(slug="not-yet-due", scheduled=True)
    ArticleFactory(slug="an-article")
    browser = Client()

    response = browser.get(REQUEST_URL, {"from": value})

    assert response.status_code == 200
    assert send(browser, response.content.decode()).from_article is None


@pytest.mark.parametrize(
    "value", ["no-such-article", "a-draft", "bad slug", "é", "\x00", "x" * 5000]
)
def test_a_posted_slug_that_names_no_published_article_is_not_stored(client, value):
    ArticleFactory(slug="a-draft", draft=True)

    response = client.post(REQUEST_URL, request_post(from_article=value))

    assert response.status_code == 302
    assert IntakeRequest.objects.get().from_article is None


def test_a_slug_posted_without_the_form_is_checked_too(client):
    article = ArticleFactory(slug="an-article")

    client.post(REQUEST_URL, request_post(from_article="an-article"))

    assert IntakeRequest.objects.get().from_article == article


def test_the_article_costs_the_post_no_query_of_its_own(client, django_assert_num_queries):
    article = ArticleFactory(slug="an-article")
    # The form's regions and clinicians are read once per content version.
    client.post(REQUEST_URL, request_post())
    # The request and its notifications inside a savepoint.
    with django_assert_num_queries(4) as without_article:
        client.post(REQUEST_URL, request_post())

    # Looked up inside the request's insert.
    with django_assert_num_queries(len(without_article)):
        client.post(REQUEST_URL, request_post(from_article="an-article"))

    assert IntakeRequest.objects.latest("created_at").from_article == article


def test_a_form_with_mistakes_keeps_the_article(client):
    article = ArticleFactory(slug="an-article")
    html = open_form(client, "?journey=individual&from=an-article")

    again = client.post(REQUEST_URL, request_post(**form_values(html), name=""))

    assert again.status_code == 200
    assert hidden_from(again.content.decode()) == "an-article"
    assert send(client, again.content.decode()).from_article == article


def test_the_blank_form_of_one_article_is_never_served_for_another():
    ArticleFactory(slug="article-a")
    ArticleFactory(slug="article-b")
    open_form(Client(), "?journey=couples&from=article-a")  # the copy is made

    for_b = open_form(Client(), "?journey=couples&from=article-b")
    plain = open_form(Client(), "?journey=couples")
    tagged = open_form(Client(), "?journey=couples&from=article-a&utm_source=news&fbclid=x")

    assert hidden_from(for_b) == "article-b"
    assert hidden_from(plain) == ""
    assert hidden_from(tagged) == "article-a"
    assert "utm" not in tagged and "fbclid" not in tagged


def test_made_up_slugs_make_no_new_copies_of_the_blank_form():
    open_form(Client(), "?journey=couples")
    copies = len(skeleton._pages)
    for number in range(5):
        open_form(Client(), f"?journey=couples&from=made-up-{number}")
    assert len(skeleton._pages) == copies


def test_the_article_sets_no_cookie_and_the_form_only_its_usual_ones(settings):
    article = ArticleFactory(slug="an-article")
    browser = Client()

    article_response = browser.get(article.get_absolute_url())
    with_from = browser.get(REQUEST_URL, {"from": "an-article"})
    without = Client().get(REQUEST_URL)

    assert not article_response.cookies
    assert set(with_from.cookies) == set(without.cookies) == {settings.CSRF_COOKIE_NAME}
    assert "an-article" not in with_from.cookies[settings.CSRF_COOKIE_NAME].value


def test_an_article_deleted_later_leaves_the_request_without_one(client):
    article = ArticleFactory(slug="an-article", publish_at=timezone.now() - timedelta(days=3))
    client.post(REQUEST_URL, request_post(from_article="an-article"))

    article.delete()

    assert IntakeRequest.objects.get().from_article is None


def test_the_privacy_notice_says_exactly_what_is_kept(client):
    call_command("load_demo_content", verbosity=0)

    html = client.get(reverse("privacy")).content.decode()

    assert "Which article you came from" in html
    assert "the last article whose button you pressed, and only if you pressed it" in html
    assert "No cookie or identifier is used for it" in html
    assert "never which request came from which article" in html


def test_the_readme_says_exactly_what_is_kept():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert (
        "the last article whose button the person\npressed, and only when they pressed it" in readme
    )
