"""Search in each article's own language (articles.search).

The stored search document: each article's is made with the text-search
configuration of its language (`practice_spanish` for a Spanish article,
`practice_english` otherwise), so that the Spanish site searches a stored,
GIN-indexed document too, instead of computing every Spanish article's on each
search (which cost about 1.3 ms per Spanish article per search). A generated
column cannot be altered, so it is dropped and added again, with its index;
SQLite rebuilds the article table for that and loses its triggers, which the
last step makes again.

The words the articles use, for "Did you mean …?", are kept for each language:
the Spanish site must only offer words its own articles use, never an English
one (and the other way round).

- PostgreSQL: `articles_searchword` gets a `language` column, part of its key,
  and the triggers of migration 0007 count each article's words under its
  language. The table is derived from the articles, so it is made again and
  filled from them.
- SQLite: the index the spelling is read from keeps accents now (it is only
  read for its words), so that a correction is shown as the articles write it
  ("discusión", not "discusion"); the language is read from the article table.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

import articles.models
from articles import search_sqlite

DOCUMENT_INDEX = GinIndex(fields=["search_document"], name="article_search_document")

POSTGRES_SETUP = [
    "DROP TRIGGER articles_searchword_insert ON articles_article",
    "DROP TRIGGER articles_searchword_update ON articles_article",
    "DROP TRIGGER articles_searchword_delete ON articles_article",
    "DROP FUNCTION articles_searchword_count()",
    "DROP TABLE articles_searchword",
    """
    CREATE TABLE articles_searchword (
        language varchar(8) NOT NULL,
        word text NOT NULL,
        articles integer NOT NULL,
        PRIMARY KEY (language, word)
    )
    """,
    # As in 0007: without a pending list, the planner keeps using the index.
    """
    CREATE INDEX articles_searchword_trgm ON articles_searchword
    USING gin (word gin_trgm_ops) WITH (fastupdate = off)
    """,
    """
    CREATE FUNCTION articles_searchword_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('articles_searchword'));
        IF TG_OP = 'UPDATE' THEN
            IF NOT EXISTS (
                SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.title, o.summary, o.body, o.language)
                    IS DISTINCT FROM (n.title, n.summary, n.body, n.language)
            ) THEN
                RETURN NULL;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE articles_searchword AS s SET articles = s.articles - gone.articles
            FROM (
                SELECT o.language, w.word, count(*) AS articles
                FROM old_rows o, articles_searchword_words(o.title, o.summary, o.body) AS w(word)
                GROUP BY o.language, w.word
            ) AS gone
            WHERE s.language = gone.language AND s.word = gone.word;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO articles_searchword (language, word, articles)
            SELECT n.language, w.word, count(*)
            FROM new_rows n, articles_searchword_words(n.title, n.summary, n.body) AS w(word)
            GROUP BY n.language, w.word
            ORDER BY n.language, w.word
            ON CONFLICT (language, word)
            DO UPDATE SET articles = articles_searchword.articles + excluded.articles;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM articles_searchword WHERE articles <= 0;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_searchword_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_searchword_count()
    """,
    """
    CREATE TRIGGER articles_searchword_update AFTER UPDATE ON articles_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_searchword_count()
    """,
    """
    CREATE TRIGGER articles_searchword_delete AFTER DELETE ON articles_article
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_searchword_count()
    """,
    """
    INSERT INTO articles_searchword (language, word, articles)
    SELECT a.language, w.word, count(*)
    FROM articles_article a, articles_searchword_words(a.title, a.summary, a.body) AS w(word)
    GROUP BY a.language, w.word
    """,
]

# Back to 0007's table: one count per word, whatever the language.
POSTGRES_TEARDOWN = [
    "DROP TRIGGER articles_searchword_insert ON articles_article",
    "DROP TRIGGER articles_searchword_update ON articles_article",
    "DROP TRIGGER articles_searchword_delete ON articles_article",
    "DROP FUNCTION articles_searchword_count()",
    "DROP TABLE articles_searchword",
    "CREATE TABLE articles_searchword (word text PRIMARY KEY, articles integer NOT NULL)",
    """
    CREATE INDEX articles_searchword_trgm ON articles_searchword
    USING gin (word gin_trgm_ops) WITH (fastupdate = off)
    """,
    """
    CREATE FUNCTION articles_searchword_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('articles_searchword'));
        IF TG_OP = 'UPDATE' THEN
            IF NOT EXISTS (
                SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.title, o.summary, o.body) IS DISTINCT FROM (n.title, n.summary, n.body)
            ) THEN
                RETURN NULL;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE articles_searchword AS s SET articles = s.articles - gone.articles
            FROM (
                SELECT w.word, count(*) AS articles
                FROM old_rows o, articles_searchword_words(o.title, o.summary, o.body) AS w(word)
                GROUP BY w.word
            ) AS gone
            WHERE s.word = gone.word;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO articles_searchword (word, articles)
            SELECT w.word, count(*)
            FROM new_rows n, articles_searchword_words(n.title, n.summary, n.body) AS w(word)
            GROUP BY w.word
            ORDER BY w.word
            ON CONFLICT (word) DO UPDATE SET articles = articles_searchword.articles + excluded.articles;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM articles_searchword WHERE articles <= 0;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    *POSTGRES_SETUP[-4:-1],
    """
    INSERT INTO articles_searchword (word, articles)
    SELECT w.word, count(*)
    FROM articles_article a, articles_searchword_words(a.title, a.summary, a.body) AS w(word)
    GROUP BY w.word
    """,
]


def add_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


def remove_document_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), DOCUMENT_INDEX)


def words_by_language(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SETUP:
            schema_editor.execute(statement)
    else:
        search_sqlite.remake(apps, schema_editor)


def words_of_all_languages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_search_configurations"),
    ]

    operations = [
        # Undone last: SQLite's triggers, after the table was rebuilt once more.
        migrations.RunPython(migrations.RunPython.noop, search_sqlite.install_triggers),
        migrations.RunPython(remove_document_index, add_document_index, elidable=False),
        migrations.RemoveField(model_name="article", name="search_document"),
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=articles.models.SearchDocument(
                    config="practice_english", languages={"es": "practice_spanish"}
                ),
                output_field=articles.models.SearchDocumentField(),
            ),
        ),
        migrations.RunPython(add_document_index, remove_document_index, elidable=False),
        # Last: on SQLite it also makes the triggers the table rebuild dropped.
        migrations.RunPython(words_by_language, words_of_all_languages, elidable=False),
    ]
