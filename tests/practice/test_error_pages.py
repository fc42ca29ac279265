import pytest
from django.test import Client
from django.urls import reverse

from practice import views

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_friendly_404_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert 'class="site-footer"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Traceback" not in html


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (views.bad_request, 400),
        (views.permission_denied, 403),
        (views.server_error, 500),
        (views.csrf_failure, 403),
    ],
)
def test_error_pages_are_friendly_and_show_the_crisis_line(rf, handler, status):
    response = handler(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == status
    assert "<h1>" in html
    assert "988" in html
    assert "Traceback" not in html


def test_a_view_that_crashes_shows_the_friendly_500_page(client, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("practice.views.render", crash)
    client.raise_request_exception = False
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "boom" not in response.content.decode()
    assert 'class="site-footer"' in response.content.decode()


def test_a_form_posted_without_its_csrf_token_gets_the_friendly_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert 'class="site-footer"' in response.content.decode()
