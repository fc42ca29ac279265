"""What search engines and link previews see."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


def json_ld_blocks(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def structured_data(html):
    """Each top-level node of the page's JSON-LD by its type (graphs unpacked)."""
    nodes = {}
    for data in json_ld_blocks(html):
        for node in data.get("@graph", [data]):
            nodes[node["@type"]] = node
    return nodes


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def test_article_page_has_canonical_link_and_social_tags(client):
    article = ArticleFactory(title="Starting alone", summary="You can begin on your own.")
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="You can begin on your own.">' in html
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == "Starting alone"
    assert meta(html, "property", "og:url") == url
    assert meta(html, "name", "twitter:card") == "summary"
    # No cover, no image to preview.
    assert meta(html, "property", "og:image") is None


def test_article_with_a_cover_shares_its_image(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
        b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    article = ArticleFactory(
        cover_image=SimpleUploadedFile("cover.gif", gif, content_type="image/gif"),
        cover_alt="Two chairs facing each other",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "property", "og:image").startswith("http://testserver/media/covers/")
    assert meta(html, "property", "og:image:alt") == "Two chairs facing each other"
    assert 'alt="Two chairs facing each other"' in html


def test_article_structured_data_describes_the_posting_its_author_and_reviewer(client):
    author = AuthorFactory(name="Maya Okafor", slug="maya", credentials="PhD, LMFT")
    reviewer = AuthorFactory(name="Daniel Reyes", slug="daniel", credentials="LCSW")
    article = ArticleFactory(
        title="What is EFT?",
        summary="In plain words.",
        author=author,
        reviewer=reviewer,
        reviewed_at=timezone.localdate(),
    )
    data = structured_data(client.get(article.get_absolute_url()).content.decode())
    posting = data["BlogPosting"]
    assert posting["headline"] == "What is EFT?"
    assert posting["description"] == "In plain words."
    assert posting["datePublished"] == article.publish_at.isoformat()
    assert posting["dateModified"] == article.updated_at.isoformat()
    assert posting["url"] == f"http://testserver{article.get_absolute_url()}"
    assert posting["author"]["@type"] == "Person"
    assert posting["author"]["name"] == "Maya Okafor"
    # Credentials are letters after a name, not a job title.
    assert posting["author"]["honorificSuffix"] == "PhD, LMFT"
    assert "jobTitle" not in posting["author"]
    # schema.org has the review on the page, whose main entity is the posting.
    page = data["WebPage"]
    assert page["mainEntity"] == {"@id": posting["@id"]}
    assert posting["mainEntityOfPage"] == {"@id": page["@id"]}
    assert page["reviewedBy"]["name"] == "Daniel Reyes"
    assert page["lastReviewed"] == article.reviewed_at.isoformat()
    assert "reviewedBy" not in posting and "lastReviewed" not in posting
    assert posting["publisher"] == {
        "@type": "Organization",
        "name": "Harbor & Hearth Counseling",
        "url": "http://testserver/",
    }
    crumbs = [item["name"] for item in data["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["Harbor & Hearth Counseling", "Articles", "What is EFT?"]


def test_article_without_reviewer_claims_no_review(client):
    article = ArticleFactory(reviewer=None)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "reviewedBy" not in structured_data(html)["WebPage"]
    assert "Reviewed by" not in html


def test_text_in_structured_data_cannot_break_out_of_its_script_element(client):
    article = ArticleFactory(title="</script><script>alert('hi')</script> & more")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "\\u003C/script\\u003E" in html
    assert structured_data(html)["BlogPosting"]["headline"] == (
        "</script><script>alert('hi')</script> & more"
    )


def test_breadcrumbs_are_an_ordered_list_in_a_labelled_nav(client):
    topic = TopicFactory(name="Communication", slug="communication")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    assert "<ol>" in html
    assert 'aria-current="page">Communication</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("articles:list"),
        reverse("articles:topic", kwargs={"slug": "eft"}),
        reverse("clinician", kwargs={"slug": "maya"}),
        reverse("team"),
    ],
)
def test_every_page_has_a_canonical_link_and_one_heading(client, url):
    TopicFactory(slug="eft")
    AuthorFactory(slug="maya")
    html = client.get(url).content.decode()
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert html.count("<h1") == 1
    assert meta(html, "property", "og:title")


def test_second_page_of_a_list_is_its_own_canonical_page(client):
    for _ in range(11):
        ArticleFactory()
    html = client.get(reverse("articles:list"), {"page": 2}).content.decode()
    assert '<link rel="canonical" href="http://testserver/articles/?page=2">' in html


@pytest.mark.parametrize("url_name", ["home", "articles:list"])
def test_pages_have_no_inline_scripts_or_styles(client, url_name):
    ArticleFactory(body="<p style='color:red' onclick='x()'>Hi</p>")
    html = client.get(reverse(url_name)).content.decode()
    assert " style=" not in html
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('type="application/ld+json"' in attributes for attributes in scripts)


def test_article_page_has_no_inline_scripts_or_styles(client):
    article = ArticleFactory(body="<p style='color:red' onclick='x()'>Hi</p>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert " style=" not in html
    assert "onclick" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('type="application/ld+json"' in attributes for attributes in scripts)
