"""Searching the Spanish site (/es/articles/?q=…) with a Spanish reader's words (both databases).

The Spanish site reads a search with Spanish common words, synonyms and ways
of saying "my partner asked me", ignores accents as the reader may, and
offers spelling corrections only from its own articles.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from articles import search as article_search
from tests.articles.test_search_readers import titles
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


def article(title, body, **fields):
    """A Spanish article whose only words are these."""
    fields.setdefault("summary", "Siga leyendo.")
    return ArticleFactory(title=title, body=body, language="es", **fields)


def search(client, words, language="es"):
    with translation.override(language):
        url = reverse("articles:list")
    response = client.get(url, {"q": words})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("typed", ["el", "la de que", "Que", "  los  ", "A la"])
def test_a_search_of_only_common_spanish_words_finds_nothing_and_says_why(client, typed):
    article("El faro", "La luz al final del muelle y el barco que llega.")
    html = search(client, typed)
    assert titles(html) == []
    assert "solo tiene palabras muy comunes" in html


def test_common_spanish_words_are_not_required(client):
    article("Conflictos", "Un conflicto entre dos personas en pareja.")
    article("Otra", "Caminar junto al río.")
    html = search(client, "el conflicto de la pareja")
    assert titles(html) == ["Conflictos"]
    # Found with every word that counts, not as a partial match.
    assert "Algunos tienen solo parte de sus palabras" not in html


@pytest.mark.parametrize(
    "typed, written",
    [
        ("esposo", "pareja"),
        ("marido", "esposa"),
        ("novia", "pareja"),
        ("consejería", "terapia"),
        ("asesoramiento", "terapia"),
        ("discutir", "peleas"),
        ("conflicto", "discusiones"),
        ("divorcio", "separación"),
        ("se niega", "no quiere"),
        ("rechaza", "no quiere"),
    ],
)
def test_a_spanish_word_finds_articles_that_say_it_another_way(client, typed, written):
    article("La que sí", f"A veces {written} primero.")
    article("Otra", "Caminar junto al río.")
    assert titles(search(client, typed)) == ["La que sí"]


def test_accents_do_not_count_in_spanish(client):
    article("Después de la separación", "Una sesión difícil.")
    article("Otra", "Caminar junto al río.")
    for typed in ["separacion", "sesion", "despues", "dificil", "SEPARACIÓN"]:
        assert titles(search(client, typed)) == ["Después de la separación"], typed


def test_the_english_site_does_not_list_spanish_articles_for_an_english_word(client):
    article("Terapia", "La terapia de pareja.")
    ArticleFactory(title="Therapy", body="Couples therapy.", summary="Read on.")
    assert titles(search(client, "therapy", language="en")) == ["Therapy"]
    assert titles(search(client, "terapia")) == ["Terapia"]


def test_the_spanish_site_suggests_only_words_of_its_own_articles(client):
    # "confllicts" is closer to the English "conflicts" than to "conflictos".
    ArticleFactory(title="Conflicts at home", body="Conflicts at home.", summary="Read on.")
    article("Los conflictos en casa", "Conflictos en casa.")
    html = search(client, "confllicts")
    assert titles(html) == ["Los conflictos en casa"]
    assert "¿Quiso decir" in html and "«conflictos»" in html
    assert "conflicts" not in html.lower().replace("confllicts", "")
    # The English site offers its own word.
    html = search(client, "confllicts", language="en")
    assert titles(html) == ["Conflicts at home"]
    assert "Did you mean" in html and "“conflicts”" in html


def test_spelling_corrections_come_from_the_articles_of_the_language_searched():
    ArticleFactory(title="A lighthouse", body="The lighthouse at night.")
    article("Un faro", "El faro de noche.")
    words = ["lighthuose", "farro"]
    assert article_search.spelling_corrections(words, language="en", using="default") == {
        "lighthuose": "lighthouse"
    }
    assert article_search.spelling_corrections(words, language="es", using="default") == {
        "farro": "faro"
    }


def test_the_asked_partners_articles_come_second_unless_the_reader_was_asked_in_spanish(client):
    for_partners = TopicFactory(slug="for-partners", name="For the partner who was asked")
    article(
        "Su pareja le pidió ir a terapia de pareja",
        "Le pidieron ir a terapia de pareja. Decir ahora no está permitido.",
        topics=[for_partners],
    )
    article("Cuando su pareja se niega", "Su pareja no quiere ir a terapia de pareja todavía.")
    assert titles(search(client, "mi pareja no quiere ir a terapia de pareja")) == [
        "Cuando su pareja se niega",
        "Su pareja le pidió ir a terapia de pareja",
    ]
    for typed in ["mi pareja me pidió ir a terapia", "no quiero ir a terapia de pareja"]:
        assert titles(search(client, typed))[0] == "Su pareja le pidió ir a terapia de pareja"
