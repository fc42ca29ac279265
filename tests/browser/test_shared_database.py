"""The browser tests share one database with the live server (see conftest.py):
each test starts from the demo content and nothing else, whatever ran before it.

Each test runs twice; whichever run comes second fails if the first one's rows
were left behind.
"""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article
from tests.factories import ArticleFactory

RUNS = ["first", "second"]


@pytest.mark.parametrize("run", RUNS)
def test_rows_added_in_a_table_the_demo_content_leaves_empty_are_gone(site, run):
    assert not get_user_model().objects.exists()
    get_user_model().objects.create_user("left-behind")


@pytest.mark.parametrize("run", RUNS)
def test_an_article_added_beside_the_demo_articles_is_gone(site, run):
    assert Article.objects.published().exists()
    assert not Article.objects.filter(slug="left-behind").exists()
    ArticleFactory(title="Left behind", slug="left-behind")
