"""The language switcher keeps what a list shows (its search, its page) and
nothing else: not a campaign tag, not the request form's `from`, nothing a
visitor typed into another parameter, and never a page number the other
language's list does not have."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import empty_caches
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


def es(name, **kwargs):
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


def switcher_href(client, url, params=None):
    """The href of the switcher's link, as the browser reads it (entities decoded)."""
    response = client.get(url, params or {})
    assert response.status_code == 200
    found = re.findall(
        r'<p class="language-switch"><a href="([^"]*)" hreflang', response.content.decode()
    )
    assert len(found) == 1
    return found[0].replace("&amp;", "&")


def articles(count, language, **kwargs):
    return ArticleFactory.create_batch(count, language=language, **kwargs)


def test_a_search_is_carried_to_the_other_language(client):
    assert switcher_href(client, "/articles/", {"q": "therapy"}) == "/es/articles/?q=therapy"
    assert switcher_href(client, "/es/articles/", {"q": "terapia"}) == "/articles/?q=terapia"


def test_the_search_text_is_encoded_and_escaped(client):
    typed = '"><script>alert(1)</script> & page=9'
    response = client.get("/articles/", {"q": typed})
    html = response.content.decode()
    switcher = html.split('<p class="language-switch">', 1)[1].split("</p>", 1)[0]

    assert "<script>" not in switcher and '"><' not in switcher
    href = re.search(r'href="([^"]*)"', switcher)[1].replace("&amp;", "&")
    assert href == ("/es/articles/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E+%26+page%3D9")


def test_only_what_the_list_reads_is_carried(client):
    href = switcher_href(
        client,
        "/articles/",
        {
            "q": "therapy",
            "utm_source": "newsletter",
            "from": "when-your-partner-says-no",
            "email": "someone@example.com",
        },
    )
    assert href == "/es/articles/?q=therapy"


def test_a_cached_list_never_carries_another_visitors_parameters(client):
    first = switcher_href(client, "/articles/", {"q": "therapy", "utm_source": "a-friend"})
    # The same page from the page cache, asked for with another campaign tag.
    second = switcher_href(client, "/articles/", {"q": "therapy", "utm_source": "someone"})
    assert first == second == "/es/articles/?q=therapy"


def test_the_request_form_carries_nothing(client):
    href = switcher_href(
        client,
        reverse("intake:request"),
        {"journey": "couples", "from": "an-article", "clinician": "maya"},
    )
    assert href == es("intake:request")


def test_a_page_number_is_carried_where_the_other_language_has_that_page(client):
    articles(12, "en")
    articles(11, "es")
    assert switcher_href(client, "/articles/", {"page": "2"}) == "/es/articles/?page=2"
    assert switcher_href(client, "/es/articles/", {"page": "2"}) == "/articles/?page=2"


def test_a_page_number_the_other_language_has_not_leads_to_its_first_page(client):
    articles(12, "en")
    articles(3, "es")
    href = switcher_href(client, "/articles/", {"page": "2"})
    assert href == "/es/articles/"
    assert client.get(href).status_code == 200


def test_the_first_page_is_not_named(client):
    articles(12, "en")
    articles(12, "es")
    assert switcher_href(client, "/articles/", {"page": "1"}) == "/es/articles/"


def test_a_search_keeps_its_text_but_starts_the_other_language_at_its_first_page(client):
    articles(12, "en", title="Therapy, an article")
    articles(12, "es", title="Therapy, un artículo")
    href = switcher_href(client, "/articles/", {"q": "therapy", "page": "2"})
    assert href == "/es/articles/?q=therapy"


def test_a_topic_keeps_its_page_where_the_other_language_has_it(client):
    topic = TopicFactory(slug="communication")
    other = TopicFactory(slug="other")
    articles(12, "en", topics=[topic])
    articles(11, "es", topics=[topic])
    articles(12, "en", topics=[other])
    articles(10, "es", topics=[other])  # no page 2 of the other topic in Spanish
    assert (
        switcher_href(client, "/articles/topic/communication/", {"page": "2"})
        == "/es/articles/topic/communication/?page=2"
    )
    assert (
        switcher_href(client, "/articles/topic/other/", {"page": "2"})
        == "/es/articles/topic/other/"
    )


def test_a_clinician_keeps_their_page_where_the_other_language_has_it(client):
    daniel = AuthorFactory(slug="daniel")
    articles(12, "en", author=daniel)
    articles(2, "es", author=daniel)
    articles(10, "es")  # by someone else
    assert switcher_href(client, "/team/daniel/", {"page": "2"}) == "/es/team/daniel/"
    articles(9, "es", author=daniel)
    # (Factories do not make cached pages stale as the admin does.)
    empty_caches()
    assert switcher_href(client, "/team/daniel/", {"page": "2"}) == "/es/team/daniel/?page=2"
