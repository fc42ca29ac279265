from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Author, Topic
from practice.journeys import PartnerJourney, PartnerOutlook, PartnerVariant
from practice.page_cache import content_version

pytestmark = pytest.mark.django_db


def counts():
    return {
        "articles": Article.objects.count(),
        "authors": Author.objects.count(),
        "topics": Topic.objects.count(),
        "revisions": Article.history.count(),
    }


def test_demo_content_gives_a_newcomer_a_full_site(client):
    call_command("load_demo_content", verbosity=0)
    published = Article.objects.published()
    assert published.count() >= 10
    assert Author.objects.count() == 3
    assert Topic.objects.count() == 6
    # One featured article on each language's home page.
    assert published.filter(is_featured=True).in_language("en").count() == 1
    assert published.filter(is_featured=True).in_language("es").count() == 1
    assert published.in_topic("for-partners").exists()
    assert published.exclude(reviewer=None).filter(reviewed_at=None).count() == 0
    home = client.get(reverse("home"))
    assert home.status_code == 200
    featured = published.in_language("en").get(is_featured=True)
    assert featured.title.replace("'", "&#x27;") in home.content.decode()
    for article in published:
        assert client.get(article.get_absolute_url()).status_code == 200


def test_demo_topics_about_partners_or_conflict_offer_the_quick_exit(client):
    call_command("load_demo_content", verbosity=0)

    # Someone reading about a partner who is not ready may be watched while
    # they read (which topics are marked: tests/intake/test_quick_exit.py).
    topic_page = client.get(reverse("articles:topic", args=["when-your-partner-is-not-ready"]))
    assert "Leave this site" in topic_page.content.decode()


def test_demo_content_has_articles_written_to_the_partner_for_each_partner_page():
    call_command("load_demo_content", verbosity=0)
    published = Article.objects.published()
    for_partners = published.in_topic("for-partners")

    titles = set(for_partners.values_list("title", flat=True))
    assert {
        "Your partner asked about couples therapy: what that means, and what it doesn't",
        'Saying "not now" is allowed',
        "What the first couples session is like for the one who was asked",
        "Intensive couples therapy: what two days look like",
    } <= titles
    # Pieces written to the one asking, not to the partner, are elsewhere.
    assert not for_partners.filter(
        slug__in=["how-to-bring-up-couples-therapy", "when-your-partner-says-no-to-couples-therapy"]
    ).exists()
    assert (
        published.in_topic("when-your-partner-is-not-ready")
        .filter(slug="how-to-bring-up-couples-therapy")
        .exists()
    )
    # Each of the partner page's four variants gets something to read, and a
    # partner who wants to come gets nothing about saying not now.
    for journey in PartnerJourney:
        for outlook in PartnerOutlook:
            shown = published.for_partners(PartnerVariant(journey=journey, outlook=outlook))
            assert shown.count() >= 2, (journey, outlook)
            if outlook == PartnerOutlook.READY:
                assert not shown.filter(slug="saying-not-now-is-allowed").exists()
            if journey == PartnerJourney.INTENSIVE:
                assert not shown.filter(body__contains="8 to 20").exists()
                assert shown.filter(slug="intensive-couples-therapy-what-two-days-look-like")
            else:
                assert not shown.filter(partner_journey=PartnerJourney.INTENSIVE).exists()


def test_demo_content_has_spanish_articles_linked_to_their_english_counterparts():
    call_command("load_demo_content", verbosity=0)
    spanish = Article.objects.published().in_language("es")
    assert spanish.count() >= 4
    translated = spanish.exclude(translation=None).select_related("translation")
    assert translated.count() >= 2
    for article in translated:
        assert article.translation.language == "en"
        assert article.translation.translation_id == article.pk
    assert spanish.filter(translation=None).exists()  # and some written for Spanish readers only
    # A partner sent the Spanish partner page has something to read in Spanish.
    assert spanish.in_topic("for-partners").exists()
    assert Topic.objects.get(slug="communication").name_es == "Comunicación y conflictos"


def test_loading_the_demo_content_twice_changes_nothing():
    call_command("load_demo_content", verbosity=0)
    first = counts()
    updated = dict(Article.objects.values_list("slug", "updated_at"))
    call_command("load_demo_content", verbosity=0)
    assert counts() == first
    assert dict(Article.objects.values_list("slug", "updated_at")) == updated


def test_loading_the_demo_content_makes_cached_pages_stale(django_capture_on_commit_callbacks):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content", verbosity=0)
    assert content_version() > before


def write_folder(folder: Path, *, article_header: str) -> Path:
    (folder / "people.toml").write_text(
        '[[topics]]\nslug = "eft"\nname = "EFT"\n\n'
        '[[authors]]\nslug = "ann"\nname = "Ann Example"\ncredentials = "LMFT"\nbio = "Hi."\n',
        encoding="utf-8",
    )
    (folder / "01-one.md").write_text(article_header + "---\n## Hello\n\nBody.\n", encoding="utf-8")
    return folder


def test_demo_content_can_come_from_another_folder(tmp_path):
    folder = write_folder(
        tmp_path,
        article_header=(
            "title: One: a story\nslug: one\nsummary: Short.\ntopics: eft\nauthor: ann\n"
            "reviewer: ann\ncta_journey: individual\ndays_ago: 3\n"
        ),
    )
    call_command("load_demo_content", "--from", str(folder), verbosity=0)
    article = Article.objects.get(slug="one")
    assert article.title == "One: a story"
    assert article.is_public
    assert '<h2 id="hello">Hello</h2>' in article.body_html
    assert article.reviewer.name == "Ann Example"
    assert article.reviewed_at is not None
    assert [topic.slug for topic in article.topics.all()] == ["eft"]


def test_demo_content_with_an_unknown_author_is_refused_clearly(tmp_path):
    folder = write_folder(
        tmp_path,
        article_header=(
            "title: One\nslug: one\nsummary: Short.\ntopics: eft\nauthor: nobody\n"
            "cta_journey: individual\ndays_ago: 3\n"
        ),
    )
    with pytest.raises(CommandError, match="01-one.md: unknown slug 'nobody'"):
        call_command("load_demo_content", "--from", str(folder), verbosity=0)
    assert not Article.objects.exists()
