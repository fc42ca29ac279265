"""Every page the site serves is valid HTML, as the W3C Nu HTML Checker reads it.

The pages are rendered with the demo content through the test client, in every
state a visitor meets (blank, with errors, confirmed, seen again, not found,
the error pages) and checked together in one run of the checker, which `make
venv` installs from npm with its lock file (tests/html/package.json).
"""

import json
import shutil
import subprocess  # nosec B404: runs the checker installed beside this file
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Author, Page, Topic
from practice import views as practice_views
from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db

VNU_JAR = Path(__file__).parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def public_pages(client: Client) -> dict[str, str]:
    """Each page a visitor can see, by a name that says which state it is in."""
    pages = {}

    def keep(name: str, response) -> None:
        assert response["Content-Type"].startswith("text/html"), name
        pages[name] = response.content.decode()

    keep("home", client.get(reverse("home")))
    keep("articles", client.get(reverse("articles:list")))
    keep("articles, page 2", client.get(reverse("articles:list"), {"page": 2}))
    keep("search", client.get(reverse("articles:list"), {"q": "partner won't come"}))
    keep("search, corrected", client.get(reverse("articles:list"), {"q": "therpy"}))
    keep("search, nothing found", client.get(reverse("articles:list"), {"q": "zzzzqqq"}))
    for article in Article.objects.published():
        keep(f"article {article.slug}", client.get(article.get_absolute_url()))
    for topic in Topic.objects.all():
        keep(f"topic {topic.slug}", client.get(topic.get_absolute_url()))
    keep("team", client.get(reverse("team")))
    for author in Author.objects.all():
        keep(f"profile {author.slug}", client.get(reverse("clinician", args=[author.slug])))
    for page in Page.objects.all():
        keep(f"page {page.kind} ({page.language})", client.get(page.get_absolute_url()))
    with translation.override("es"):
        keep("team, Spanish", client.get(reverse("team")))
        for author in Author.objects.all():
            keep(f"profile {author.slug}, Spanish", client.get(author.get_absolute_url()))
    # A page not yet written in Spanish: the English one, marked as English.
    Page.objects.filter(kind=Page.Kind.PRIVACY, language="es").delete()
    with translation.override("es"):
        keep("page privacy, not yet in Spanish", client.get(reverse("privacy")))
    keep("not found", client.get("/no-such-page/"))

    keep("request form", client.get(reverse("intake:request")))
    keep("request form, with errors", client.post(reverse("intake:request"), {}))
    keep(
        "request form, couples preselected",
        client.get(reverse("intake:request"), {"journey": "couples"}),
    )
    _, token = couples_request_with_token(client)
    keep("request done, couples", client.get(reverse("intake:done")))
    client.post(reverse("intake:request"), request_post(in_crisis="yes"))
    keep("request done, in crisis", client.get(reverse("intake:done")))
    keep("request done, seen again", client.get(reverse("intake:done")))

    partner = Client()
    keep("partner page", partner.get(partner_url(token)))
    keep("partner page, with errors", partner.post(partner_url(token), {"answer": "join"}))
    partner.post(partner_url(token), partner_post("join", partner_safety="yes"))
    keep("partner done, safety concern", partner.get(reverse("intake:partner-done")))
    keep("partner done, seen again", partner.get(reverse("intake:partner-done")))
    keep("partner link gone", partner.get(partner_url(token)))

    intensive = client.post(
        reverse("intake:request"), request_post("intensive", partner_readiness="agreed")
    )
    assert intensive.status_code == 302
    done = client.get(reverse("intake:done"))
    keep("request done, intensive, partner wants to come", done)
    keep("partner page, intensive", Client().get(partner_url(done.context["done"]["token"])))

    request = RequestFactory().get("/")
    for name, view in [
        ("400", practice_views.bad_request),
        ("403", practice_views.permission_denied),
        ("403 csrf", practice_views.csrf_failure),
        ("500", practice_views.server_error),
        ("503", practice_views.service_unavailable),
    ]:
        keep(f"error {name}", view(request))
    return pages


def checker_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The checker's errors for each page, by the page's name."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.fail("The HTML checker is not installed: run `make venv` (it needs Java and npm).")
    files = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        files[f"file:{path}"] = name
    result = subprocess.run(  # nosec B603: a fixed command on files this test wrote
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        + [address.removeprefix("file:") for address in files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors: dict[str, list[str]] = {}
    for message in messages:
        page = files.get(message.get("url"), message.get("url", "?"))
        errors.setdefault(page, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message')}"
            f" [{message.get('extract', '').strip()}]"
        )
    assert result.returncode == 0 or errors, result.stderr
    return errors


def test_every_page_a_visitor_can_see_is_valid_html(tmp_path, settings):
    settings.INTAKE_RATE_LIMIT = "100/h"
    call_command("load_demo_content", verbosity=0)

    pages = public_pages(Client())

    assert len(pages) > 30
    assert checker_errors(pages, tmp_path) == {}


def test_the_checker_finds_what_is_wrong(tmp_path):
    # The test above would pass if the checker read nothing: it must see this.
    broken = "<!DOCTYPE html><html lang=en><title>x</title><p><div></p><time datetime=soon>x</time>"

    errors = checker_errors({"broken": broken}, tmp_path)

    assert "broken" in errors
    assert any("datetime" in line for line in errors["broken"])
