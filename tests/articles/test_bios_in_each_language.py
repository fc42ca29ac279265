"""Clinicians' bios in Spanish: /es/team/ and each Spanish profile show them, or
the English ones marked as English until an editor writes them."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from articles.models import Author
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def es(name, **kwargs):
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


def main_of(response):
    html = response.content.decode()
    return html.split('<main id="main"', 1)[1].split("</main>")[0]


@pytest.fixture
def daniel():
    return AuthorFactory(
        name="Daniel Reyes",
        slug="daniel-reyes",
        bio="Daniel leads most of our intensives.",
        long_bio="## Intensives\n\nSeveral long sessions over *two or three* days.",
        bio_es="Daniel dirige la mayoría de nuestros intensivos.",
        long_bio_es="## Intensivos\n\nVarias sesiones largas en *dos o tres* días.",
    )


@pytest.fixture
def maya():
    """A clinician whose bios nobody has written in Spanish yet."""
    return AuthorFactory(
        name="Maya Okafor",
        slug="maya-okafor",
        bio="Maya founded the practice.",
        long_bio="## How Maya works\n\nSlowly, at first.",
    )


def test_the_spanish_team_page_shows_spanish_bios(client, daniel):
    spanish = main_of(client.get(es("team")))
    english = main_of(client.get(reverse("team")))

    assert "<p>Daniel dirige la mayoría de nuestros intensivos.</p>" in spanish
    assert "Daniel leads" not in spanish
    assert "<p>Daniel leads most of our intensives.</p>" in english
    assert "Daniel dirige" not in english


def test_the_spanish_profile_shows_the_spanish_bios(client, daniel):
    response = client.get(es("clinician", slug="daniel-reyes"))
    html = response.content.decode()
    main = main_of(response)

    assert '<p class="lede">Daniel dirige la mayoría de nuestros intensivos.</p>' in main
    assert '<h2 id="intensivos">Intensivos</h2>' in main and "<em>dos o tres</em>" in main
    assert "Intensives" not in main and ' lang="en"' not in main
    assert '<meta name="description" content="Daniel dirige la mayoría' in html
    assert '"description": "Daniel dirige la mayor' in html  # the JSON-LD Person


def test_without_spanish_bios_the_english_ones_are_shown_marked_as_english(client, daniel, maya):
    team = main_of(client.get(es("team")))
    profile = main_of(client.get(es("clinician", slug="maya-okafor")))

    assert '<p lang="en">Maya founded the practice.</p>' in team
    assert "<p>Daniel dirige la mayoría de nuestros intensivos.</p>" in team
    assert '<p class="lede" lang="en">Maya founded the practice.</p>' in profile
    assert '<div class="prose" lang="en">' in profile
    assert '<h2 id="how-maya-works">How Maya works</h2>' in profile


def test_a_short_bio_alone_in_spanish_leaves_the_long_one_in_english(client):
    AuthorFactory(
        slug="ruth", bio="Ruth works online.", bio_es="Ruth atiende en línea.", long_bio="Sweden."
    )
    profile = main_of(client.get(es("clinician", slug="ruth")))
    assert '<p class="lede">Ruth atiende en línea.</p>' in profile
    assert '<div class="prose" lang="en">' in profile and "Sweden." in profile


def test_no_bio_at_all_shows_no_empty_paragraph(client):
    AuthorFactory(slug="new", name="New Clinician", bio="", long_bio="")
    team = main_of(client.get(es("team")))
    assert "<p></p>" not in team and '<p lang="en"></p>' not in team


def test_the_spanish_long_bio_is_sanitised_when_saved():
    author = AuthorFactory(long_bio_es="Hola <script>alert(1)</script> [x](javascript:alert(2))")
    assert "Hola" in author.long_bio_es_html
    assert "<script" not in author.long_bio_es_html
    assert "javascript:" not in author.long_bio_es_html


def test_editors_write_spanish_bios_in_the_admin_and_a_revision_is_kept(admin_client, maya):
    change = reverse("admin:articles_author_change", args=[maya.pk])
    form = admin_client.get(change).content.decode()
    assert 'name="bio_es"' in form and 'name="long_bio_es"' in form

    response = admin_client.post(
        change,
        {
            "name": maya.name,
            "slug": maya.slug,
            "bio": maya.bio,
            "long_bio": maya.long_bio,
            "bio_es": "Maya fundó la consulta.",
            "long_bio_es": "## Cómo trabaja\n\nDespacio, al principio.",
            "languages": "English",
            "team_position": 1,
            "licences-TOTAL_FORMS": 0,
            "licences-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    maya.refresh_from_db()
    assert maya.bio_es == "Maya fundó la consulta."
    assert maya.history.latest().bio_es == "Maya fundó la consulta."
    profile = main_of(admin_client.get(es("clinician", slug="maya-okafor")))
    assert '<h2 id="como-trabaja">Cómo trabaja</h2>' in profile


def test_the_clinician_list_in_the_admin_says_who_has_a_spanish_bio(admin_client, daniel, maya):
    html = admin_client.get(reverse("admin:articles_author_changelist")).content.decode()
    rows = {name: html.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Daniel Reyes", "Maya")}
    assert (
        'field-has_spanish_bio"><img src="/static/admin/img/icon-yes.svg"' in rows["Daniel Reyes"]
    )
    assert "icon-no.svg" in rows["Maya"]


def test_every_demo_clinician_has_spanish_bios(client):
    call_command("load_demo_content", verbosity=0)
    team = main_of(client.get(es("team")))

    assert ' lang="en"' not in team
    for author in Author.objects.all():
        assert author.bio_es and author.long_bio_es, author.slug
        assert author.bio_es in team.replace("&amp;", "&")
        profile = main_of(client.get(es("clinician", slug=author.slug)))
        assert ' lang="en"' not in profile, author.slug
    assert "atiende en cualquiera de los dos idiomas" in main_of(
        client.get(es("clinician", slug="daniel-reyes"))
    )


def test_the_languages_a_clinician_speaks_are_named_in_the_readers_language(client):
    AuthorFactory(slug="ana-lind", languages="English, Spanish, Swedish, ASL")

    spanish = main_of(client.get(es("clinician", slug="ana-lind")))
    english = main_of(client.get(reverse("clinician", kwargs={"slug": "ana-lind"})))

    assert "<dd>Inglés, español, sueco, ASL</dd>" in spanish
    assert "English" not in spanish
    assert "<dd>English, Spanish, Swedish, ASL</dd>" in english
