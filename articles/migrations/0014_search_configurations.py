"""PostgreSQL text-search configurations of the practice's own (articles.search).

`practice_english` and `practice_spanish` stem as PostgreSQL's `english` and
`spanish` do, with two differences:

- no stop words: the search leaves out the words too common to look for
  itself (articles/search_words.py, the same lists on SQLite), so a phrase
  keeps them: "says no" is not "says", "not now" is not "now";
- accents do not count (the `unaccent` extension): "separacion" finds
  "separación", as SQLite's FTS5 index does with remove_diacritics.

The stored search document is then remade with `practice_english` (a
generated column cannot be altered, only dropped and added again), and its
GIN index with it. SQLite rebuilds the article table for that, and loses its
search triggers (articles/search_sqlite.py).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import articles.models
from articles import search_sqlite

CONFIGURATIONS = {"practice_english": "english", "practice_spanish": "spanish"}
# Every kind of word PostgreSQL's parser finds that its configurations stem.
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
DOCUMENT_INDEX = GinIndex(fields=["search_document"], name="article_search_document")


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, language in CONFIGURATIONS.items():
        # A snowball dictionary without a StopWords file keeps every word.
        schema_editor.execute(
            f"CREATE TEXT SEARCH DICTIONARY {name}_stem (TEMPLATE = snowball, Language = {language})"
        )
        schema_editor.execute(
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{language})"
        )
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR {WORD_TOKENS} WITH unaccent, {name}_stem"
        )


def drop_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {name}")
        schema_editor.execute(f"DROP TEXT SEARCH DICTIONARY {name}_stem")


def add_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


def remove_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


def document(config):
    return models.GeneratedField(
        db_persist=True,
        expression=articles.models.SearchDocument(config=config),
        output_field=articles.models.SearchDocumentField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_spanish_bios"),
    ]

    operations = [
        # Does nothing on other databases. unaccent is a trusted extension
        # (PostgreSQL 13+): a database owner may create it without superuser.
        UnaccentExtension(),
        migrations.RunPython(create_configurations, drop_configurations, elidable=False),
        migrations.RunPython(remove_document_index, add_document_index, elidable=False),
        migrations.RemoveField(model_name="article", name="search_document"),
        migrations.AddField(
            model_name="article", name="search_document", field=document("practice_english")
        ),
        migrations.RunPython(add_document_index, remove_document_index, elidable=False),
        migrations.RunPython(search_sqlite.install_triggers, migrations.RunPython.noop),
    ]
