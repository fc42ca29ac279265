"""Words that fit the situation: the partner page and the requester's confirmation
speak of an intensive or of weekly sessions, and have no words for a reluctant
partner when the partner already wants to come. Four variants of the partner
page, each rendered once, and none of them shows what the requester told us."""

import re

import pytest
from django.template import loader
from django.test import Client

from intake import views
from tests.factories import ArticleFactory, TopicFactory
from tests.intake.journeys import (
    CONCERNS,
    PARTNER_FIRST_NAME,
    REQUESTER_NAME,
    partner_post,
    partner_url,
    send_request,
)

pytestmark = pytest.mark.django_db

VARIANTS = [
    ("couples", "not_asked"),
    ("couples", "unsure"),
    ("couples", "declined"),
    ("couples", "agreed"),
    ("intensive", "not_asked"),
    ("intensive", "declined"),
    ("intensive", "agreed"),
]
NOT_NOW_LINE = "Saying &ldquo;not right now&rdquo; is a real answer"
UNSURE_LINE = "Many people are unsure at the start"
# How many weekly sessions couples work takes, which an intensive page must not say.
WEEKLY_COUNT = re.compile(r"8 (to|and) 20")


@pytest.fixture
def reading():
    """Articles for partners written for every page, for one outlook or one
    journey only; one for the requester; one for nobody in particular."""
    partners = TopicFactory(slug="for-partners", name="For the partner who was asked")
    not_ready = TopicFactory(slug="when-your-partner-is-not-ready", name="Not ready")
    ArticleFactory(title="For any partner", topics=[partners])
    ArticleFactory(title="Not yet is fine", topics=[partners], partner_outlook="hesitant")
    ArticleFactory(title="Now that you are coming", topics=[partners], partner_outlook="ready")
    ArticleFactory(title="Week by week", topics=[partners], partner_journey="couples")
    ArticleFactory(title="Two long days", topics=[partners], partner_journey="intensive")
    ArticleFactory(title="How to ask them", topics=[not_ready])
    ArticleFactory(title="About something else")


def expected_reading(journey, readiness):
    ready = readiness == "agreed"
    return {
        "For any partner",
        "Now that you are coming" if ready else "Not yet is fine",
        "Two long days" if journey == "intensive" else "Week by week",
    }


def titles_under(html, heading):
    """The titles of the list that follows `heading` on the page."""
    start = html.index(heading)
    listing = html[start : html.index("</ul>", start)]
    return set(re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', listing))


def request_with_token(client, journey, readiness):
    response = send_request(client, journey, partner_readiness=readiness)
    return response, response.context["done"]["token"]


@pytest.mark.parametrize(("journey", "readiness"), VARIANTS)
def test_partner_page_speaks_of_the_journey_and_fits_a_partner_who_wants_to_come(
    client, reading, journey, readiness
):
    _confirmation, token = request_with_token(client, journey, readiness)

    response = Client().get(partner_url(token))

    assert response.status_code == 200
    html = response.content.decode()
    ready = readiness == "agreed"
    assert (NOT_NOW_LINE in html) is not ready
    assert (UNSURE_LINE in html) is not ready
    if journey == "intensive":
        assert "What a couples intensive is like here" in html
        assert "one to three days" in html
        assert not WEEKLY_COUNT.search(html)
    else:
        assert "What couples sessions are like here" in html
        assert WEEKLY_COUNT.search(html)
    assert titles_under(html, 'id="reading-heading"') == expected_reading(journey, readiness)
    # Every partner can still give any of the three answers.
    for value in ('value="join"', 'value="questions"', 'value="not_now"'):
        assert value in html
    # Nothing the requester told us, their readiness answer included, in words.
    for value in (REQUESTER_NAME, PARTNER_FIRST_NAME, CONCERNS, "jordan@example.com"):
        assert value not in html
    assert "My partner" not in html


@pytest.mark.parametrize(("journey", "readiness"), VARIANTS)
def test_confirmation_words_and_reading_fit_the_partner_page(client, reading, journey, readiness):
    response, _token = request_with_token(client, journey, readiness)

    html = response.content.decode()
    quote = html[html.index("<blockquote>") : html.index("</blockquote>")]
    ready = readiness == "agreed"
    if ready:
        assert "not now" not in quote and "no pressure" not in quote.lower()
        assert "&ldquo;not right now&rdquo;" not in html
        assert "what you write there goes to them, not to me" in quote.lower()
        assert "For you, while your partner decides" not in html
    else:
        assert "You can ask them questions, or say not now" in quote
        assert titles_under(html, "For you, while your partner decides") == {"How to ask them"}
    if journey == "intensive":
        assert "intensive" in quote
        assert "It explains how a couples intensive works" in html
    else:
        assert "intensive" not in quote
        assert "It explains how couples sessions work" in html
    reading = titles_under(html, "Reading for your partner, or for you")
    assert reading == expected_reading(journey, readiness)


def test_each_variant_of_the_partner_page_is_rendered_once(client, reading, monkeypatch):
    rendered = []
    real_render = loader.render_to_string

    def counting_render(template_name, *args, **kwargs):
        if template_name == "intake/partner.html":
            rendered.append(template_name)
        return real_render(template_name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting_render)

    def page(token):
        html = Client().get(partner_url(token)).content.decode()
        # Per visitor, as the hidden values are: the page's own address (with
        # the token) in the language switcher.
        html = html.replace(token, "TOKEN")
        return re.sub(r'value="[A-Za-z0-9_:-]{20,}"', 'value=""', html)

    _response, weekly_unsure = request_with_token(client, "couples", "unsure")
    _response, weekly_not_asked = request_with_token(client, "couples", "not_asked")
    _response, weekly_ready = request_with_token(client, "couples", "agreed")
    _response, intensive_ready = request_with_token(client, "intensive", "agreed")
    _response, intensive_ready_too = request_with_token(client, "intensive", "agreed")

    first = page(weekly_unsure)
    assert len(rendered) == 1
    # Another request of the same variant shares the render.
    assert page(weekly_not_asked) == first
    assert len(rendered) == 1
    ready = page(weekly_ready)
    assert len(rendered) == 2
    intensive = page(intensive_ready)
    assert len(rendered) == 3
    assert page(intensive_ready_too) == intensive
    assert page(weekly_unsure) == first
    assert len(rendered) == 3
    assert len({first, ready, intensive}) == 3


def test_an_answer_with_mistakes_shows_the_page_of_its_variant_again(client, reading):
    _response, token = request_with_token(client, "intensive", "agreed")

    response = client.post(partner_url(token), partner_post("join", name=""))

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "What a couples intensive is like here" in html
    assert NOT_NOW_LINE not in html and not WEEKLY_COUNT.search(html)
    assert titles_under(html, 'id="reading-heading"') == expected_reading("intensive", "agreed")


@pytest.mark.parametrize(
    ("journey", "explains"),
    [("couples", "how couples sessions work"), ("intensive", "how a couples intensive works")],
)
def test_the_emailed_link_says_what_the_partner_page_explains(
    client, mailoutbox, django_capture_on_commit_callbacks, journey, explains
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_request(client, journey, wants_link_emailed="on")

    token = response.context["done"]["token"]
    (mail,) = [message for message in mailoutbox if token in message.body]
    assert explains in mail.body
    other = "couples sessions work" if journey == "intensive" else "intensive"
    assert other not in mail.body
