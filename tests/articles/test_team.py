"""The team page, each clinician's profile, and the old author pages."""

import pytest
from django.urls import reverse

from articles.models import Author
from tests.conftest import empty_caches
from tests.factories import ArticleFactory, AuthorFactory, LicenceFactory

pytestmark = pytest.mark.django_db


def test_team_page_lists_clinicians_with_licences_and_who_takes_new_clients(client):
    maya = AuthorFactory(
        name="Maya Okafor",
        slug="maya",
        credentials="PhD, LMFT",
        pronouns="she/her",
        languages="English, Spanish",
        approaches="Emotionally Focused Therapy, Discernment counseling",
        team_position=1,
    )
    LicenceFactory(author=maya, region="Oregon", kind="LMFT", number="T0815")
    LicenceFactory(author=maya, region="Washington", kind="LMFT", number="MF601")
    ruth = AuthorFactory(
        name="Ruth Lindqvist", slug="ruth", is_accepting_clients=False, is_in_person=False
    )
    LicenceFactory(author=ruth, region="Idaho", kind="LCPC", number="C77")

    response = client.get(reverse("team"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Maya Okafor") < html.index("Ruth Lindqvist")
    assert "she/her" in html
    assert "Oregon: LMFT" in html and "T0815" in html
    assert "Washington: LMFT" in html and "MF601" in html
    assert "Idaho: LCPC" in html
    assert "English, Spanish" in html
    assert "Discernment counseling" in html
    assert "Accepting new clients" in html
    assert "Not taking new clients at the moment" in html
    assert "Online only" in html
    assert f'href="{maya.get_absolute_url()}"' in html


def test_team_page_costs_the_same_queries_for_three_or_thirty_clinicians(
    client, django_assert_num_queries
):
    def make(count):
        for number in range(count):
            LicenceFactory(author=AuthorFactory(), region=f"State {number}")

    make(3)
    with django_assert_num_queries(3) as few:
        client.get(reverse("team"))
    make(27)
    empty_caches()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("team"))


def test_profile_shows_the_long_bio_articles_and_a_request_link_for_this_clinician(client):
    daniel = AuthorFactory(
        name="Daniel Reyes",
        slug="daniel-reyes",
        long_bio="## Intensives\n\nDaniel leads *most* intensives.",
    )
    LicenceFactory(author=daniel, region="Oregon", kind="LCSW", number="L9032")
    ArticleFactory(title="What an intensive is like", author=daniel)
    ArticleFactory(title="Somebody else's article")

    html = client.get(reverse("clinician", kwargs={"slug": "daniel-reyes"})).content.decode()

    assert "<h1>Daniel Reyes" in html
    assert '<h2 id="intensives">Intensives</h2>' in html
    assert "<em>most</em>" in html
    assert "Oregon: LCSW" in html
    assert "What an intensive is like" in html
    assert "Somebody else" not in html
    assert (
        f'<a class="button" href="{reverse("intake:request")}?clinician=daniel-reyes">'
        "Request a session with Daniel Reyes</a>"
    ) in html


def test_long_bio_is_sanitised_when_saved():
    author = AuthorFactory(long_bio="Hello <script>alert(1)</script> [x](javascript:alert(2))")
    assert "<script" not in author.long_bio_html
    assert "javascript:" not in author.long_bio_html


def test_old_author_pages_redirect_permanently_to_the_profile(client):
    AuthorFactory(slug="maya")
    response = client.get(reverse("articles:author", kwargs={"slug": "maya"}), {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == reverse("clinician", kwargs={"slug": "maya"}) + "?page=2"


def test_bylines_link_to_the_profile(client):
    article = ArticleFactory(author=AuthorFactory(name="Maya Okafor", slug="maya"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'By <a href="/team/maya/">Maya Okafor</a>' in html


def test_a_photo_needs_a_description(admin_client, tmp_path, settings):
    from tests.articles.test_covers import png

    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Ann Example",
            "slug": "ann",
            "photo": png(400, 400),
            "photo_alt": "",
            "languages": "English",
            "team_position": 1,
            "licences-TOTAL_FORMS": 0,
            "licences-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Describe the photo for people who cannot see it." in response.content.decode()
    assert not Author.objects.filter(slug="ann").exists()


def test_licences_per_state_are_kept_from_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Ann Example",
            "slug": "ann",
            "languages": "English",
            "team_position": 1,
            "is_accepting_clients": "on",
            "is_online": "on",
            "licences-TOTAL_FORMS": 2,
            "licences-INITIAL_FORMS": 0,
            "licences-0-region": "Oregon",
            "licences-0-kind": "LPC",
            "licences-0-number": "C1",
            "licences-1-region": "Washington",
            "licences-1-kind": "LMHC",
            "licences-1-number": "LH2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ann = Author.objects.get(slug="ann")
    assert list(ann.licences.values_list("region", "kind", "number")) == [
        ("Oregon", "LPC", "C1"),
        ("Washington", "LMHC", "LH2"),
    ]
