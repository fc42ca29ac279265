import pytest

from articles.markdown import render_markdown
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "source",
    [
        "Hello <script>alert('x')</script>",
        "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
        "[click me](javascript:alert(1))",
        '<a href="javascript:alert(1)">click me</a>',
        '<img src="x.png" onerror="alert(1)">',
        '<p onclick="alert(1)" onmouseover="alert(2)">Text</p>',
        '<iframe src="https://tracker.example/"></iframe>',
        '<p style="background:url(https://tracker.example/pixel)">Text</p>',
        "<style>body { display: none }</style>",
    ],
)
def test_dangerous_markup_is_removed(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "<iframe" not in html
    assert "style" not in html
    assert "tracker.example" not in html


def test_headings_lists_links_emphasis_and_quotes_are_kept():
    html = render_markdown(
        "## Why it matters\n\n"
        "### A smaller heading\n\n"
        "- first\n- second\n\n"
        "1. one\n2. two\n\n"
        "Read [this](https://example.org/page), *gently* and **carefully**.\n\n"
        "> A quote from a session.\n"
    )
    assert '<h2 id="why-it-matters">Why it matters</h2>' in html
    assert '<h3 id="a-smaller-heading">A smaller heading</h3>' in html
    assert "<ul>" in html and "<li>first</li>" in html
    assert "<ol>" in html and "<li>two</li>" in html
    assert '<a href="https://example.org/page" rel="noopener noreferrer">this</a>' in html
    assert "<em>gently</em>" in html
    assert "<strong>carefully</strong>" in html
    assert "<blockquote>" in html


def test_saving_an_article_renders_its_body_once():
    article = ArticleFactory(body="## Heading\n\nSome *text*. <script>alert(1)</script>")
    assert '<h2 id="heading">Heading</h2>' in article.body_html
    assert "<em>text</em>" in article.body_html
    assert "<script" not in article.body_html


def test_reading_time_grows_with_the_body():
    short = ArticleFactory(body="word " * 50)
    long = ArticleFactory(body="word " * 2200)
    assert short.reading_minutes == 1
    assert long.reading_minutes == 10
