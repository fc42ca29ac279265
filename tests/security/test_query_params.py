"""Whatever arrives in whatever query parameter of whatever public page, the
answer is never a 5xx, and parameters a page does not read never make a new
page in the page cache.

The pages and their parameters come from the URLconf: every route outside the
admin, with the parameters its view declares to the page cache
(`cache_public_page(params=...)`) and the request form's prefills, so a new
page or a new parameter is covered without touching this file.
"""

from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.forms import IntakeRequestForm
from practice.page_cache import QUERY_PARAMS_ATTRIBUTE
from tests.factories import ArticleFactory, AuthorFactory, TopicFactory
from tests.intake.journeys import couples_request_with_token

pytestmark = pytest.mark.django_db

# Names no page reads: tracking tags and made-up ones.
UNDECLARED = ("utm_source", "fbclid", "x")
# Parameters some views read without the page cache knowing them.
EXTRA_PARAMS = {"intake:request": (*IntakeRequestForm.QUERY_PARAMS, IntakeRequestForm.FROM_PARAM)}


def routes(resolver=None, namespace=""):
    """(URL name, pattern, view) of every route but the admin's."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern, entry.callback


def declared_params(name, view):
    return getattr(view, QUERY_PARAMS_ATTRIBUTE, ()) + EXTRA_PARAMS.get(name, ())


ROUTES = {name: (pattern, view) for name, pattern, view in routes()}
# Every parameter any page reads, and a few that none reads: each page gets them all.
EVERY_PARAM = sorted(
    {param for name, (_pattern, view) in ROUTES.items() for param in declared_params(name, view)}
    | set(UNDECLARED)
)


@pytest.fixture
def public_pages(client):
    """{URL name: (path, parameters its view reads)} for every public route, with
    real objects in its path."""
    topic = TopicFactory(slug="eft")
    author = AuthorFactory(slug="maya")
    ArticleFactory(slug="an-article", topics=[topic], author=author)
    _request, token = couples_request_with_token(client)
    kwargs = {
        "articles:detail": {"slug": "an-article"},
        "articles:topic": {"slug": "eft"},
        "articles:author": {"slug": "maya"},
        "clinician": {"slug": "maya"},
        "django.contrib.sitemaps.views.sitemap": {"section": "articles"},
        "intake:partner": {"token": token},
    }
    pages = {}
    for name, (pattern, view) in ROUTES.items():
        if pattern.converters and name not in kwargs:
            pytest.fail(f"no sample path for the route {name}: add one here")
        pages[name] = (reverse(name, kwargs=kwargs.get(name)), declared_params(name, view))
    client.cookies.clear()
    return pages


def encoded(value: str) -> str:
    # Lone surrogates go as the bytes a broken client would send (not UTF-8).
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


HOSTILE = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff x", "\x1b[31m", "0", "-1", "last", "1.5"]),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zs"]), max_size=40),
    st.text(max_size=40).map(lambda text: "\x00" + text),
    st.text(st.characters(codec="utf-8"), min_size=2000, max_size=6000),
    st.sampled_from(["99999999999999999999", "١", "%", "%00", "&&", "=="]),
)
FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Each page with each parameter its view reads, and one it does not read.
CASES = [
    (name, param)
    for name, (_pattern, view) in sorted(ROUTES.items())
    for param in (*declared_params(name, view), UNDECLARED[0])
]


@pytest.mark.parametrize(("route", "param"), CASES)
@FUZZ
@given(value=HOSTILE, others=st.dictionaries(st.sampled_from(EVERY_PARAM), HOSTILE, max_size=2))
def test_any_value_of_any_query_parameter_never_gives_a_5xx(
    client, public_pages, route, param, value, others
):
    path, _params = public_pages[route]
    # The parameter under test last: a page reads the last value of a name.
    pairs = [*others.items(), (param, value)]
    query = "&".join(f"{name}={encoded(text)}" for name, text in pairs)

    response = client.get(f"{path}?{query}")

    assert response.status_code < 500, f"{path}?{query[:200]}"


def test_the_pages_parameters_come_from_their_views(public_pages):
    assert set(public_pages["articles:list"][1]) == {"page", "q"}
    assert set(public_pages["articles:topic"][1]) == {"page"}
    assert set(public_pages["intake:request"][1]) == {"journey", "readiness", "from"}
    assert {"page", "q", "p", "journey", "readiness", "from"} <= set(EVERY_PARAM)


def test_search_with_a_nul_or_control_characters_is_a_search(client):
    ArticleFactory(title="About a lighthouse", body="lighthouse")
    response = client.get(reverse("articles:list"), {"q": "\x00lighthouse\x07"})
    assert response.status_code == 200
    assert "About a lighthouse" in response.content.decode()


@pytest.mark.parametrize("junk", ["utm_source=news", "fbclid=abc123", "made-up=1&page=3"])
def test_parameters_a_page_does_not_read_are_served_its_stored_copy(
    client, django_assert_num_queries, junk
):
    # So a flood of invented query strings renders and stores nothing new.
    ArticleFactory(slug="an-article")
    for path in ("/", reverse("articles:detail", kwargs={"slug": "an-article"})):
        first = client.get(path)
        with django_assert_num_queries(0):
            again = client.get(f"{path}?{junk}")
        assert again.status_code == 200
        assert again.content == first.content
