import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "cache": "up"}
    assert "no-cache" in response["Cache-Control"]


class DatabaseDown:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr("practice.views.connection", DatabaseDown())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["database"] == "down"


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get(reverse("robots"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /request/partner/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.parametrize("admin_url", ["admin/", "staff-7f3a/"])
def test_robots_txt_never_names_the_admin_path(client, settings, admin_url):
    settings.ADMIN_URL = admin_url
    body = client.get(reverse("robots")).content.decode()
    assert admin_url.strip("/") not in body


def test_the_admin_tells_crawlers_not_to_index_it(client):
    sign_in = client.get(reverse("admin:login"))
    redirect = client.get(reverse("admin:index"))

    assert sign_in.status_code == 200
    assert sign_in["X-Robots-Tag"] == "noindex, nofollow"
    assert redirect.status_code == 302
    assert redirect["X-Robots-Tag"] == "noindex, nofollow"
