from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Frozen copy of articles.models.search_vector() as it was when this ran.
INDEX = GinIndex(
    SearchVector("title", weight="A", config="english")
    + SearchVector("summary", weight="B", config="english")
    + SearchVector("body", weight="C", config="english"),
    name="article_search",
)


def add_index(apps, schema_editor):
    # Full-text search and its GIN index exist on PostgreSQL only; other
    # databases search with a simple fallback (ArticleQuerySet.search).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_index, remove_index, elidable=False),
    ]
