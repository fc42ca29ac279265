from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_home_introduces_the_practice(client):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Harbor &amp; Hearth Counseling</h1>" in html
    assert "Emotionally Focused Therapy for couples and individuals" in html
    assert html.count("<h1") == 1


def test_home_shows_the_featured_article_and_the_latest_ones(client):
    ArticleFactory(title="The featured one", is_featured=True)
    for day in range(8):
        ArticleFactory(title=f"Latest {day}", publish_at=timezone.now() - timedelta(days=day + 2))
    html = client.get(reverse("home")).content.decode()
    assert html.count('class="card card--featured"') == 1
    assert "The featured one" in html
    assert html.count("The featured one") == 1
    assert "Latest 0" in html and "Latest 5" in html
    assert "Latest 6" not in html  # six latest at most


def test_home_leaves_out_drafts_and_scheduled_articles(client):
    ArticleFactory(title="A draft", draft=True, is_featured=True)
    ArticleFactory(title="Not yet", scheduled=True)
    html = client.get(reverse("home")).content.decode()
    assert "A draft" not in html
    assert "Not yet" not in html


def test_home_invites_a_request_even_when_the_partner_is_not_ready(client):
    html = client.get(reverse("home")).content.decode()
    request_url = reverse("intake:request")
    assert f'<a class="button" href="{request_url}">Request a session</a>' in html
    assert f'href="{request_url}?journey=couples&amp;readiness=not_asked"' in html
    assert "we never contact your partner" in html


def test_home_is_served_from_the_cache_to_a_second_visitor(client, django_assert_num_queries):
    ArticleFactory(title="Cached")
    client.get(reverse("home"))
    with django_assert_num_queries(0):
        assert "Cached" in client.get(reverse("home")).content.decode()


def test_home_describes_the_practice_to_search_engines(client):
    html = client.get(reverse("home")).content.decode()
    assert '<link rel="canonical" href="http://testserver/">' in html
    assert '"@type": "MedicalBusiness"' in html
    assert '"telephone": "(555) 010-2040"' in html
