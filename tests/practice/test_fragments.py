"""The header and footer are rendered once per language (practice/templatetags/
fragments.py): each page still shows its own language's, its own section
marked, and what the settings say now."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def spanish(name):
    with translation.override("es"):
        return reverse(name)


def footer_of(html):
    return html.split('<footer class="site-footer">')[1]


def test_each_language_gets_its_own_footer_whichever_page_came_first(client):
    english = client.get(reverse("articles:list")).content.decode()
    in_spanish = client.get(spanish("articles:list")).content.decode()
    english_again = client.get(reverse("team")).content.decode()
    assert "In crisis?" in footer_of(english) and "In crisis?" in footer_of(english_again)
    assert "¿Está en crisis?" in footer_of(in_spanish)
    assert "In crisis?" not in footer_of(in_spanish)


def test_the_header_marks_the_section_of_each_page(client):
    team = client.get(reverse("team")).content.decode()
    form = client.get(reverse("intake:request")).content.decode()
    articles = client.get(reverse("articles:list")).content.decode()
    assert 'href="/team/" aria-current="page"' in team
    assert 'href="/request/" aria-current="page"' not in team
    assert 'href="/request/" aria-current="page"' in form
    assert 'href="/team/" aria-current="page"' not in form
    assert 'aria-current="page"' not in articles.split("</header>")[0]


def test_the_footer_shows_the_practice_details_as_configured_now(client, settings):
    assert "(555) 010-2040" in footer_of(client.get(reverse("articles:list")).content.decode())
    settings.PRACTICE_PHONE = "(555) 010-9999"
    settings.CRISIS_LINE_TEXT = "Call or text 988, day or night"
    html = footer_of(client.get(reverse("team")).content.decode())
    assert "(555) 010-9999" in html and "(555) 010-2040" not in html
    assert "Call or text 988, day or night" in html
