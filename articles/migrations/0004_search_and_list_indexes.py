import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

import articles.models

# Frozen copies of the full-text indexes, before and after this migration.
EXPRESSION_INDEX = django.contrib.postgres.indexes.GinIndex(
    django.contrib.postgres.search.SearchVector("title", weight="A", config="english")
    + django.contrib.postgres.search.SearchVector("summary", weight="B", config="english")
    + django.contrib.postgres.search.SearchVector("body", weight="C", config="english"),
    name="article_search",
)
TOPIC_ARTICLES_INDEX = "article_topics_topic_article"
DOCUMENT_INDEX = django.contrib.postgres.indexes.GinIndex(
    fields=["search_document"], name="article_search_document"
)


def drop_expression_index(apps, schema_editor):
    # Full-text search and its GIN indexes exist on PostgreSQL only; other
    # databases search with a simple fallback (ArticleQuerySet.matching).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), EXPRESSION_INDEX)


def restore_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), EXPRESSION_INDEX)


def add_topic_articles_index(apps, schema_editor):
    # A topic's articles from the index alone (the topic page and its count).
    # Django creates the many-to-many table itself, so the index is added here
    # rather than in a Meta.
    table = apps.get_model("articles", "Article").topics.through._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX {quote(TOPIC_ARTICLES_INDEX)} ON {quote(table)} "
        f"({quote('topic_id')}, {quote('article_id')})"
    )


def remove_topic_articles_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(TOPIC_ARTICLES_INDEX)}")


def add_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


def remove_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_cover_renditions"),
    ]

    operations = [
        migrations.RunPython(drop_expression_index, restore_expression_index, elidable=False),
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=articles.models.SearchDocument(config="english"),
                output_field=articles.models.SearchDocumentField(),
            ),
        ),
        migrations.RunPython(add_document_index, remove_document_index, elidable=False),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-updated_at"], name="article_updated"),
        ),
        migrations.RemoveIndex(
            model_name="article",
            name="article_status_publish",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "-publish_at", "-id"], name="article_status_publish_id"
            ),
        ),
        migrations.RunPython(add_topic_articles_index, remove_topic_articles_index, elidable=False),
    ]
