"""What search needs besides the stored search document (articles.search).

PostgreSQL: pg_trgm, and the words the articles use (`articles_searchword`:
each word with the number of articles using it, trigram-indexed) for "Did you
mean …?". Triggers keep the counts current on every write to the article
table, bulk_create and update() included, as the generated search document is.

SQLite (development, `make run`): FTS5 indexes kept current by triggers
(articles/search_sqlite.py, which says what a later migration that rebuilds the
article table must do).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from articles import search_sqlite

# --- PostgreSQL --------------------------------------------------------------------

POSTGRES_SETUP = [
    """
    CREATE TABLE articles_searchword (
        word text PRIMARY KEY,
        articles integer NOT NULL
    )
    """,
    # Without a pending list (fastupdate): new words are in the index at once,
    # and the planner does not shy away from it for a seq scan that runs
    # similarity() on every word (0.2 ms against 300 ms at 20,000 words).
    """
    CREATE INDEX articles_searchword_trgm ON articles_searchword
    USING gin (word gin_trgm_ops) WITH (fastupdate = off)
    """,
    # The words of one article as written (lower case, no stemming), once each.
    """
    CREATE FUNCTION articles_searchword_words(title text, summary text, body text)
    RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
        SELECT lexeme FROM unnest(to_tsvector('simple', title || ' ' || summary || ' ' || body))
        WHERE length(lexeme) >= 3 AND lexeme ~ '^[[:alpha:]]+$'
    $$
    """,
    # One statement's changes at a time (an advisory lock), so that two editors
    # saving at once never lock shared words in opposite orders.
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
    # Test runs empty the tables with TRUNCATE, which the triggers above do not see.
    """
    CREATE FUNCTION articles_searchword_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE articles_searchword;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_searchword_truncate AFTER TRUNCATE ON articles_article
    FOR EACH STATEMENT EXECUTE FUNCTION articles_searchword_clear()
    """,
    """
    INSERT INTO articles_searchword (word, articles)
    SELECT w.word, count(*)
    FROM articles_article a, articles_searchword_words(a.title, a.summary, a.body) AS w(word)
    GROUP BY w.word
    """,
]

POSTGRES_TEARDOWN = [
    "DROP TRIGGER articles_searchword_truncate ON articles_article",
    "DROP TRIGGER articles_searchword_delete ON articles_article",
    "DROP TRIGGER articles_searchword_update ON articles_article",
    "DROP TRIGGER articles_searchword_insert ON articles_article",
    "DROP FUNCTION articles_searchword_clear()",
    "DROP FUNCTION articles_searchword_count()",
    "DROP FUNCTION articles_searchword_words(text, text, text)",
    "DROP TABLE articles_searchword",
]


def create_postgres_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SETUP:
            schema_editor.execute(statement)


def drop_postgres_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_editors_keep_pages_and_images"),
    ]

    operations = [
        # Creates nothing on other databases. pg_trgm is a trusted extension
        # (PostgreSQL 13+): a database owner may create it without superuser.
        TrigramExtension(),
        migrations.RunPython(create_postgres_words, drop_postgres_words, elidable=False),
        migrations.RunPython(search_sqlite.create, search_sqlite.drop, elidable=False),
    ]
